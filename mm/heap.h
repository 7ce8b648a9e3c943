/* First-fit object heap over one or more arenas (pure; callers lock). */
#ifndef SABLE_MM_HEAP_H
#define SABLE_MM_HEAP_H

#include "types.h"

#define HEAP_MAX_ARENAS 8

struct heap_block; /* private */

struct heap {
	struct heap_block *free_list; /* address-ordered, coalesced */
	struct {
		uintptr_t base, end;
	} arenas[HEAP_MAX_ARENAS];
	size_t narenas;
	size_t free_bytes; /* payload bytes available */
	size_t used_blocks;
};

void heap_init(struct heap *h);

/* Adds the memory [base, base+size) as an arena. -EINVAL if too small or
 * overlapping another arena, -ENOSPC if HEAP_MAX_ARENAS are in use. */
int heap_add_arena(struct heap *h, void *base, size_t size);

/* size bytes aligned to align (power of two up to 4096; 0 means 16). NULL when
 * no block fits or size is 0 or absurd. */
void *heap_alloc(struct heap *h, size_t size, size_t align);

/* Frees p (NULL is a no-op). -EINVAL for a pointer the heap did not hand out
 * or one already freed; the heap is left unchanged then. */
int heap_free(struct heap *h, void *p);

/* Payload bytes a single allocation could obtain at most right now. */
size_t heap_largest_free(const struct heap *h);

#endif
