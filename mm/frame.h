/* Physical frame allocator over a list of free ranges (pure; callers lock). */
#ifndef SABLE_MM_FRAME_H
#define SABLE_MM_FRAME_H

#include "hv/loader/multiboot2.h"
#include "param.h"
#include "types.h"

struct mem_range {
	uint64_t base; /* inclusive, page-aligned */
	uint64_t end;  /* exclusive, page-aligned */
};

struct frame_alloc {
	struct mem_range free[MAX_FREE_RANGES]; /* sorted, disjoint, non-adjacent */
	size_t nfree;
	uint64_t total_frames; /* frames ever added */
	uint64_t free_frames;
};

/* Problems found in a firmware memory map; the allocator stays safe regardless. */
struct frame_map_report {
	unsigned overlaps;  /* entries overlapping another entry */
	unsigned zero_len;  /* entries of length 0 */
	unsigned wraps;     /* base + len overflowing 64 bits */
	unsigned unaligned; /* available entries not page-aligned (trimmed) */
};

void frame_init(struct frame_alloc *fa);

/* Adds usable RAM [base, base+len), shrunk inward to page boundaries, merged
 * with neighbours. -EINVAL if base+len wraps, -ENOSPC if the range table is full. */
int frame_add_free(struct frame_alloc *fa, uint64_t base, uint64_t len);

/* Removes [base, base+len), grown outward to page boundaries, from the free set
 * (never handed out afterwards). -EINVAL if it wraps, -ENOSPC if splitting a
 * range needs a slot the table lacks. */
int frame_reserve(struct frame_alloc *fa, uint64_t base, uint64_t len);

/*
 * Builds the free set from a firmware memory map: every MEM_AVAILABLE entry is
 * added, then every other entry is reserved, so a byte both "available" and
 * "reserved" in overlapping entries is treated as reserved. Fills *rep
 * (may be NULL). Returns 0 or the first error of frame_add_free/frame_reserve.
 */
int frame_init_from_map(struct frame_alloc *fa, const struct mem_region *map, size_t n,
                        struct frame_map_report *rep);

/* Allocates nframes contiguous frames aligned to align bytes (power of two,
 * at least PAGE_SIZE) ending at or below limit (0: no limit). Lowest fit first.
 * Returns the physical base or INVALID_HPA. */
hpa_t frame_alloc(struct frame_alloc *fa, size_t nframes, uint64_t align, uint64_t limit);

/* Returns frames to the free set. -EINVAL if pa is unaligned, wraps, or any
 * frame in the range is already free (double free). */
int frame_free(struct frame_alloc *fa, hpa_t pa, size_t nframes);

/* True if the whole [pa, pa+len) is currently free. */
bool frame_is_free(const struct frame_alloc *fa, hpa_t pa, uint64_t len);

#endif
