/* lwIP's OS primitives (NO_SYS=0) mapped onto the kernel's scheduler:
 * semaphores and mutexes are the kernel's, a mailbox is a ring of pointers
 * with two counting semaphores, a thread is a kernel thread. */
#ifndef SKIFF_LWIP_ARCH_SYS_ARCH_H
#define SKIFF_LWIP_ARCH_SYS_ARCH_H

#include <stdbool.h>

#include "kernel/sync.h"

struct sys_sem {
	struct semaphore sem;
	bool valid;
};
typedef struct sys_sem sys_sem_t;

struct sys_mutex {
	struct mutex mutex;
	bool valid;
};
typedef struct sys_mutex sys_mutex_t;

struct sys_mbox {
	void **slots;
	unsigned capacity, head, count;
	struct semaphore items, spaces;
	bool valid;
};
typedef struct sys_mbox sys_mbox_t;

typedef struct thread *sys_thread_t;
typedef unsigned long sys_prot_t;

#define sys_sem_valid(s) ((s) != NULL && (s)->valid)
#define sys_sem_set_invalid(s) do { if ((s) != NULL) (s)->valid = false; } while (0)
/* Called with lwIP's core lock held by whoever is about to release it
 * other than through sys_mutex_unlock (a condition wait): wakes lwIP's
 * thread if a timeout added meanwhile is due before it would wake. */
void sys_arch_core_unlocking(void);

#define sys_mutex_valid(m) ((m) != NULL && (m)->valid)
#define sys_mutex_set_invalid(m) do { if ((m) != NULL) (m)->valid = false; } while (0)
#define sys_mbox_valid(b) ((b) != NULL && (b)->valid)
#define sys_mbox_set_invalid(b) do { if ((b) != NULL) (b)->valid = false; } while (0)

#endif
