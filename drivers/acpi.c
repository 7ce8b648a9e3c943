/*
 * ACPI table discovery (ACPI 6.5 sec. 5.2) and the \_S5 lookup in AML
 * (sec. 20). All multi-byte fields are little-endian and read byte-wise, so no
 * alignment is assumed. A pointer returned by map() is used only until the
 * next map() call, so map() may reuse a single mapping window.
 */
#include "drivers/acpi.h"
#include "err.h"
#include "le.h"

#define SDT_HDR_LEN 36
#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

#define MADT_FIXED_LEN      44
#define MADT_LAPIC          0
#define MADT_IOAPIC         1
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC         9

#define FADT_DSDT     40
#define FADT_PM1A_CNT 64
#define FADT_PM1B_CNT 68
#define FADT_X_DSDT   140

#define AML_ZERO         0x00
#define AML_ONE          0x01
#define AML_BYTE_PREFIX  0x0a
#define AML_WORD_PREFIX  0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP   0x12
#define AML_ONES         0xff

static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

static bool bytes_eq(const uint8_t *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != (uint8_t)s[i])
			return false;
	}
	return true;
}

static void warn_if(acpi_warn_fn warn, void *ctx, const char *msg)
{
	if (warn)
		warn(ctx, msg);
}

int acpi_rsdp_check(const void *rsdp, size_t avail)
{
	const uint8_t *p = rsdp;
	uint32_t len;

	if (!p || avail < RSDP_V1_LEN || !bytes_eq(p, "RSD PTR ", 8) || checksum(p, RSDP_V1_LEN))
		return -EINVAL;
	if (p[15] < 2)
		return 0;
	if (avail < RSDP_V2_LEN)
		return -EINVAL;
	len = le32(p + 20);
	if (len < RSDP_V2_LEN || len > avail || checksum(p, len))
		return -EINVAL;
	return 0;
}

long acpi_rsdp_scan(const void *area, size_t len)
{
	const uint8_t *p = area;

	for (size_t off = 0; p && off < len && len - off >= RSDP_V1_LEN; off += 16) {
		if (acpi_rsdp_check(p + off, len - off) == 0)
			return (long)off;
	}
	return -ENOENT;
}

int acpi_table_check(const void *ptr, size_t avail)
{
	const uint8_t *p = ptr;
	uint32_t len;

	if (!p || avail < SDT_HDR_LEN)
		return -EINVAL;
	len = le32(p + 4);
	if (len < SDT_HDR_LEN || len > avail || checksum(p, len))
		return -EINVAL;
	return 0;
}

/*
 * Maps and validates the table at pa: header first, then its full length.
 * Returns the mapping (valid until the next map call) and its length, or NULL.
 */
static const uint8_t *map_table(acpi_map_fn map, void *ctx, uint64_t pa, uint32_t *len)
{
	const uint8_t *p;

	if (!pa)
		return NULL;
	p = map(ctx, pa, SDT_HDR_LEN);
	if (!p)
		return NULL;
	*len = le32(p + 4);
	if (*len < SDT_HDR_LEN)
		return NULL;
	p = map(ctx, pa, *len);
	if (!p || acpi_table_check(p, *len))
		return NULL;
	return p;
}

/* Maps the RSDP at pa in full (length known only after its first 36 bytes) and checks it. */
static const uint8_t *map_rsdp(acpi_map_fn map, void *ctx, uint64_t pa)
{
	const uint8_t *p = map(ctx, pa, RSDP_V1_LEN);
	size_t len = RSDP_V1_LEN;

	if (p && p[15] >= 2) {
		p = map(ctx, pa, RSDP_V2_LEN);
		len = p ? le32(p + 20) : 0;
		p = len >= RSDP_V2_LEN ? map(ctx, pa, len) : NULL;
	}
	if (!p || acpi_rsdp_check(p, len))
		return NULL;
	return p;
}

