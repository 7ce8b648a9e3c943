#include "err.h"
#include "hv/log.h"
#include "hv/panic.h"
#include "mm/mm.h"
#include "mm/pgtable.h"
#include "param.h"
#include "x86.h"

#define CPUID_EXT_PAGE1GB BIT(26)
#define PTE_UC            (PTE_PCD | PTE_PWT)
#define MAX_PHYS_CHECK    MiB(16) /* longest range mm_phys_mapped() answers for */

static struct pgtable hv_pt;
static uint64_t direct_map_end;

static hpa_t alloc_table(void *ctx)
{
	return mm_alloc_frames_below(1, PAGE_SIZE, GiB(4));
}

static uint64_t *table_va(void *ctx, hpa_t pa)
{
	return phys_to_virt(pa);
}

static uint64_t max_page_size(void)
{
	return (cpuid(0x80000001).edx & CPUID_EXT_PAGE1GB) ? HUGE_PAGE_SIZE : LARGE_PAGE_SIZE;
}

static void map_or_panic(uint64_t base, uint64_t end, uint64_t flags, unsigned mode,
                         const char *what)
{
	int r;

	if (end <= base)
		return;
	r = pt_map(&hv_pt, base, base, end - base, flags, max_page_size(), mode);
	if (r < 0)
		panic("cannot map %s [0x%lx, 0x%lx): error %d", what, base, end, r);
}

static bool is_ram_type(uint32_t type)
{
	return type == MEM_AVAILABLE || type == MEM_ACPI_RECLAIMABLE || type == MEM_NVS;
}

/* Image sections first with their own rights, then RAM write-back, then every
 * other address below 4 GiB uncached (MMIO, firmware); page 0 stays unmapped. */
static void build_hv_tables(const struct mb2_info *info)
{
	map_or_panic((uint64_t)__text_start, (uint64_t)__text_end, PTE_P | PTE_G, 0, "text");
	map_or_panic((uint64_t)__rodata_start, (uint64_t)__rodata_end, PTE_P | PTE_G | PTE_NX, 0,
	             "rodata");
	map_or_panic((uint64_t)__data_start, (uint64_t)__bss_end, PTE_P | PTE_W | PTE_G | PTE_NX, 0,
	             "data");

	direct_map_end = GiB(4);
	for (size_t i = 0; i < info->mmap_count; i++) {
		const struct mem_region *r = &info->mmap[i];
		uint64_t base = MAX(ALIGN_DOWN(r->base, PAGE_SIZE), PAGE_SIZE);
		uint64_t end = r->base + r->len;

		if (!is_ram_type(r->type) || end < r->base)
			continue;
		if (end > MAX_PHYS_MAPPED) {
			log_warn("memory above %lu GiB not mapped", MAX_PHYS_MAPPED >> 30);
			end = MAX_PHYS_MAPPED;
		}
		end = ALIGN_UP(end, PAGE_SIZE);
		map_or_panic(base, end, PTE_P | PTE_W | PTE_NX, PT_MAP_SKIP_MAPPED, "RAM");
		direct_map_end = MAX(direct_map_end, end);
	}
	map_or_panic(PAGE_SIZE, GiB(4), PTE_P | PTE_W | PTE_NX | PTE_UC, PT_MAP_SKIP_MAPPED,
	             "low 4 GiB");
}

void mm_paging_init(void)
{
	extern struct mb2_info boot_info;
	static const struct pt_ops ops = {.alloc_table = alloc_table, .table_va = table_va};

	if (pt_init(&hv_pt, &pt_format_x86, &ops) < 0)
		panic("no memory for the hypervisor's page tables");
	build_hv_tables(&boot_info);
	write_cr4(read_cr4() | CR4_PGE);
	write_cr3(hv_pt.root);
	mm_set_alloc_limit(direct_map_end);
	log_info("paging: %lu page tables, direct map up to 0x%lx, text RX, rodata R, data NX",
	         hv_pt.tables, direct_map_end);
}

int mm_map_mmio(hpa_t pa, uint64_t len)
{
	uint64_t base = ALIGN_DOWN(pa, PAGE_SIZE);

	if (len == 0 || pa + len < pa || pa + len > MAX_PHYS_MAPPED || base == 0)
		return -EINVAL;
	return pt_map(&hv_pt, base, base, ALIGN_UP(pa + len, PAGE_SIZE) - base,
	              PTE_P | PTE_W | PTE_NX | PTE_UC, max_page_size(), PT_MAP_SKIP_MAPPED);
}

uint64_t mm_hv_cr3(void)
{
	return hv_pt.root;
}

bool mm_phys_mapped(uint64_t pa, uint64_t len)
{
	if (len == 0 || len > MAX_PHYS_CHECK || pa + len < pa)
		return false;
	for (uint64_t p = ALIGN_DOWN(pa, PAGE_SIZE); p < pa + len; p += PAGE_SIZE)
		if (pt_translate(&hv_pt, p, NULL, NULL) != p)
			return false;
	return true;
}
