/* Four-level page-table builder shared by the hypervisor's own tables and EPT
 * (pure: tables are reached through callbacks). SDM Vol. 3A sec. 4.5, 29.3.2. */
#ifndef SABLE_MM_PGTABLE_H
#define SABLE_MM_PGTABLE_H

#include "types.h"

#define PTE_P         BIT(0)
#define PTE_W         BIT(1)
#define PTE_US        BIT(2)
#define PTE_PWT       BIT(3)
#define PTE_PCD       BIT(4)
#define PTE_A         BIT(5)
#define PTE_D         BIT(6)
#define PTE_PS        BIT(7) /* leaf at level 2 or 3; same bit in EPT */
#define PTE_G         BIT(8)
#define PTE_NX        BIT(63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define PT_LEVELS  4
#define PT_ENTRIES 512

/* What distinguishes one page-table format from another. */
struct pt_format {
	uint64_t present_mask; /* any of these bits set: entry present */
	uint64_t table_flags;  /* flags of an entry pointing at a lower table */
	bool allow_1g;         /* 1 GiB leaves permitted */
};

extern const struct pt_format pt_format_x86;

struct pt_ops {
	hpa_t (*alloc_table)(void *ctx);            /* a zeroed 4 KiB table, or INVALID_HPA */
	uint64_t *(*table_va)(void *ctx, hpa_t pa); /* where the table at pa can be accessed */
	void *ctx;
};

struct pgtable {
	hpa_t root;
	const struct pt_format *fmt;
	struct pt_ops ops;
	uint64_t tables; /* tables allocated, root included */
};

/* Maps only where nothing is mapped yet, instead of failing with -EEXIST. */
#define PT_MAP_SKIP_MAPPED BIT(0)

/* Allocates the root table. 0 or -ENOMEM. */
int pt_init(struct pgtable *pt, const struct pt_format *fmt, const struct pt_ops *ops);

/*
 * Maps [va, va+len) to [pa, pa+len) with leaf flags `flags` (present bits
 * included), using for each piece the largest page (1 GiB, 2 MiB, 4 KiB) that
 * va, pa and the remaining length allow, up to max_page. Returns 0; -EINVAL
 * for unaligned or wrapping arguments or va beyond 48 bits; -EEXIST if part of
 * the range is already mapped (unless PT_MAP_SKIP_MAPPED, which then leaves
 * those parts alone); -ENOMEM if a table cannot be allocated. On -EEXIST and
 * -ENOMEM what was mapped before the failing piece stays mapped; callers treat
 * the table as unusable (VM creation frees it).
 */
int pt_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t len, uint64_t flags,
           uint64_t max_page, unsigned mode);

/* Translates va. Returns the physical address or INVALID_HPA; stores the leaf
 * entry's flags and its page size when the pointers are non-NULL. */
hpa_t pt_translate(const struct pgtable *pt, uint64_t va, uint64_t *flags, uint64_t *page_size);

/* A translation step by step, for dumps. */
struct pt_walk {
	uint32_t levels;           /* entries read: entry[0] from the root (level 4) down */
	uint64_t entry[PT_LEVELS]; /* the last one is the leaf, or the first not present */
	hpa_t pa;                  /* INVALID_HPA if not mapped */
	uint64_t page_size;        /* of the leaf */
};
/* Walks va, recording each level's entry (pt_translate's walk). */
void pt_walk(const struct pgtable *pt, uint64_t va, struct pt_walk *w);

#endif
