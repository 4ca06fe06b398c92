/* Memory barriers for device-shared memory on x86_64 (the arch contract
 * behind drivers/virtio). x86 keeps stores in order and loads in order, so
 * only the full barrier needs an instruction; the others stop the compiler
 * from reordering. */
#ifndef SKIFF_ARCH_BARRIER_H
#define SKIFF_ARCH_BARRIER_H

#define dma_wmb() __asm__ volatile("" : : : "memory")
#define dma_rmb() __asm__ volatile("" : : : "memory")
#define dma_mb() __asm__ volatile("mfence" : : : "memory")

#endif