/* Reads the revision and root table location from the RSDP at pa: 0 or -EINVAL. */
static int read_rsdp(acpi_map_fn map, void *ctx, uint64_t pa, struct acpi_info *out,
                     uint64_t *root_pa)
{
	const uint8_t *p = map_rsdp(map, ctx, pa);

	if (!p)
		return -EINVAL;
	out->revision = p[15];
	*root_pa = le32(p + 16);
	if (out->revision >= 2 && le64(p + 24)) {
		*root_pa = le64(p + 24);
		out->used_xsdt = true;
	}
	return 0;
}

/* Physical addresses of the tables the parser uses (0: none found). */
struct acpi_tables {
	uint64_t madt, fadt;
};

/* Notes the first table with signature sig (the console UART's, parsed later). */
static void note(const uint8_t *p, const char *sig, uint64_t pa, uint64_t *slot)
{
	if (!*slot && bytes_eq(p, sig, 4))
		*slot = pa;
}

/* Entry i of the root table at root_pa (re-mapped, since map() may reuse its window). */
static uint64_t root_entry(acpi_map_fn map, void *ctx, uint64_t root_pa, uint32_t len, bool xsdt,
                           size_t i)
{
	const uint8_t *p = map(ctx, root_pa, len);

	if (!p)
		return 0;
	return xsdt ? le64(p + SDT_HDR_LEN + 8 * i) : le32(p + SDT_HDR_LEN + 4 * i);
}

/* Notes the first valid MADT and FADT among the tables at pa. */
static void classify(acpi_map_fn map, acpi_warn_fn warn, void *ctx, uint64_t pa,
                     struct acpi_tables *t, struct acpi_info *out)
{
	uint32_t len;
	const uint8_t *p = map_table(map, ctx, pa, &len);

	if (!p) {
		warn_if(warn, ctx, "ACPI: skipping invalid or unmapped table");
		return;
	}
	if (!t->madt && bytes_eq(p, "APIC", 4))
		t->madt = pa;
	else if (!t->fadt && bytes_eq(p, "FACP", 4))
		t->fadt = pa;
	note(p, "SPCR", pa, &out->spcr_pa);
	note(p, "DBG2", pa, &out->dbg2_pa);
}

/* Walks the root table: 0 or -EINVAL if it is invalid. */
static int walk_root(acpi_map_fn map, acpi_warn_fn warn, void *ctx, uint64_t root_pa, bool xsdt,
                     struct acpi_tables *t, struct acpi_info *out)
{
	uint32_t len;
	const uint8_t *p = map_table(map, ctx, root_pa, &len);
	size_t esize = xsdt ? 8 : 4;
	size_t n;

	if (!p || !bytes_eq(p, xsdt ? "XSDT" : "RSDT", 4))
		return -EINVAL;
	n = (len - SDT_HDR_LEN) / esize;
	for (size_t i = 0; i < n; i++)
		classify(map, warn, ctx, root_entry(map, ctx, root_pa, len, xsdt, i), t, out);
	return 0;
}

static void add_cpu(struct acpi_info *out, uint32_t apic_id, uint32_t uid, uint32_t flags)
{
	struct acpi_cpu *c;

	if (out->ncpus == MAX_CPUS) {
		out->cpus_dropped++;
		return;
	}
	c = &out->cpus[out->ncpus++];
	c->apic_id = apic_id;
	c->uid = uid;
	c->enabled = flags & 1;
	c->online_capable = (flags >> 1) & 1;
}

/* Minimum length of a known MADT entry type, 2 for unknown types. */
static uint8_t madt_min_len(uint8_t type)
{
	switch (type) {
	case MADT_LAPIC:
		return 8;
	case MADT_IOAPIC:
	case MADT_LAPIC_OVERRIDE:
		return 12;
	case MADT_X2APIC:
		return 16;
	default:
		return 2;
	}
}

