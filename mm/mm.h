/* The hypervisor's memory: physical frames, its own page tables, the object heap. */
#ifndef SABLE_MM_MM_H
#define SABLE_MM_MM_H

#include "hv/loader/multiboot2.h"
#include "mm/frame.h"
#include "types.h"

extern char __image_start[], __image_end[], __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[], __data_start[], __bss_end[];

/* Builds the frame allocator from the boot memory map, keeping out the first
 * MiB, the hypervisor image, the boot information and the modules; sets up the
 * heap; prints the memory summary. Panics if too little memory is left. */
void mm_init(const struct mb2_info *info, uint64_t mbi_pa);

/* Builds the hypervisor's page tables (text RX, rodata R, data RW+NX, RAM and
 * MMIO below 4 GiB direct-mapped NX, page 0 unmapped) and switches to them. */
void mm_paging_init(void);
uint64_t mm_hv_cr3(void);
/* Maps the device memory [pa, pa+len) uncached where it is not mapped yet (e.g. a
 * framebuffer above 4 GiB). Returns 0 or a negative errno. */
int mm_map_mmio(hpa_t pa, uint64_t len);
/* True if [pa, pa+len) is inside the direct map (readable by the hypervisor). */
bool mm_phys_mapped(uint64_t pa, uint64_t len);

/* Zeroed contiguous frames, aligned to align (>= PAGE_SIZE); INVALID_HPA when out of memory. */
hpa_t mm_alloc_frames(size_t nframes, uint64_t align);
/* Same, below a physical limit (e.g. 4 GiB for tables used in 32-bit code). */
hpa_t mm_alloc_frames_below(size_t nframes, uint64_t align, uint64_t limit);
void mm_free_frames(hpa_t pa, size_t nframes);
uint64_t mm_free_bytes(void);
/* Prints the free frames and the heap's free bytes and blocks in use, exactly. */
void mm_report(const char *when);
/* Raises the highest address frames may come from (after the direct map exists). */
void mm_set_alloc_limit(uint64_t limit);

static inline void *phys_to_virt(hpa_t pa)
{
	return (void *)(uintptr_t)pa; /* the direct map is an identity map */
}

void *kmalloc(size_t size);
/* align: a power of two, 0 for the heap's default. */
void *kmalloc_aligned(size_t size, size_t align);
void *kzalloc(size_t size);
void kfree(void *p);

#endif
