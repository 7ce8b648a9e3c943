/* Unit tests for hv/mbinfo.c: the multiboot v1 information decoded from guest RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "err.h"
#include "hv/loader/mbinfo.h"

#define FILL 0xCC /* RAM contents before mbinfo_build */

/* Guest RAM of exactly mem bytes; only [fill_from, mem) is pre-filled and checked. */
struct ram {
	uint8_t *b;
	uint64_t mem;
	uint64_t fill_from;
	bool mapped; /* mmap'ed (large, lazily backed) rather than malloc'ed */
};

static void ram_alloc(struct ram *r, uint64_t mem, uint64_t fill_from)
{
	r->mem = mem;
	r->fill_from = fill_from;
	r->mapped = false;
	r->b = malloc(mem);
	assert_non_null(r->b);
	memset(r->b + fill_from, FILL, mem - fill_from);
}

/* Maps mem bytes without reserving them; false if the host refuses. */
static bool ram_map(struct ram *r, uint64_t mem, uint64_t fill_from, uint64_t fill_len)
{
	void *p = mmap(NULL, mem, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return false;
	r->b = p;
	r->mem = mem;
	r->fill_from = fill_from;
	r->mapped = true;
	memset(r->b + fill_from, FILL, fill_len);
	return true;
}

static void ram_free(struct ram *r)
{
	if (r->mapped)
		munmap(r->b, r->mem);
	else
		free(r->b);
}

/* The info structure at gpa. */
static struct mb1_info get_info(const struct ram *r, uint64_t gpa)
{
	struct mb1_info mi;

	assert_true(gpa + sizeof(mi) <= r->mem);
	memcpy(&mi, r->b + gpa, sizeof(mi));
	return mi;
}

/* Requires a NUL-terminated string equal to want at gpa, inside RAM; returns
 * the bytes it occupies. */
static uint64_t check_string(const struct ram *r, uint32_t gpa, const char *want)
{
	size_t n = strlen(want) + 1;

	assert_true(gpa != 0);
	assert_true(gpa < r->mem && n <= r->mem - gpa);
	assert_memory_equal(r->b + gpa, want, n);
	return n;
}

/* A byte range placed by mbinfo_build. */
struct range {
	uint64_t start, end;
};

/* Requires the ranges to lie in [lo, hi) and not to overlap each other. */
static void check_disjoint(const struct range *rg, size_t n, uint64_t lo, uint64_t hi)
{
	for (size_t i = 0; i < n; i++) {
		assert_true(rg[i].start >= lo && rg[i].end <= hi && rg[i].start <= rg[i].end);
		for (size_t j = 0; j < i; j++) {
			if (rg[i].start < rg[j].end && rg[j].start < rg[i].end)
				fail_msg("ranges %zu and %zu overlap", j, i);
		}
	}
}

/* Requires every checked byte outside [start, end) to still hold FILL. */
static void check_untouched_outside(const struct ram *r, uint64_t start, uint64_t end)
{
	for (uint64_t a = r->fill_from; a < r->mem; a++) {
		if ((a < start || a >= end) && r->b[a] != FILL)
			fail_msg("byte 0x%llx outside [0x%llx, 0x%llx) was written",
			         (unsigned long long)a, (unsigned long long)start,
			         (unsigned long long)end);
	}
}

/* Requires the standard four-entry memory map at gpa. */
static void check_mmap(const struct ram *r, const struct mb1_info *mi, uint64_t mem)
{
	const struct mb1_mmap_entry want[4] = {
		{20, 0, 0x9FC00, MB1_MEMORY_AVAILABLE},
		{20, 0x9FC00, 0x400, MB1_MEMORY_RESERVED},
		{20, 0xF0000, 0x10000, MB1_MEMORY_RESERVED},
		{20, 0x100000, mem - 0x100000, MB1_MEMORY_AVAILABLE},
	};
	struct mb1_mmap_entry e;

	assert_int_equal(mi->mmap_length, sizeof(want));
	assert_true(mi->mmap_addr + sizeof(want) <= r->mem);
	assert_int_equal(mi->mmap_addr % 4, 0);
	for (size_t i = 0; i < 4; i++) {
		memcpy(&e, r->b + mi->mmap_addr + i * sizeof(e), sizeof(e));
		assert_int_equal(e.size, want[i].size);
		assert_int_equal(e.base_addr, want[i].base_addr);
		assert_int_equal(e.length, want[i].length);
		assert_int_equal(e.type, want[i].type);
	}
}

/* Requires every field the builder does not provide to be zero. */
static void check_unused_zero(const struct mb1_info *mi)
{
	static const uint8_t zero[sizeof(struct mb1_info)];

	assert_int_equal(mi->boot_device, 0);
	assert_memory_equal(mi->syms, zero, sizeof(mi->syms));
	assert_int_equal(mi->drives_length, 0);
	assert_int_equal(mi->drives_addr, 0);
	assert_int_equal(mi->config_table, 0);
	assert_int_equal(mi->apm_table, 0);
	assert_memory_equal(&mi->vbe_control_info, zero,
	                    sizeof(*mi) - offsetof(struct mb1_info, vbe_control_info));
}

/* Fills n bytes with a pattern that depends on seed. */
static uint8_t *make_data(size_t n, unsigned int seed)
{
	uint8_t *d = malloc(n ? n : 1);

	assert_non_null(d);
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)(seed * 31 + i * 7 + i / 253);
	return d;
}