/* Records one MADT entry e (length already checked). */
static void madt_entry(struct acpi_info *out, acpi_warn_fn warn, void *ctx, const uint8_t *e)
{
	struct acpi_ioapic *io;

	switch (e[0]) {
	case MADT_LAPIC:
		add_cpu(out, e[3], e[2], le32(e + 4));
		break;
	case MADT_X2APIC:
		add_cpu(out, le32(e + 4), le32(e + 12), le32(e + 8));
		break;
	case MADT_IOAPIC:
		if (out->nioapics == MAX_IOAPICS) {
			warn_if(warn, ctx, "ACPI: too many I/O APICs, extra ignored");
			break;
		}
		io = &out->ioapics[out->nioapics++];
		io->id = e[2];
		io->addr = le32(e + 4);
		io->gsi_base = le32(e + 8);
		break;
	case MADT_LAPIC_OVERRIDE:
		out->lapic_pa = le64(e + 4);
		break;
	}
}

/* Parses the MADT at pa: 0, -ENOENT if unusable, -EINVAL if an entry is malformed. */
static int parse_madt(acpi_map_fn map, acpi_warn_fn warn, void *ctx, uint64_t pa,
                      struct acpi_info *out)
{
	uint32_t len;
	const uint8_t *p = map_table(map, ctx, pa, &len);

	if (!p)
		return -ENOENT;
	if (len < MADT_FIXED_LEN)
		return -EINVAL;
	out->lapic_pa = le32(p + 36);
	out->pcat_compat = le32(p + 40) & 1;
	for (uint32_t off = MADT_FIXED_LEN; off < len; off += p[off + 1]) {
		if (len - off < 2 || p[off + 1] < madt_min_len(p[off]) || p[off + 1] > len - off)
			return -EINVAL;
		madt_entry(out, warn, ctx, p + off);
	}
	if (out->cpus_dropped)
		warn_if(warn, ctx, "ACPI: more processors than MAX_CPUS, extra ignored");
	return 0;
}

/* Looks up \_S5 in the DSDT at pa; only sets have_s5 on success. */
static void parse_dsdt(acpi_map_fn map, acpi_warn_fn warn, void *ctx, uint64_t pa,
                       struct acpi_info *out)
{
	uint32_t len;
	const uint8_t *p = map_table(map, ctx, pa, &len);

	if (!p || !bytes_eq(p, "DSDT", 4)) {
		warn_if(warn, ctx, "ACPI: invalid DSDT, no S5 sleep type");
		return;
	}
	if (acpi_find_s5(p + SDT_HDR_LEN, len - SDT_HDR_LEN, &out->s5_slp_typa,
	                 &out->s5_slp_typb) == 0)
		out->have_s5 = true;
	else
		warn_if(warn, ctx, "ACPI: no \\_S5 package in DSDT");
}

/* Reads PM1 control ports and the DSDT from the FADT at pa. */
static void parse_fadt(acpi_map_fn map, acpi_warn_fn warn, void *ctx, uint64_t pa,
                       struct acpi_info *out)
{
	uint32_t len;
	const uint8_t *p = map_table(map, ctx, pa, &len);
	uint64_t dsdt;

	if (!p || len < FADT_PM1B_CNT + 4) {
		warn_if(warn, ctx, "ACPI: FADT too short, ignored");
		return;
	}
	out->have_fadt = true;
	out->pm1a_cnt = le32(p + FADT_PM1A_CNT);
	out->pm1b_cnt = le32(p + FADT_PM1B_CNT);
	dsdt = le32(p + FADT_DSDT);
	if (len >= FADT_X_DSDT + 8 && le64(p + FADT_X_DSDT))
		dsdt = le64(p + FADT_X_DSDT);
	parse_dsdt(map, warn, ctx, dsdt, out);
}

static void info_init(struct acpi_info *out, uint64_t rsdp_pa)
{
	out->rsdp_pa = rsdp_pa;
	out->revision = 0;
	out->used_xsdt = false;
	out->lapic_pa = 0;
	out->pcat_compat = false;
	out->ncpus = 0;
	out->cpus_dropped = 0;
	out->nioapics = 0;
	out->have_fadt = false;
	out->pm1a_cnt = 0;
	out->pm1b_cnt = 0;
	out->have_s5 = false;
	out->s5_slp_typa = 0;
	out->s5_slp_typb = 0;
	out->spcr_pa = 0;
	out->dbg2_pa = 0;
}

