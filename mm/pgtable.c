#include "mm/pgtable.h"
#include "err.h"

const struct pt_format pt_format_x86 = {
	.present_mask = PTE_P,
	.table_flags = PTE_P | PTE_W,
	.allow_1g = true,
};

#define VA_LIMIT (1ull << 48)

static unsigned level_shift(int level)
{
	return PAGE_SHIFT + 9 * (unsigned)(level - 1); /* level 1 = 4 KiB entries */
}

static unsigned index_at(uint64_t va, int level)
{
	return (va >> level_shift(level)) & (PT_ENTRIES - 1);
}

static bool present(const struct pgtable *pt, uint64_t e)
{
	return (e & pt->fmt->present_mask) != 0;
}

static bool is_leaf(uint64_t e, int level)
{
	return level == 1 || (e & PTE_PS);
}

int pt_init(struct pgtable *pt, const struct pt_format *fmt, const struct pt_ops *ops)
{
	pt->fmt = fmt;
	pt->ops = *ops;
	pt->root = ops->alloc_table(ops->ctx);
	pt->tables = pt->root == INVALID_HPA ? 0 : 1;
	return pt->root == INVALID_HPA ? -ENOMEM : 0;
}

/* True if a leaf of this level may map va->pa for at least its whole size. */
static bool leaf_fits(const struct pgtable *pt, int level, uint64_t va, uint64_t pa, uint64_t len,
                      uint64_t max_page)
{
	uint64_t size = 1ull << level_shift(level);

	if (level == 3 && !pt->fmt->allow_1g)
		return false;
	return size <= max_page && len >= size && IS_ALIGNED(va, size) && IS_ALIGNED(pa, size);
}

static int map_level(struct pgtable *pt, hpa_t table, int level, uint64_t va, uint64_t pa,
                     uint64_t len, uint64_t flags, uint64_t max_page, unsigned mode)
{
	uint64_t *t = pt->ops.table_va(pt->ops.ctx, table);
	uint64_t size = 1ull << level_shift(level);

	while (len) {
		uint64_t *e = &t[index_at(va, level)];
		uint64_t chunk = MIN(len, size - (va & (size - 1)));
		int r;

		if (present(pt, *e) && is_leaf(*e, level)) {
			if (!(mode & PT_MAP_SKIP_MAPPED))
				return -EEXIST;
		} else if (!present(pt, *e) &&
		           (level == 1 || leaf_fits(pt, level, va, pa, chunk, max_page))) {
			*e = (pa & PTE_ADDR_MASK) | flags | (level > 1 ? PTE_PS : 0);
		} else {
			if (!present(pt, *e)) {
				hpa_t sub = pt->ops.alloc_table(pt->ops.ctx);
				if (sub == INVALID_HPA)
					return -ENOMEM;
				pt->tables++;
				*e = sub | pt->fmt->table_flags;
			}
			r = map_level(pt, *e & PTE_ADDR_MASK, level - 1, va, pa, chunk, flags,
			              max_page, mode);
			if (r)
				return r;
		}
		va += chunk;
		pa += chunk;
		len -= chunk;
	}
	return 0;
}

int pt_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t len, uint64_t flags,
           uint64_t max_page, unsigned mode)
{
	if (!IS_ALIGNED(va | pa | len, PAGE_SIZE) || va + len < va || pa + len < pa ||
	    va + len > VA_LIMIT || pa + len > (PTE_ADDR_MASK | (PAGE_SIZE - 1)) + 1)
		return -EINVAL;
	if (max_page < PAGE_SIZE)
		max_page = PAGE_SIZE;
	return map_level(pt, pt->root, PT_LEVELS, va, pa, len, flags, max_page, mode);
}

void pt_walk(const struct pgtable *pt, uint64_t va, struct pt_walk *w)
{
	hpa_t table = pt->root;

	*w = (struct pt_walk){.pa = INVALID_HPA};
	if (va >= VA_LIMIT)
		return;
	for (int level = PT_LEVELS; level >= 1; level--) {
		uint64_t e = pt->ops.table_va(pt->ops.ctx, table)[index_at(va, level)];
		uint64_t size = 1ull << level_shift(level);

		w->entry[w->levels++] = e;
		if (!present(pt, e))
			return;
		if (is_leaf(e, level)) {
			w->page_size = size;
			w->pa = (e & PTE_ADDR_MASK & ~(size - 1)) | (va & (size - 1));
			return;
		}
		table = e & PTE_ADDR_MASK;
	}
}

hpa_t pt_translate(const struct pgtable *pt, uint64_t va, uint64_t *flags, uint64_t *page_size)
{
	struct pt_walk w;

	pt_walk(pt, va, &w);
	if (w.pa == INVALID_HPA)
		return INVALID_HPA;
	if (flags)
		*flags = w.entry[w.levels - 1] & ~PTE_ADDR_MASK;
	if (page_size)
		*page_size = w.page_size;
	return w.pa;
}