/* Decodes and checks everything mbinfo_build wrote for req; returns the
 * decoded info. */
static struct mb1_info check_all(const struct ram *r, const struct mbinfo_request *req,
                                 const struct mbinfo_result *res)
{
	struct range rg[5 + 2 * MBINFO_MAX_MODULES];
	size_t nr = 0;
	struct mb1_info mi;
	uint32_t want_flags = MB1_INFO_MEMORY | MB1_INFO_MODS | MB1_INFO_MEM_MAP;
	uint64_t upper = (req->mem_size < GiB(4) ? req->mem_size : GiB(4)) - MiB(1);
	uint64_t last_end = 0;

	assert_int_equal(res->info_gpa, req->place_gpa);
	mi = get_info(r, res->info_gpa);
	rg[nr++] = (struct range){res->info_gpa, res->info_gpa + sizeof(mi)};
	if (req->cmdline)
		want_flags |= MB1_INFO_CMDLINE;
	if (req->loader_name)
		want_flags |= MB1_INFO_BOOT_LOADER_NAME;
	assert_int_equal(mi.flags, want_flags);
	assert_int_equal(mi.mem_lower, 639);
	assert_int_equal(mi.mem_upper, upper / 1024);
	check_mmap(r, &mi, req->mem_size);
	rg[nr++] = (struct range){mi.mmap_addr, mi.mmap_addr + mi.mmap_length};
	if (req->cmdline) {
		uint64_t n = check_string(r, mi.cmdline, req->cmdline);

		rg[nr++] = (struct range){mi.cmdline, mi.cmdline + n};
	} else {
		assert_int_equal(mi.cmdline, 0);
	}
	if (req->loader_name) {
		uint64_t n = check_string(r, mi.boot_loader_name, req->loader_name);

		rg[nr++] = (struct range){mi.boot_loader_name, mi.boot_loader_name + n};
	} else {
		assert_int_equal(mi.boot_loader_name, 0);
	}
	assert_int_equal(mi.mods_count, req->nmods);
	assert_int_equal(mi.mods_addr % 4, 0);
	assert_true(mi.mods_addr >= req->place_gpa);
	if (req->nmods > 0)
		rg[nr++] = (struct range){mi.mods_addr,
		                          mi.mods_addr + req->nmods * sizeof(struct mb1_module)};
	for (size_t i = 0; i < req->nmods; i++) {
		const struct mbinfo_module *m = &req->mods[i];
		struct mb1_module e;
		const char *s = m->cmdline ? m->cmdline : "";
		uint64_t n;

		memcpy(&e, r->b + mi.mods_addr + i * sizeof(e), sizeof(e));
		assert_int_equal(e.mod_start % 4096, 0);
		assert_int_equal(e.mod_end - e.mod_start, m->len);
		assert_true(e.mod_end <= r->mem);
		if (m->len > 0)
			assert_memory_equal(r->b + e.mod_start, m->data, m->len);
		assert_int_equal(e.reserved, 0);
		n = check_string(r, e.string, s);
		rg[nr++] = (struct range){e.string, e.string + n};
		rg[nr++] = (struct range){e.mod_start, e.mod_end};
		if (e.mod_end > last_end)
			last_end = e.mod_end;
	}
	check_unused_zero(&mi);
	check_disjoint(rg, nr, req->place_gpa, res->end_gpa);
	for (size_t i = 0; i < nr; i++) {
		if (rg[i].end > last_end)
			last_end = rg[i].end;
	}
	assert_int_equal(res->end_gpa, last_end);
	assert_true(res->end_gpa <= req->mem_size);
	check_untouched_outside(r, req->place_gpa, res->end_gpa);
	return mi;
}

