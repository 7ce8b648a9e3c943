/*
 * Physical frame allocator: the free set is a sorted array of disjoint,
 * non-adjacent, page-aligned [base, end) ranges.
 *
 * Counters: total_frames counts the frames the allocator manages, free or
 * handed out. frame_add_free raises it by the frames that were not free
 * before; frame_reserve lowers it by the free frames it removes; alloc and
 * free leave it alone. Hence total_frames - free_frames is always the number
 * of frames handed out.
 *
 * The last page of the 64-bit space cannot be represented (end is exclusive),
 * so it is never free.
 */
#include "mm/frame.h"
#include "err.h"

#define TOP_PAGE_END ALIGN_DOWN(UINT64_MAX, PAGE_SIZE)

void frame_init(struct frame_alloc *fa)
{
	fa->nfree = 0;
	fa->total_frames = 0;
	fa->free_frames = 0;
}

/* True if [base, base+len) runs past 2^64 - 1. */
static bool range_wraps(uint64_t base, uint64_t len)
{
	return len > UINT64_MAX - base;
}

static uint64_t frames_of(uint64_t base, uint64_t end)
{
	return (end - base) >> PAGE_SHIFT;
}

/* Opens a hole at index i (caller checked there is room). */
static void slot_insert(struct frame_alloc *fa, size_t i)
{
	for (size_t k = fa->nfree; k > i; k--)
		fa->free[k] = fa->free[k - 1];
	fa->nfree++;
}

/* Deletes entries [i, j). */
static void slot_remove(struct frame_alloc *fa, size_t i, size_t j)
{
	size_t gap = j - i;

	if (!gap)
		return;
	for (size_t k = j; k < fa->nfree; k++)
		fa->free[k - gap] = fa->free[k];
	fa->nfree -= gap;
}

/* Index of the first range whose end is >= addr (touching or after it). */
static size_t first_touching(const struct frame_alloc *fa, uint64_t addr)
{
	size_t i = 0;

	while (i < fa->nfree && fa->free[i].end < addr)
		i++;
	return i;
}

/*
 * Unites page-aligned [s, e) (s < e) with the free set, merging every range it
 * overlaps or touches. Returns the number of frames that were not free before,
 * or -ENOSPC (nothing changed) when a new slot is needed and none is left.
 */
static int64_t set_insert(struct frame_alloc *fa, uint64_t s, uint64_t e)
{
	size_t i = first_touching(fa, s);
	size_t j = i;
	uint64_t old = 0;

	while (j < fa->nfree && fa->free[j].base <= e) {
		old += frames_of(fa->free[j].base, fa->free[j].end);
		j++;
	}
	if (i == j) {
		if (fa->nfree == MAX_FREE_RANGES)
			return -ENOSPC;
		slot_insert(fa, i);
		fa->free[i] = (struct mem_range){s, e};
		return (int64_t)frames_of(s, e);
	}
	s = MIN(s, fa->free[i].base);
	e = MAX(e, fa->free[j - 1].end);
	fa->free[i] = (struct mem_range){s, e};
	slot_remove(fa, i + 1, j);
	return (int64_t)(frames_of(s, e) - old);
}

/*
 * Removes page-aligned [s, e) (s < e) from the free set. Returns the number
 * of frames removed, or -ENOSPC (nothing changed) if a split needs a slot.
 */
static int64_t set_remove(struct frame_alloc *fa, uint64_t s, uint64_t e)
{
	size_t i = first_touching(fa, s + 1);
	uint64_t removed = 0;
	size_t j;

	if (i < fa->nfree && fa->free[i].base < s && fa->free[i].end > e) {
		if (fa->nfree == MAX_FREE_RANGES)
			return -ENOSPC;
		slot_insert(fa, i + 1);
		fa->free[i + 1] = (struct mem_range){e, fa->free[i].end};
		fa->free[i].end = s;
		return (int64_t)frames_of(s, e);
	}
	if (i < fa->nfree && fa->free[i].base < s) {
		removed += frames_of(s, fa->free[i].end);
		fa->free[i].end = s;
		i++;
	}
	for (j = i; j < fa->nfree && fa->free[j].end <= e; j++)
		removed += frames_of(fa->free[j].base, fa->free[j].end);
	if (j < fa->nfree && fa->free[j].base < e) {
		removed += frames_of(fa->free[j].base, e);
		fa->free[j].base = e;
	}
	slot_remove(fa, i, j);
	return (int64_t)removed;
}

int frame_add_free(struct frame_alloc *fa, uint64_t base, uint64_t len)
{
	uint64_t s, e;
	int64_t added;

	if (range_wraps(base, len))
		return -EINVAL;
	if (base > TOP_PAGE_END)
		return 0;
	s = ALIGN_UP(base, PAGE_SIZE);
	e = ALIGN_DOWN(base + len, PAGE_SIZE);
	if (s >= e)
		return 0;
	added = set_insert(fa, s, e);
	if (added < 0)
		return (int)added;
	fa->total_frames += (uint64_t)added;
	fa->free_frames += (uint64_t)added;
	return 0;
}

int frame_reserve(struct frame_alloc *fa, uint64_t base, uint64_t len)
{
	uint64_t s, e;
	int64_t removed;

	if (range_wraps(base, len))
		return -EINVAL;
	if (!len)
		return 0;
	s = ALIGN_DOWN(base, PAGE_SIZE);
	e = base + len > TOP_PAGE_END ? TOP_PAGE_END : ALIGN_UP(base + len, PAGE_SIZE);
	if (s >= e)
		return 0;
	removed = set_remove(fa, s, e);
	if (removed < 0)
		return (int)removed;
	fa->total_frames -= (uint64_t)removed;
	fa->free_frames -= (uint64_t)removed;
	return 0;
}

