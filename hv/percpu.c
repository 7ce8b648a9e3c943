#include "hv/percpu.h"
#include "hv/trap.h"
#include "x86.h"

struct percpu percpu_area[MAX_CPUS];
uint32_t cpus_present = 1;

static uint8_t ist_stacks[MAX_CPUS][IST_COUNT][CPU_IST_STACK_SIZE] __aligned(16);
static bool bsp_ready;

struct percpu *this_cpu(void)
{
	return read_gs_self();
}

uint32_t cpu_id(void)
{
	return bsp_ready ? this_cpu()->id : 0;
}

bool percpu_ready(void)
{
	return bsp_ready;
}

/* A 16-byte available 64-bit TSS descriptor (SDM Vol. 3A sec. 8.2.3). */
static void gdt_set_tss(uint64_t *gdt, const struct tss64 *tss)
{
	uint64_t base = (uint64_t)tss;
	uint64_t limit = sizeof(*tss) - 1;

	gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
	                   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS / 8 + 1] = base >> 32;
}

void percpu_init_cpu(struct percpu *c)
{
	struct desc_ptr gdtr = {sizeof(c->gdt) - 1, (uint64_t)c->gdt};

	c->self = c;
	c->gdt[0] = 0;
	c->gdt[GDT_CODE64 / 8] = 0x00af9a000000ffffull;
	c->gdt[GDT_DATA / 8] = 0x00cf92000000ffffull;
	for (int i = 0; i < IST_COUNT; i++)
		c->tss.ist[i] = (uint64_t)&ist_stacks[c->id][i][CPU_IST_STACK_SIZE];
	c->tss.rsp[0] = c->stack_top;
	c->tss.iomap_base = sizeof(c->tss);
	gdt_set_tss(c->gdt, &c->tss);

	lgdt(&gdtr);
	load_segments(GDT_CODE64, GDT_DATA);
	ltr(GDT_TSS);
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	idt_load();
	if (c->id == 0)
		bsp_ready = true;
}