static void test_full_request(void **state)
{
	uint8_t *d0 = make_data(5000, 1), *d1 = make_data(1, 2), *d2 = make_data(4096, 3);
	const struct mbinfo_module mods[] = {
		{d0, 5000, "initrd.img quiet"},
		{d1, 1, NULL},
		{d2, 4096, ""},
	};
	const struct mbinfo_request req = {
		.mem_size = MiB(8),
		.cmdline = "console=ttyS0 root=/dev/ram0",
		.loader_name = "Sable",
		.mods = mods,
		.nmods = 3,
		.place_gpa = 0x203000,
	};
	struct mbinfo_result res;
	struct mb1_info mi;
	struct ram r;

	ram_alloc(&r, req.mem_size, MiB(1));
	assert_int_equal(mbinfo_build(&req, r.b, &res), 0);
	mi = check_all(&r, &req, &res);
	assert_int_equal(mi.mem_upper, 7 * 1024);
	ram_free(&r);
	free(d0);
	free(d1);
	free(d2);
}

static void test_minimal_request(void **state)
{
	const struct mbinfo_request req = {
		.mem_size = MiB(2),
		.place_gpa = MiB(1),
	};
	struct mbinfo_result res;
	struct mb1_info mi;
	struct ram r;

	ram_alloc(&r, req.mem_size, MiB(1));
	assert_int_equal(mbinfo_build(&req, r.b, &res), 0);
	mi = check_all(&r, &req, &res);
	assert_int_equal(mi.flags, MB1_INFO_MEMORY | MB1_INFO_MODS | MB1_INFO_MEM_MAP);
	assert_int_equal(mi.mods_count, 0);
	assert_int_equal(mi.mem_upper, 1024);
	/* Info, padding to 8, then the map: nothing else. */
	assert_int_equal(res.end_gpa, MiB(1) + 120 + 96);
	ram_free(&r);
}

static void test_max_modules(void **state)
{
	struct mbinfo_module mods[MBINFO_MAX_MODULES + 1];
	uint8_t *data[MBINFO_MAX_MODULES + 1];
	char names[MBINFO_MAX_MODULES + 1][16];
	struct mbinfo_request req = {
		.mem_size = MiB(3),
		.cmdline = "",
		.loader_name = "",
		.mods = mods,
		.nmods = MBINFO_MAX_MODULES,
		.place_gpa = MiB(2),
	};
	struct mbinfo_result res;
	struct ram r;

	for (size_t i = 0; i <= MBINFO_MAX_MODULES; i++) {
		snprintf(names[i], sizeof(names[i]), "mod%zu", i);
		data[i] = make_data(i * 1000, (unsigned int)i);
		mods[i] = (struct mbinfo_module){data[i], i * 1000, names[i]};
	}
	ram_alloc(&r, req.mem_size, MiB(1));
	assert_int_equal(mbinfo_build(&req, r.b, &res), 0);
	check_all(&r, &req, &res);
	req.nmods = MBINFO_MAX_MODULES + 1;
	memset(r.b + MiB(1), FILL, MiB(2));
	assert_int_equal(mbinfo_build(&req, r.b, &res), -EINVAL);
	check_untouched_outside(&r, 0, 0);
	ram_free(&r);
	for (size_t i = 0; i <= MBINFO_MAX_MODULES; i++)
		free(data[i]);
}