/* True if a and b (no wrap) overlap. */
static bool entries_overlap(const struct mem_region *a, const struct mem_region *b)
{
	return a->base < b->base + b->len && b->base < a->base + a->len;
}

/* True if the entry is usable for overlap checks: non-empty, no wrap. */
static bool entry_sane(const struct mem_region *r)
{
	return r->len && !range_wraps(r->base, r->len);
}

/* Counts entries overlapping at least one other entry (each entry once). */
static unsigned count_overlaps(const struct mem_region *map, size_t n)
{
	unsigned count = 0;

	for (size_t i = 0; i < n; i++) {
		if (!entry_sane(&map[i]))
			continue;
		for (size_t j = 0; j < n; j++) {
			if (j != i && entry_sane(&map[j]) && entries_overlap(&map[i], &map[j])) {
				count++;
				break;
			}
		}
	}
	return count;
}

static void fill_report(const struct mem_region *map, size_t n, struct frame_map_report *rep)
{
	rep->overlaps = count_overlaps(map, n);
	rep->zero_len = 0;
	rep->wraps = 0;
	rep->unaligned = 0;
	for (size_t i = 0; i < n; i++) {
		const struct mem_region *r = &map[i];

		if (!r->len)
			rep->zero_len++;
		else if (range_wraps(r->base, r->len))
			rep->wraps++;
		else if (r->type == MEM_AVAILABLE && (!IS_ALIGNED(r->base, PAGE_SIZE) ||
		                                      !IS_ALIGNED(r->base + r->len, PAGE_SIZE)))
			rep->unaligned++;
	}
}

/*
 * Resets fa, then applies the map. rep->overlaps counts entries (not pairs)
 * overlapping at least one other entry; empty and wrapping entries are
 * counted in their own fields only and otherwise skipped. Every entry is
 * processed even after an error, so as much as possible is reserved; the
 * first error is returned.
 */
int frame_init_from_map(struct frame_alloc *fa, const struct mem_region *map, size_t n,
                        struct frame_map_report *rep)
{
	int first_err = 0;

	frame_init(fa);
	if (rep)
		fill_report(map, n, rep);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			const struct mem_region *r = &map[i];
			bool avail = r->type == MEM_AVAILABLE;
			int err;

			if (!entry_sane(r) || avail != (pass == 0))
				continue;
			err = avail ? frame_add_free(fa, r->base, r->len)
			            : frame_reserve(fa, r->base, r->len);
			if (err && !first_err)
				first_err = err;
		}
	}
	return first_err;
}

/* Lowest align-aligned address >= base, or INVALID_HPA on overflow. */
static uint64_t align_up_checked(uint64_t base, uint64_t align)
{
	if (base > UINT64_MAX - (align - 1))
		return INVALID_HPA;
	return ALIGN_UP(base, align);
}

/*
 * Lowest fit first. Should carving the block out of the middle of a range
 * need a slot the full table lacks, that range is passed over.
 */
hpa_t frame_alloc(struct frame_alloc *fa, size_t nframes, uint64_t align, uint64_t limit)
{
	uint64_t size;

	if (!nframes || (uint64_t)nframes > (UINT64_MAX >> PAGE_SHIFT))
		return INVALID_HPA;
	if (align < PAGE_SIZE || (align & (align - 1)))
		return INVALID_HPA;
	size = (uint64_t)nframes << PAGE_SHIFT;
	for (size_t i = 0; i < fa->nfree; i++) {
		uint64_t a = align_up_checked(fa->free[i].base, align);

		if (a == INVALID_HPA || a >= fa->free[i].end || fa->free[i].end - a < size)
			continue;
		if (limit && (a > limit || limit - a < size))
			break;
		if (set_remove(fa, a, a + size) < 0)
			continue;
		fa->free_frames -= nframes;
		return a;
	}
	return INVALID_HPA;
}

/*
 * Returns frames handed out by frame_alloc. Freeing zero frames is -EINVAL;
 * -ENOSPC if the block touches no free range and the table is full.
 */
int frame_free(struct frame_alloc *fa, hpa_t pa, size_t nframes)
{
	uint64_t end;
	size_t i;
	int64_t added;

	if (!nframes || !IS_ALIGNED(pa, PAGE_SIZE) ||
	    (uint64_t)nframes > (TOP_PAGE_END - pa) >> PAGE_SHIFT)
		return -EINVAL;
	end = pa + ((uint64_t)nframes << PAGE_SHIFT);
	i = first_touching(fa, pa + 1);
	if (i < fa->nfree && fa->free[i].base < end)
		return -EINVAL;
	added = set_insert(fa, pa, end);
	if (added < 0)
		return (int)added;
	fa->free_frames += nframes;
	return 0;
}

/* An empty range is trivially free; a wrapping one never is. */
bool frame_is_free(const struct frame_alloc *fa, hpa_t pa, uint64_t len)
{
	size_t i;

	if (range_wraps(pa, len))
		return false;
	if (!len)
		return true;
	i = first_touching(fa, pa + 1);
	return i < fa->nfree && fa->free[i].base <= pa && pa + len <= fa->free[i].end;
}
