/* A fake page-table allocator for the page-table and EPT tests: tables live in
 * one calloc'd array that pretends to start at physical address FAKE_BASE;
 * `limit` simulates running out of memory. Include after <cmocka.h>. */
#ifndef SABLE_TESTS_FAKE_TABLES_H
#define SABLE_TESTS_FAKE_TABLES_H

#include <stdlib.h>
#include <string.h>

#include "mm/pgtable.h"

#define FAKE_BASE 0x40000000ull

struct fake_mem {
	uint64_t (*tables)[PT_ENTRIES];
	unsigned used, limit;
};

static inline hpa_t fake_alloc(void *ctx)
{
	struct fake_mem *m = ctx;

	if (m->used >= m->limit)
		return INVALID_HPA;
	memset(m->tables[m->used], 0, PAGE_SIZE);
	return FAKE_BASE + PAGE_SIZE * m->used++;
}

static inline uint64_t *fake_va(void *ctx, hpa_t pa)
{
	struct fake_mem *m = ctx;
	uint64_t i = (pa - FAKE_BASE) / PAGE_SIZE;

	assert_true(pa >= FAKE_BASE && i < m->used && pa % PAGE_SIZE == 0);
	return m->tables[i];
}

/* Fresh memory for `count` tables; returns 0 or -1. */
static inline int fake_mem_init(struct fake_mem *m, unsigned count)
{
	m->tables = calloc(count, PAGE_SIZE);
	m->used = 0;
	m->limit = count;
	return m->tables ? 0 : -1;
}

#endif