static void test_zero_length_modules(void **state)
{
	const struct mbinfo_module mods[] = {
		{NULL, 0, "empty"},
		{"x", 1, "one"},
		{NULL, 0, NULL},
	};
	const struct mbinfo_request req = {
		.mem_size = MiB(4),
		.mods = mods,
		.nmods = 3,
		.place_gpa = MiB(3),
	};
	struct mbinfo_result res;
	struct ram r;

	ram_alloc(&r, req.mem_size, MiB(1));
	assert_int_equal(mbinfo_build(&req, r.b, &res), 0);
	check_all(&r, &req, &res);
	ram_free(&r);
}

static void test_low_placement(void **state)
{
	uint8_t *big = make_data(0x9e000, 9);
	struct mbinfo_module mod = {big, 0x1000, "low"};
	struct mbinfo_request req = {
		.mem_size = MiB(2),
		.cmdline = "x",
		.mods = &mod,
		.nmods = 1,
		.place_gpa = 0x1000,
	};
	struct mbinfo_result res;
	struct ram r;

	ram_alloc(&r, req.mem_size, 0);
	assert_int_equal(mbinfo_build(&req, r.b, &res), 0);
	check_all(&r, &req, &res);
	assert_true(res.end_gpa <= 0x9FC00);
	/* Low placement must stay below the EBDA even though RAM goes on. */
	mod.len = 0x9e000;
	memset(r.b, FILL, r.mem);
	assert_int_equal(mbinfo_build(&req, r.b, &res), -ENOSPC);
	check_untouched_outside(&r, 0, 0);
	req.place_gpa = 0x9e000;
	mod.len = 0;
	req.cmdline = NULL;
	assert_int_equal(mbinfo_build(&req, r.b, &res), 0);
	check_all(&r, &req, &res);
	ram_free(&r);
	free(big);
}

static void test_bad_requests(void **state)
{
	const uint64_t bad_places[] = {0,       1,       0x100800, 0x9F000,
	                               0xA0000, 0xF0000, 0xFF000,  0x100001};
	const struct mbinfo_module nodata = {NULL, 5, "bad"};
	struct mbinfo_request req = {.mem_size = MiB(2), .place_gpa = MiB(1)};
	struct mbinfo_result res = {0x1234, 0x5678};
	struct ram r;

	ram_alloc(&r, MiB(2), 0);
	for (size_t i = 0; i < sizeof(bad_places) / sizeof(bad_places[0]); i++) {
		req.place_gpa = bad_places[i];
		assert_int_equal(mbinfo_build(&req, r.b, &res), -EINVAL);
	}
	req.place_gpa = MiB(1);
	req.mem_size = MiB(1);
	assert_int_equal(mbinfo_build(&req, r.b, &res), -EINVAL);
	req.mem_size = 0;
	assert_int_equal(mbinfo_build(&req, r.b, &res), -EINVAL);
	req.mem_size = MiB(2);
	req.nmods = 1;
	assert_int_equal(mbinfo_build(&req, r.b, &res), -EINVAL); /* mods NULL */
	req.mods = &nodata;
	assert_int_equal(mbinfo_build(&req, r.b, &res), -EINVAL);
	assert_int_equal(res.info_gpa, 0x1234);
	assert_int_equal(res.end_gpa, 0x5678);
	check_untouched_outside(&r, 0, 0);
	ram_free(&r);
}

static void test_place_at_or_beyond_end(void **state)
{
	struct mbinfo_request req = {.mem_size = MiB(2), .place_gpa = MiB(2)};
	struct mbinfo_result res;
	struct ram r;

	ram_alloc(&r, MiB(2), MiB(1));
	assert_int_equal(mbinfo_build(&req, r.b, &res), -ENOSPC);
	req.place_gpa = MiB(3);
	assert_int_equal(mbinfo_build(&req, r.b, &res), -ENOSPC);
	req.place_gpa = MiB(2) - 4096; /* the info and the map fit in the last page */
	assert_int_equal(mbinfo_build(&req, r.b, &res), 0);
	check_all(&r, &req, &res);
	ram_free(&r);
}

/* Builds req into RAM of every size around the exact requirement: fits from
 * the needed size on, -ENOSPC below it with nothing written. ASan checks that
 * nothing lands past the exact-size buffer. */
