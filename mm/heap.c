/*
 * First-fit heap. Each arena is tiled by blocks: a 32-byte header followed by
 * its payload, so walking sizes from the arena start visits every block. Free
 * blocks are also linked in address order and never adjacent within an arena
 * (neighbours are coalesced on free). heap_free accepts a pointer only if that
 * walk lands exactly on its header, so stray, interior and stale pointers are
 * rejected without touching anything.
 */
#include "mm/heap.h"
#include "err.h"

#define HEAP_MIN_ALIGN   16u
#define HEAP_MAX_ALIGN   4096u
#define HEAP_MIN_PAYLOAD 16u
#define HEAP_MAGIC_USED  0x5ab1ea11u
#define HEAP_MAGIC_FREE  0x5ab1ef4eu

struct heap_block {
	size_t size; /* payload bytes after the header, multiple of 16 */
	uint32_t magic;
	uint32_t free;
	struct heap_block *next; /* next free block by address, when free */
	uintptr_t pad;           /* keeps the header a multiple of 16 bytes */
};

#define HDR       sizeof(struct heap_block)
#define MIN_BLOCK (HDR + HEAP_MIN_PAYLOAD)

_Static_assert(sizeof(struct heap_block) % HEAP_MIN_ALIGN == 0, "header keeps payload aligned");

void heap_init(struct heap *h)
{
	h->free_list = NULL;
	h->narenas = 0;
	h->free_bytes = 0;
	h->used_blocks = 0;
}

static uintptr_t blk_addr(const struct heap_block *b)
{
	return (uintptr_t)b;
}

static uintptr_t blk_end(const struct heap_block *b)
{
	return blk_addr(b) + HDR + b->size;
}

/* Writes a block header at addr spanning up to end. */
static struct heap_block *blk_make(uintptr_t addr, uintptr_t end, bool is_free)
{
	struct heap_block *b = (struct heap_block *)addr;

	b->size = end - addr - HDR;
	b->magic = is_free ? HEAP_MAGIC_FREE : HEAP_MAGIC_USED;
	b->free = is_free;
	b->next = NULL;
	b->pad = 0;
	return b;
}

/* Links free block b into the address-ordered list without merging. */
static void list_insert(struct heap *h, struct heap_block *b)
{
	struct heap_block **link = &h->free_list;

	while (*link && blk_addr(*link) < blk_addr(b))
		link = &(*link)->next;
	b->next = *link;
	*link = b;
}

/* Index of the arena holding [addr, addr+1), or -1. */
static int arena_of(const struct heap *h, uintptr_t addr)
{
	for (size_t i = 0; i < h->narenas; i++) {
		if (addr >= h->arenas[i].base && addr < h->arenas[i].end)
			return (int)i;
	}
	return -1;
}

/* The 16-byte aligned part of [base, base+size) in *b, *e; false if it wraps or is too small. */
static bool arena_bounds(uintptr_t base, size_t size, uintptr_t *b, uintptr_t *e)
{
	if (!base || size > UINTPTR_MAX - base || base > UINTPTR_MAX - (HEAP_MIN_ALIGN - 1))
		return false;
	*b = ALIGN_UP(base, HEAP_MIN_ALIGN);
	*e = ALIGN_DOWN(base + size, HEAP_MIN_ALIGN);
	return *b < *e && *e - *b >= MIN_BLOCK;
}

int heap_add_arena(struct heap *h, void *base, size_t size)
{
	uintptr_t b, e;

	if (!arena_bounds((uintptr_t)base, size, &b, &e))
		return -EINVAL;
	for (size_t i = 0; i < h->narenas; i++) {
		if (b < h->arenas[i].end && h->arenas[i].base < e)
			return -EINVAL;
	}
	if (h->narenas == HEAP_MAX_ARENAS)
		return -ENOSPC;
	h->arenas[h->narenas].base = b;
	h->arenas[h->narenas].end = e;
	h->narenas++;
	list_insert(h, blk_make(b, e, true));
	h->free_bytes += e - b - HDR;
	return 0;
}

/*
 * Where in free block b a payload of size bytes aligned to align can start,
 * leaving either no leading gap or one large enough to stay a free block.
 * Returns 0 if it does not fit.
 */
static uintptr_t fit_in(const struct heap_block *b, size_t size, size_t align)
{
	uintptr_t p = blk_addr(b) + HDR;
	uintptr_t q = ALIGN_UP(p, align);

	while (q != p && q - p < MIN_BLOCK)
		q += align;
	if (q - blk_addr(b) > HDR + b->size || blk_end(b) - q < size)
		return 0;
	return q;
}

