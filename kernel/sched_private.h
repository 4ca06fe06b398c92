/* Between thread.c (lifecycle) and sched.c (queues); nobody else. */
#ifndef SKIFF_KERNEL_SCHED_PRIVATE_H
#define SKIFF_KERNEL_SCHED_PRIVATE_H

#include "kernel/thread.h"

extern struct thread *sched_current;
void sched_enqueue_new(struct thread *t);
__attribute__((noreturn)) void sched_exit_current(void);
/* Runs on the new thread's stack after every switch (reaps exited threads). */
void sched_thread_finished_switch(void);
void sched_report_threads(void);

#endif