static void check_sizes(struct mbinfo_request *req)
{
	struct mbinfo_result res;
	struct ram r;
	uint64_t need, mem;

	req->mem_size = MiB(16);
	ram_alloc(&r, req->mem_size, req->place_gpa);
	assert_int_equal(mbinfo_build(req, r.b, &res), 0);
	need = res.end_gpa;
	ram_free(&r);
	assert_true(need < MiB(16));
	for (mem = MiB(1) + 1; mem <= need + 4096;
	     mem += (mem + 300 >= need && mem < need + 8) ? 1 : 61) {
		if (mem <= req->place_gpa)
			continue;
		req->mem_size = mem;
		ram_alloc(&r, mem, req->place_gpa);
		if (mem >= need) {
			assert_int_equal(mbinfo_build(req, r.b, &res), 0);
			assert_int_equal(res.end_gpa, need);
			check_all(&r, req, &res);
		} else {
			assert_int_equal(mbinfo_build(req, r.b, &res), -ENOSPC);
			check_untouched_outside(&r, 0, 0);
		}
		ram_free(&r);
	}
}

static void test_enospc_every_size(void **state)
{
	uint8_t *d0 = make_data(3000, 4), *d1 = make_data(7000, 5);
	const struct mbinfo_module mods[] = {
		{d0, 3000, "first module"},
		{d1, 7000, "second"},
	};
	struct mbinfo_request req = {
		.cmdline = "a long enough command line",
		.loader_name = "Sable",
		.mods = mods,
		.nmods = 2,
		.place_gpa = MiB(1),
	};

	check_sizes(&req);
	req.nmods = 0; /* ends with a string */
	check_sizes(&req);
	req.cmdline = NULL;
	req.loader_name = NULL; /* ends with the memory map */
	check_sizes(&req);
	req.place_gpa = MiB(1) + 0x3000;
	req.nmods = 1;
	check_sizes(&req);
	free(d0);
	free(d1);
}

static void test_huge_module_length(void **state)
{
	const struct mbinfo_module mod = {"abc", UINT64_MAX - 100, "huge"};
	const struct mbinfo_request req = {
		.mem_size = MiB(2),
		.mods = &mod,
		.nmods = 1,
		.place_gpa = MiB(1),
	};
	struct mbinfo_result res;
	struct ram r;

	ram_alloc(&r, MiB(2), MiB(1));
	assert_int_equal(mbinfo_build(&req, r.b, &res), -ENOSPC);
	check_untouched_outside(&r, 0, 0);
	ram_free(&r);
}

static void test_above_4g(void **state)
{
	const struct mbinfo_module mod = {"abcd", 4, "m"};
	struct mbinfo_request req = {
		.mem_size = GiB(6),
		.cmdline = "big",
		.loader_name = "Sable",
		.place_gpa = GiB(4) - 4096,
	};
	const uint64_t fill_from = GiB(4) - 8192;
	struct mbinfo_result res;
	struct mb1_info mi;
	struct ram r;

	if (!ram_map(&r, req.mem_size, fill_from, 16384)) {
		skip();
		return;
	}
	r.mem = fill_from + 16384; /* only this window is checked */
	assert_int_equal(mbinfo_build(&req, r.b, &res), 0);
	mi = check_all(&r, &req, &res);
	assert_int_equal(mi.mem_upper, (GiB(4) - MiB(1)) / 1024);
	/* A module would start at 4 GiB: its address does not fit 32 bits. */
	req.mods = &mod;
	req.nmods = 1;
	memset(r.b + fill_from, FILL, 16384);
	assert_int_equal(mbinfo_build(&req, r.b, &res), -ENOSPC);
	check_untouched_outside(&r, 0, 0);
	req.place_gpa = GiB(4);
	assert_int_equal(mbinfo_build(&req, r.b, &res), -ENOSPC);
	/* Below 4 GiB the memory map still reports all of RAM. */
	req.place_gpa = GiB(4) - 8192;
	assert_int_equal(mbinfo_build(&req, r.b, &res), 0);
	check_all(&r, &req, &res);
	r.mem = req.mem_size;
	ram_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_request),
		cmocka_unit_test(test_minimal_request),
		cmocka_unit_test(test_max_modules),
		cmocka_unit_test(test_zero_length_modules),
		cmocka_unit_test(test_low_placement),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_place_at_or_beyond_end),
		cmocka_unit_test(test_enospc_every_size),
		cmocka_unit_test(test_huge_module_length),
		cmocka_unit_test(test_above_4g),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
