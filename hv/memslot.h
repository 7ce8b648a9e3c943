/* A VM's guest-physical memory map: slots of guest RAM backed by host frames (pure). */
#ifndef SABLE_HV_MEMSLOT_H
#define SABLE_HV_MEMSLOT_H

#include "types.h"

#define MAX_MEMSLOTS 16

struct memslot {
	gpa_t gpa;
	uint64_t size;
	hpa_t hpa;
};

struct memslots {
	struct memslot slot[MAX_MEMSLOTS]; /* sorted by gpa, disjoint */
	size_t n;
};

/* Adds [gpa, gpa+size) -> hpa. -EINVAL for unaligned or wrapping ranges,
 * -EEXIST if it overlaps a slot, -ENOSPC when full. */
int memslot_add(struct memslots *m, gpa_t gpa, uint64_t size, hpa_t hpa);

/* Host address of [gpa, gpa+len) if the whole range lies in one slot, else INVALID_HPA. */
hpa_t memslot_translate(const struct memslots *m, gpa_t gpa, uint64_t len);

#endif
