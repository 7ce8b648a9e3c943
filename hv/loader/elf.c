/* ELF executable loader for guest kernels (gABI ELF format, Multiboot 0.6.96 sec. 3.1). */
#include <stdarg.h>

#include "err.h"
#include "types.h"
#include "hv/loader/elf.h"
#include "hv/lib/format.h"
#include "le.h"

#define ELF_PN_XNUM 0xffff

/* The fields of the ELF header the loader uses, widened to 64 bits. */
struct elf_hdr {
	bool is64;
	uint16_t type, machine, phentsize, phnum;
	uint64_t entry, phoff;
};

/* One program header, widened to 64 bits. */
struct elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* A planned segment with what is needed only while planning. */
struct seg_info {
	struct elf_segment s;
	uint64_t vaddr;
	unsigned int index; /* program header index, for messages */
};

/* Error sink for one elf_plan_load call. */
struct elf_err {
	char *buf;
	size_t len;
};

/* Formats the reason into the error buffer and returns -EINVAL. */
static __printf(2, 3) int fail(const struct elf_err *e, const char *fmt, ...)
{
	va_list ap;

	if (e->buf != NULL && e->len > 0) {
		va_start(ap, fmt);
		fmt_vsnprintf(e->buf, e->len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Shorthand for printing 64-bit values with %llx. */
static unsigned long long ull(uint64_t v)
{
	return v;
}

/* Checks e_ident, e_type, e_machine and e_phentsize, and reads the header. */
static int parse_ehdr(const uint8_t *p, size_t len, struct elf_hdr *h, const struct elf_err *e)
{
	size_t hsize;

	if (len < 4 || p[0] != 0x7f || p[1] != 'E' || p[2] != 'L' || p[3] != 'F')
		return fail(e, "not an ELF file");
	if (len < ELF_EI_NIDENT)
		return fail(e, "truncated ELF header (%zu bytes)", len);
	if (p[ELF_EI_CLASS] != ELF_CLASS32 && p[ELF_EI_CLASS] != ELF_CLASS64)
		return fail(e, "unsupported ELF class %u", p[ELF_EI_CLASS]);
	if (p[ELF_EI_DATA] != ELF_DATA2LSB)
		return fail(e, "ELF data encoding %u is not little-endian", p[ELF_EI_DATA]);
	if (p[ELF_EI_VERSION] != ELF_EV_CURRENT)
		return fail(e, "unsupported ELF version %u", p[ELF_EI_VERSION]);
	h->is64 = p[ELF_EI_CLASS] == ELF_CLASS64;
	hsize = h->is64 ? ELF64_EHDR_SIZE : ELF32_EHDR_SIZE;
	if (len < hsize)
		return fail(e, "truncated ELF header (%zu of %zu bytes)", len, hsize);
	h->type = le16(p + 16);
	h->machine = le16(p + 18);
	if (h->is64) {
		h->entry = le64(p + 24);
		h->phoff = le64(p + 32);
		h->phentsize = le16(p + 54);
		h->phnum = le16(p + 56);
	} else {
		h->entry = le32(p + 24);
		h->phoff = le32(p + 28);
		h->phentsize = le16(p + 42);
		h->phnum = le16(p + 44);
	}
	if (h->type != ELF_ET_EXEC)
		return fail(e, "not an executable (e_type %u, want ET_EXEC)", h->type);
	if (h->is64 && h->machine != ELF_EM_X86_64)
		return fail(e, "e_machine %u in a 64-bit ELF (want EM_X86_64)", h->machine);
	if (!h->is64 && h->machine != ELF_EM_386)
		return fail(e, "e_machine %u in a 32-bit ELF (want EM_386)", h->machine);
	if (h->phentsize != (h->is64 ? ELF64_PHDR_SIZE : ELF32_PHDR_SIZE))
		return fail(e, "e_phentsize %u (want %u)", h->phentsize,
		            h->is64 ? ELF64_PHDR_SIZE : ELF32_PHDR_SIZE);
	if (h->phnum == ELF_PN_XNUM)
		return fail(e, "extended program header numbering (e_phnum 0xffff) unsupported");
	if (h->phoff > len || (uint64_t)h->phnum * h->phentsize > len - h->phoff)
		return fail(e,
		            "truncated program headers (offset 0x%llx, %u entries, file %zu bytes)",
		            ull(h->phoff), h->phnum, len);
	return 0;
}

/* Reads the program header at p. */
static void read_phdr(const uint8_t *p, bool is64, struct elf_phdr *ph)
{
	ph->type = le32(p);
	if (is64) {
		ph->flags = le32(p + 4);
		ph->offset = le64(p + 8);
		ph->vaddr = le64(p + 16);
		ph->paddr = le64(p + 24);
		ph->filesz = le64(p + 32);
		ph->memsz = le64(p + 40);
	} else {
		ph->offset = le32(p + 4);
		ph->vaddr = le32(p + 8);
		ph->paddr = le32(p + 12);
		ph->filesz = le32(p + 16);
		ph->memsz = le32(p + 20);
		ph->flags = le32(p + 24);
	}
}

/* Checks that non-empty PT_LOAD header i fits the file and guest RAM. */
static int check_load(const struct elf_phdr *ph, unsigned int i, bool is64, size_t len,
                      uint64_t mem_size, const struct elf_err *e)
{
	uint64_t end;

	if (ph->offset > len || ph->filesz > len - ph->offset)
		return fail(e, "segment %u: file bytes 0x%llx+0x%llx beyond the file (%zu bytes)",
		            i, ull(ph->offset), ull(ph->filesz), len);
	if (ph->memsz > UINT64_MAX - ph->paddr)
		return fail(e, "segment %u: 0x%llx+0x%llx wraps around the address space", i,
		            ull(ph->paddr), ull(ph->memsz));
	end = ph->paddr + ph->memsz;
	if (end > mem_size)
		return fail(e, "segment %u [0x%llx-0x%llx) outside guest RAM (0x%llx bytes)", i,
		            ull(ph->paddr), ull(end), ull(mem_size));
	if (!is64 && end > GiB(4))
		return fail(e, "segment %u [0x%llx-0x%llx) beyond 4 GiB in a 32-bit ELF", i,
		            ull(ph->paddr), ull(end));
	return 0;
}

/* Inserts si into segs[0..n), which stays sorted by paddr. */
static void insert_sorted(struct seg_info *segs, size_t n, const struct seg_info *si)
{
	size_t i = n;

	while (i > 0 && segs[i - 1].s.paddr > si->s.paddr) {
		segs[i] = segs[i - 1];
		i--;
	}
	segs[i] = *si;
}

/* Collects the non-empty PT_LOAD segments of the image into segs, sorted. */
static int collect_segments(const uint8_t *p, size_t len, const struct elf_hdr *h,
                            uint64_t mem_size, struct seg_info *segs, size_t *nseg,
                            const struct elf_err *e)
{
	struct elf_phdr ph;
	struct seg_info si;
	int ret;

	*nseg = 0;
	for (unsigned int i = 0; i < h->phnum; i++) {
		read_phdr(p + h->phoff + (size_t)i * h->phentsize, h->is64, &ph);
		if (ph.type != ELF_PT_LOAD)
			continue;
		if (ph.filesz > ph.memsz)
			return fail(e, "segment %u: filesz 0x%llx > memsz 0x%llx", i,
			            ull(ph.filesz), ull(ph.memsz));
		if (ph.memsz == 0)
			continue;
		ret = check_load(&ph, i, h->is64, len, mem_size, e);
		if (ret < 0)
			return ret;
		if (*nseg >= ELF_MAX_SEGMENTS)
			return fail(e, "more than %u loadable segments", ELF_MAX_SEGMENTS);
		si.s.paddr = ph.paddr;
		si.s.memsz = ph.memsz;
		si.s.filesz = ph.filesz;
		si.s.offset = ph.offset;
		si.s.exec = (ph.flags & ELF_PF_X) != 0;
		si.vaddr = ph.vaddr;
		si.index = i;
		insert_sorted(segs, *nseg, &si);
		(*nseg)++;
	}
	if (*nseg == 0)
		return fail(e, "no loadable segments");
	for (size_t i = 1; i < *nseg; i++) {
		if (segs[i - 1].s.paddr + segs[i - 1].s.memsz > segs[i].s.paddr)
			return fail(e, "segments %u and %u overlap", segs[i - 1].index,
			            segs[i].index);
	}
	return 0;
}

/* Finds the physical entry point: e_entry inside a segment's physical range,
 * else inside one's virtual range, translated. */
static int find_entry(const struct seg_info *segs, size_t n, uint64_t entry, uint64_t *out,
                      const struct elf_err *e)
{
	for (size_t i = 0; i < n; i++) {
		if (entry >= segs[i].s.paddr && entry - segs[i].s.paddr < segs[i].s.memsz) {
			*out = entry;
			return 0;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (entry >= segs[i].vaddr && entry - segs[i].vaddr < segs[i].s.memsz) {
			*out = entry - segs[i].vaddr + segs[i].s.paddr;
			return 0;
		}
	}
	return fail(e, "entry 0x%llx not inside a loaded segment", ull(entry));
}

/* Resets every field of the plan. */
static void plan_init(struct elf_plan *plan)
{
	plan->is64 = false;
	plan->entry = 0;
	plan->nseg = 0;
	plan->load_end = 0;
}

/* elf_plan_load without the reset of the plan on failure. */
static int plan_image(const uint8_t *p, size_t len, uint64_t mem_size, struct elf_plan *plan,
                      const struct elf_err *e)
{
	struct seg_info segs[ELF_MAX_SEGMENTS];
	struct elf_hdr h = {0};
	size_t n = 0;
	int ret;

	ret = parse_ehdr(p, len, &h, e);
	if (ret < 0)
		return ret;
	ret = collect_segments(p, len, &h, mem_size, segs, &n, e);
	if (ret < 0)
		return ret;
	ret = find_entry(segs, n, h.entry, &plan->entry, e);
	if (ret < 0)
		return ret;
	plan->is64 = h.is64;
	for (size_t i = 0; i < n; i++)
		plan->seg[i] = segs[i].s;
	plan->nseg = n;
	plan->load_end = segs[n - 1].s.paddr + segs[n - 1].s.memsz;
	return 0;
}

int elf_plan_load(const void *image, size_t len, uint64_t mem_size, struct elf_plan *plan,
                  char *err, size_t errlen)
{
	const struct elf_err e = {err, errlen};
	int ret;

	plan_init(plan);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	ret = plan_image(image, image != NULL ? len : 0, mem_size, plan, &e);
	if (ret < 0)
		plan_init(plan);
	return ret;
}

void elf_copy_segments(const struct elf_plan *plan, const void *image, uint8_t *ram)
{
	const uint8_t *src;
	uint8_t *dst;

	for (size_t i = 0; i < plan->nseg; i++) {
		src = (const uint8_t *)image + plan->seg[i].offset;
		dst = ram + plan->seg[i].paddr;
		for (uint64_t j = 0; j < plan->seg[i].filesz; j++)
			dst[j] = src[j];
		for (uint64_t j = plan->seg[i].filesz; j < plan->seg[i].memsz; j++)
			dst[j] = 0;
	}
}
