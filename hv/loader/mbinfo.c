/* Multiboot v1 boot information builder (Multiboot Specification 0.6.96, sec. 3.3). */
#include "err.h"
#include "types.h"
#include "hv/loader/mbinfo.h"

#define MB1_LOWER_KB  639 /* [0, 0x9FC00) */
#define MB1_MMAP_NENT 4
#define MB1_ADDR_MAX  0xFFFFFFFFull /* every address and end in the structure is a u32 */

/* Guest-physical addresses of everything mbinfo_build places. */
struct layout {
	uint64_t info, mmap, mods, cmdline, loader;
	uint64_t mod_string[MBINFO_MAX_MODULES];
	uint64_t mod_start[MBINFO_MAX_MODULES];
	uint64_t end;
};

/* Bytes of the NUL-terminated string s, without the NUL. */
static uint64_t str_len(const char *s)
{
	uint64_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

/* Takes size bytes at *cur into *at; false if they do not fit below limit.
 * Requires *cur <= limit. */
static bool take(uint64_t *cur, uint64_t size, uint64_t limit, uint64_t *at)
{
	if (size > limit - *cur)
		return false;
	*at = *cur;
	*cur += size;
	return true;
}

/* Rounds *cur up to a (a power of two); false if that passes limit. */
static bool align_cur(uint64_t *cur, uint64_t a, uint64_t limit)
{
	uint64_t pad = ALIGN_UP(*cur, a) - *cur;
	uint64_t unused;

	return take(cur, pad, limit, &unused);
}

/* Takes the bytes of string s (NUL included) into *at; a NULL s takes none. */
static bool take_string(uint64_t *cur, const char *s, uint64_t limit, uint64_t *at)
{
	*at = 0;
	if (s == NULL)
		return true;
	return take(cur, str_len(s) + 1, limit, at);
}

/* Checks the request: -EINVAL for the cases listed in mbinfo.h. */
static int check_request(const struct mbinfo_request *req)
{
	uint64_t p = req->place_gpa;

	if (req->nmods > MBINFO_MAX_MODULES || (req->nmods > 0 && req->mods == NULL))
		return -EINVAL;
	for (size_t i = 0; i < req->nmods; i++) {
		if (req->mods[i].data == NULL && req->mods[i].len > 0)
			return -EINVAL;
	}
	if (req->mem_size <= MBINFO_HIGH_START)
		return -EINVAL;
	if (p == 0 || !IS_ALIGNED(p, PAGE_SIZE))
		return -EINVAL;
	if (p >= ALIGN_DOWN(MBINFO_EBDA_START, PAGE_SIZE) && p < MBINFO_HIGH_START)
		return -EINVAL;
	return 0;
}

/* Computes where everything goes; -ENOSPC if it does not fit. */
static int plan_layout(const struct mbinfo_request *req, struct layout *l)
{
	uint64_t limit = MIN(req->mem_size, MB1_ADDR_MAX);
	uint64_t cur = req->place_gpa;
	const char *s;

	if (cur < MBINFO_EBDA_START)
		limit = MBINFO_EBDA_START;
	if (cur > limit)
		return -ENOSPC;
	if (!take(&cur, sizeof(struct mb1_info), limit, &l->info) || !align_cur(&cur, 8, limit) ||
	    !take(&cur, MB1_MMAP_NENT * sizeof(struct mb1_mmap_entry), limit, &l->mmap) ||
	    !take(&cur, req->nmods * sizeof(struct mb1_module), limit, &l->mods) ||
	    !take_string(&cur, req->cmdline, limit, &l->cmdline) ||
	    !take_string(&cur, req->loader_name, limit, &l->loader))
		return -ENOSPC;
	for (size_t i = 0; i < req->nmods; i++) {
		s = req->mods[i].cmdline != NULL ? req->mods[i].cmdline : "";
		if (!take_string(&cur, s, limit, &l->mod_string[i]))
			return -ENOSPC;
	}
	for (size_t i = 0; i < req->nmods; i++) {
		if (!align_cur(&cur, PAGE_SIZE, limit) ||
		    !take(&cur, req->mods[i].len, limit, &l->mod_start[i]))
			return -ENOSPC;
	}
	l->end = cur;
	return 0;
}

/* Little-endian stores; byte stores, so p needs no alignment. */
static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

/* Copies n bytes from src to dst. */
static void copy(uint8_t *dst, const void *src, uint64_t n)
{
	const uint8_t *s = src;

	for (uint64_t i = 0; i < n; i++)
		dst[i] = s[i];
}

/* Writes one memory map entry at p. */
static void write_mmap_entry(uint8_t *p, uint64_t base, uint64_t len, uint32_t type)
{
	wr32(p + offsetof(struct mb1_mmap_entry, size), sizeof(struct mb1_mmap_entry) - 4);
	wr64(p + offsetof(struct mb1_mmap_entry, base_addr), base);
	wr64(p + offsetof(struct mb1_mmap_entry, length), len);
	wr32(p + offsetof(struct mb1_mmap_entry, type), type);
}

/* Writes the memory map: low RAM, EBDA, BIOS area, high RAM. */
static void write_mmap(uint8_t *p, uint64_t mem_size)
{
	const size_t esz = sizeof(struct mb1_mmap_entry);

	write_mmap_entry(p, 0, MBINFO_EBDA_START, MB1_MEMORY_AVAILABLE);
	write_mmap_entry(p + esz, MBINFO_EBDA_START, KiB(640) - MBINFO_EBDA_START,
	                 MB1_MEMORY_RESERVED);
	write_mmap_entry(p + 2 * esz, MBINFO_BIOS_START, MBINFO_HIGH_START - MBINFO_BIOS_START,
	                 MB1_MEMORY_RESERVED);
	write_mmap_entry(p + 3 * esz, MBINFO_HIGH_START, mem_size - MBINFO_HIGH_START,
	                 MB1_MEMORY_AVAILABLE);
}

/* Writes the info structure itself. */
static void write_info(const struct mbinfo_request *req, const struct layout *l, uint8_t *ram)
{
	uint8_t *p = ram + l->info;
	uint64_t upper = MIN(req->mem_size, GiB(4)) - MBINFO_HIGH_START;
	uint32_t flags = MB1_INFO_MEMORY | MB1_INFO_MODS | MB1_INFO_MEM_MAP;

	for (size_t i = 0; i < sizeof(struct mb1_info); i++)
		p[i] = 0;
	if (req->cmdline != NULL)
		flags |= MB1_INFO_CMDLINE;
	if (req->loader_name != NULL)
		flags |= MB1_INFO_BOOT_LOADER_NAME;
	wr32(p + offsetof(struct mb1_info, flags), flags);
	wr32(p + offsetof(struct mb1_info, mem_lower), MB1_LOWER_KB);
	wr32(p + offsetof(struct mb1_info, mem_upper), (uint32_t)(upper / 1024));
	wr32(p + offsetof(struct mb1_info, cmdline), (uint32_t)l->cmdline);
	wr32(p + offsetof(struct mb1_info, mods_count), (uint32_t)req->nmods);
	wr32(p + offsetof(struct mb1_info, mods_addr), (uint32_t)l->mods);
	wr32(p + offsetof(struct mb1_info, mmap_length),
	     MB1_MMAP_NENT * sizeof(struct mb1_mmap_entry));
	wr32(p + offsetof(struct mb1_info, mmap_addr), (uint32_t)l->mmap);
	wr32(p + offsetof(struct mb1_info, boot_loader_name), (uint32_t)l->loader);
}

/* Writes the module list, the module strings and the module contents. */
static void write_modules(const struct mbinfo_request *req, const struct layout *l, uint8_t *ram)
{
	const struct mbinfo_module *m;
	uint8_t *e;

	for (size_t i = 0; i < req->nmods; i++) {
		m = &req->mods[i];
		e = ram + l->mods + i * sizeof(struct mb1_module);
		wr32(e + offsetof(struct mb1_module, mod_start), (uint32_t)l->mod_start[i]);
		wr32(e + offsetof(struct mb1_module, mod_end),
		     (uint32_t)(l->mod_start[i] + m->len));
		wr32(e + offsetof(struct mb1_module, string), (uint32_t)l->mod_string[i]);
		wr32(e + offsetof(struct mb1_module, reserved), 0);
		if (m->cmdline != NULL)
			copy(ram + l->mod_string[i], m->cmdline, str_len(m->cmdline) + 1);
		else
			ram[l->mod_string[i]] = '\0';
		copy(ram + l->mod_start[i], m->data, m->len);
	}
}

int mbinfo_build(const struct mbinfo_request *req, uint8_t *ram, struct mbinfo_result *res)
{
	struct layout l;
	int ret;

	ret = check_request(req);
	if (ret < 0)
		return ret;
	ret = plan_layout(req, &l);
	if (ret < 0)
		return ret;
	write_info(req, &l, ram);
	write_mmap(ram + l.mmap, req->mem_size);
	if (req->cmdline != NULL)
		copy(ram + l.cmdline, req->cmdline, str_len(req->cmdline) + 1);
	if (req->loader_name != NULL)
		copy(ram + l.loader, req->loader_name, str_len(req->loader_name) + 1);
	write_modules(req, &l, ram);
	res->info_gpa = (uint32_t)l.info;
	res->end_gpa = l.end;
	return 0;
}