/* Shrinks used block u to size and returns the freed tail, if it can be a block. */
static struct heap_block *split_tail(struct heap_block *u, size_t size)
{
	uintptr_t end = blk_end(u);
	uintptr_t cut = blk_addr(u) + HDR + size;

	if (end - cut < MIN_BLOCK)
		return NULL;
	u->size = size;
	return blk_make(cut, end, true);
}

/*
 * Turns [q - HDR, q + size) of free block *link into a used block. A leading
 * gap stays in the list as the (shrunk) original block; a trailing gap large
 * enough for a block is linked in after it.
 */
static void carve(struct heap *h, struct heap_block **link, uintptr_t q, size_t size)
{
	struct heap_block *b = *link;
	struct heap_block *after = b->next;
	struct heap_block *u, *tail;

	h->free_bytes -= b->size;
	if (q - HDR != blk_addr(b)) {
		u = blk_make(q - HDR, blk_end(b), false);
		b->size = q - HDR - blk_addr(b) - HDR;
		h->free_bytes += b->size;
		link = &b->next;
	} else {
		u = blk_make(blk_addr(b), blk_end(b), false);
	}
	tail = split_tail(u, size);
	if (tail) {
		tail->next = after;
		*link = tail;
		h->free_bytes += tail->size;
	} else {
		*link = after;
	}
}

void *heap_alloc(struct heap *h, size_t size, size_t align)
{
	if (!align)
		align = HEAP_MIN_ALIGN;
	if ((align & (align - 1)) || align > HEAP_MAX_ALIGN)
		return NULL;
	align = MAX(align, (size_t)HEAP_MIN_ALIGN);
	if (!size || size > h->free_bytes)
		return NULL;
	size = ALIGN_UP(size, (size_t)HEAP_MIN_ALIGN);
	for (struct heap_block **link = &h->free_list; *link; link = &(*link)->next) {
		uintptr_t q = fit_in(*link, size, align);

		if (q) {
			carve(h, link, q, size);
			h->used_blocks++;
			return (void *)q;
		}
	}
	return NULL;
}

/* The block whose header is at target, found by walking arena a; NULL if none. */
static struct heap_block *find_block(const struct heap *h, int a, uintptr_t target)
{
	uintptr_t cur = h->arenas[a].base;
	uintptr_t end = h->arenas[a].end;

	while (cur <= target) {
		const struct heap_block *b = (const struct heap_block *)cur;

		if (b->magic != HEAP_MAGIC_USED && b->magic != HEAP_MAGIC_FREE)
			return NULL;
		if (b->size > end - cur - HDR)
			return NULL;
		if (cur == target)
			return (struct heap_block *)cur;
		cur = blk_end(b);
		if (end - cur < HDR)
			return NULL;
	}
	return NULL;
}

/* Absorbs b->next into free block b if they touch inside one arena. */
static void merge_next(struct heap *h, struct heap_block *b)
{
	struct heap_block *n = b->next;

	if (!n || blk_end(b) != blk_addr(n) || arena_of(h, blk_addr(b)) != arena_of(h, blk_addr(n)))
		return;
	b->size += HDR + n->size;
	b->next = n->next;
	n->magic = 0;
	n->free = 0;
	h->free_bytes += HDR;
}

/* Marks used block b free, links it in address order and coalesces it. */
static void release(struct heap *h, struct heap_block *b)
{
	struct heap_block **link = &h->free_list;
	struct heap_block *prev = NULL;

	while (*link && blk_addr(*link) < blk_addr(b)) {
		prev = *link;
		link = &(*link)->next;
	}
	b->magic = HEAP_MAGIC_FREE;
	b->free = 1;
	b->next = *link;
	*link = b;
	h->free_bytes += b->size;
	h->used_blocks--;
	merge_next(h, b);
	if (prev)
		merge_next(h, prev);
}

int heap_free(struct heap *h, void *p)
{
	uintptr_t q = (uintptr_t)p;
	struct heap_block *b;
	int a;

	if (!p)
		return 0;
	a = arena_of(h, q);
	if (a < 0 || !IS_ALIGNED(q, HEAP_MIN_ALIGN) || q - h->arenas[a].base < HDR)
		return -EINVAL;
	b = find_block(h, a, q - HDR);
	if (!b || b->free || b->magic != HEAP_MAGIC_USED)
		return -EINVAL;
	release(h, b);
	return 0;
}

size_t heap_largest_free(const struct heap *h)
{
	size_t best = 0;

	for (const struct heap_block *b = h->free_list; b; b = b->next)
		best = MAX(best, b->size);
	return best;
}
