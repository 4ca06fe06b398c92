/* Memory barriers for device-shared memory on aarch64 (the arch contract
 * behind drivers/virtio). The device is another observer in the outer
 * shareable domain: ring writes must be visible before the index update
 * (store barrier), and the used index read before the entries (load). */
#ifndef SKIFF_ARCH_BARRIER_H
#define SKIFF_ARCH_BARRIER_H

#define dma_wmb() __asm__ volatile("dmb oshst" : : : "memory")
#define dma_rmb() __asm__ volatile("dmb oshld" : : : "memory")
#define dma_mb() __asm__ volatile("dmb osh" : : : "memory")

#endif
