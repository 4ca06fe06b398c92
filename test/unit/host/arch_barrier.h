/* Memory barriers for host unit tests: the arch contract of
 * arch/<arch>/arch_barrier.h in portable C11 fences, so code under test
 * (drivers/virtio) builds on the host unchanged. The fake devices in the
 * tests run on the same thread, so these only need to be correct, not fast. */
#ifndef SKIFF_ARCH_BARRIER_H
#define SKIFF_ARCH_BARRIER_H

#define dma_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define dma_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define dma_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

#endif