/* The FADT is parsed even when the MADT then turns out missing or malformed. */
int acpi_parse(uint64_t rsdp_pa, acpi_map_fn map, acpi_warn_fn warn, void *ctx,
               struct acpi_info *out)
{
	struct acpi_tables t = {0, 0};
	uint64_t root_pa;
	int err;

	info_init(out, rsdp_pa);
	if (!map)
		return -EINVAL;
	err = read_rsdp(map, ctx, rsdp_pa, out, &root_pa);
	if (!err)
		err = walk_root(map, warn, ctx, root_pa, out->used_xsdt, &t, out);
	if (err)
		return err;
	if (t.fadt)
		parse_fadt(map, warn, ctx, t.fadt, out);
	if (!t.madt)
		return -ENOENT;
	return parse_madt(map, warn, ctx, t.madt, out);
}

/*
 * Reads one small integer of a package at aml[*pos], not past end: ZeroOp,
 * OneOp, Byte/Word/DWord/QWordPrefix with a value below 256, or a bare byte
 * other than OnesOp. Advances *pos. 0 or -ENOENT.
 */
static int aml_small_int(const uint8_t *aml, size_t *pos, size_t end, uint8_t *val)
{
	uint8_t op;
	size_t width;
	uint64_t v = 0;

	if (*pos >= end)
		return -ENOENT;
	op = aml[(*pos)++];
	switch (op) {
	case AML_BYTE_PREFIX:
		width = 1;
		break;
	case AML_WORD_PREFIX:
		width = 2;
		break;
	case AML_DWORD_PREFIX:
		width = 4;
		break;
	case AML_QWORD_PREFIX:
		width = 8;
		break;
	case AML_ONES:
		return -ENOENT;
	default:
		*val = op; /* ZeroOp, OneOp or a bare byte: the value is the opcode */
		return 0;
	}
	if (end - *pos < width)
		return -ENOENT;
	for (size_t i = 0; i < width; i++)
		v |= (uint64_t)aml[*pos + i] << (8 * i);
	*pos += width;
	if (v > 0xff)
		return -ENOENT;
	*val = (uint8_t)v;
	return 0;
}

/*
 * Decodes the PkgLength at aml[pos] (sec. 20.2.4); returns the offset just
 * past the package, or 0 if it is malformed or runs past len.
 */
static size_t aml_pkg_end(const uint8_t *aml, size_t pos, size_t len)
{
	uint8_t lead;
	size_t extra, pkglen;

	if (pos >= len)
		return 0;
	lead = aml[pos];
	extra = lead >> 6;
	if (len - pos < 1 + extra)
		return 0;
	pkglen = extra ? lead & 0x0f : lead & 0x3f;
	for (size_t i = 0; i < extra; i++)
		pkglen |= (size_t)aml[pos + 1 + i] << (4 + 8 * i);
	if (pkglen < 1 + extra || pkglen > len - pos)
		return 0;
	return pos + pkglen;
}

/* Parses the package after "_S5_" at aml[pos] (the PackageOp). 0 or -ENOENT. */
static int s5_package(const uint8_t *aml, size_t pos, size_t len, uint8_t *typa, uint8_t *typb)
{
	size_t end;
	uint8_t a, b;

	if (pos >= len || aml[pos] != AML_PACKAGE_OP)
		return -ENOENT;
	end = aml_pkg_end(aml, pos + 1, len);
	if (!end)
		return -ENOENT;
	pos += 2 + (aml[pos + 1] >> 6); /* PackageOp, PkgLength */
	pos++;                          /* NumElements */
	if (aml_small_int(aml, &pos, end, &a) || aml_small_int(aml, &pos, end, &b))
		return -ENOENT;
	*typa = a;
	*typb = b;
	return 0;
}

/* Scans for "_S5_" followed by a well-formed package; malformed hits are passed over. */
int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb)
{
	if (!aml)
		return -ENOENT;
	for (size_t i = 0; len >= 4 && i <= len - 4; i++) {
		if (bytes_eq(aml + i, "_S5_", 4) && !s5_package(aml, i + 4, len, typa, typb))
			return 0;
	}
	return -ENOENT;
}
