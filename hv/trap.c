#include "hv/trap.h"
#include "drivers/lapic.h"
#include "drivers/pic.h"
#include "hv/log.h"
#include "hv/panic.h"
#include "hv/percpu.h"
#include "x86.h"

struct __packed idt_entry {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_entry) == 16, "IDT gate layout");

#define IDT_INTERRUPT_GATE 0x8e /* present, DPL 0, 64-bit interrupt gate */

extern const uint64_t isr_stub_table[256];

static struct idt_entry idt[256] __aligned(16);
static irq_handler_t irq_handlers[256];

/* Per core: vectors already reported as unexpected, and NMIs taken (written
 * by the NMI handler, reported later from normal context by trap_report()). */
static uint64_t unexpected_seen[MAX_CPUS][256 / 64];
static volatile uint32_t nmis_taken[MAX_CPUS], nmis_in_guest[MAX_CPUS];
static uint32_t nmis_reported[MAX_CPUS];

static const char *const exception_names[32] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 floating point",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD floating point",
	[20] = "#VE virtualization",
	[21] = "#CP control protection",
};

static void idt_set(unsigned vec, uint64_t handler, uint8_t ist)
{
	idt[vec] = (struct idt_entry){
		.offset_lo = handler & 0xffff,
		.selector = GDT_CODE64,
		.ist = ist,
		.type_attr = IDT_INTERRUPT_GATE,
		.offset_mid = (handler >> 16) & 0xffff,
		.offset_hi = handler >> 32,
	};
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		idt_set(v, isr_stub_table[v], 0);
	idt[VEC_NMI].ist = IST_NMI;
	idt[VEC_DOUBLE_FAULT].ist = IST_DOUBLE_FAULT;
	idt[VEC_MACHINE_CHECK].ist = IST_MACHINE_CHECK;
}

void idt_load(void)
{
	struct desc_ptr idtr = {sizeof(idt) - 1, (uint64_t)idt};
	lidt(&idtr);
}

void irq_register(uint8_t vector, irq_handler_t fn)
{
	irq_handlers[vector] = fn;
}

void trap_dump(const struct trap_frame *f)
{
	log_raw("  RIP %016lx  CS %04lx  RFLAGS %016lx\n", f->rip, f->cs, f->rflags);
	log_raw("  RSP %016lx  SS %04lx  CR2 %016lx  CR3 %016lx\n", f->rsp, f->ss, read_cr2(),
	        read_cr3());
	log_raw("  RAX %016lx  RBX %016lx  RCX %016lx  RDX %016lx\n", f->rax, f->rbx, f->rcx,
	        f->rdx);
	log_raw("  RSI %016lx  RDI %016lx  RBP %016lx\n", f->rsi, f->rdi, f->rbp);
	log_raw("  R8  %016lx  R9  %016lx  R10 %016lx  R11 %016lx\n", f->r8, f->r9, f->r10, f->r11);
	log_raw("  R12 %016lx  R13 %016lx  R14 %016lx  R15 %016lx\n", f->r12, f->r13, f->r14,
	        f->r15);
	log_raw("  CR0 %016lx  CR4 %016lx\n", read_cr0(), read_cr4());
}

/*
 * A host NMI: the stop request of a panicking core, the selftest's, or the
 * platform's (LINT1 on the BSP). Outside a panic it is counted and survived;
 * the IRET back unblocks NMIs (SDM Vol. 3A sec. 6.7.1). Nothing here may take
 * a lock: the NMI can arrive while this core holds the console lock.
 */
static void handle_nmi(void)
{
	if (panic_in_progress())
		cpu_park();
	if (percpu_ready())
		nmis_taken[cpu_id()]++;
}

void trap_note_guest_nmi(void)
{
	nmis_in_guest[cpu_id()]++;
}

void trap_report(void)
{
	uint32_t cpu = cpu_id(), n = nmis_taken[cpu];

	if (n == nmis_reported[cpu])
		return;
	nmis_reported[cpu] = n;
	log_info("host NMI handled: %u so far, %u of them while a guest ran", n,
	         nmis_in_guest[cpu]);
}

static void handle_exception(struct trap_frame *f)
{
	const char *name = exception_names[f->vector];

	if (f->vector == VEC_NMI) {
		handle_nmi();
		return;
	}
	log_begin_emergency();
	log_raw("[cpu%u] EXCEPTION %s (vector %lu) error code 0x%lx\n", cpu_id(),
	        name ? name : "reserved", f->vector, f->error_code);
	trap_dump(f);
	panic("unhandled exception %lu at RIP 0x%lx", f->vector, f->rip);
}

/* Reports an unexpected vector once per core; never fatal. */
static void unexpected_irq(uint8_t vector, enum irq_path path, bool pic_spurious)
{
	static const char *const paths[] = {
		[IRQ_VIA_IDT] = "through the IDT",
		[IRQ_ACKED_ON_EXIT] = "acknowledged on VM exit",
	};
	uint64_t *seen = &unexpected_seen[cpu_id()][vector / 64];
	uint64_t bit = 1ull << (vector % 64);

	if (*seen & bit)
		return;
	*seen |= bit;
	log_warn("unexpected interrupt vector 0x%x%s %s (reported once per vector)", vector,
	         pic_spurious         ? " (spurious 8259A IRQ 7/15)"
	         : pic_vector(vector) ? " (8259A range)"
	                              : "",
	         paths[path]);
}

void irq_dispatch(uint8_t vector, enum irq_path path)
{
	bool pic_spurious = false;

	if (vector == VEC_SPURIOUS)
		return; /* the local APIC's own: no EOI (SDM Vol. 3A sec. 11.9) */
	if (pic_vector(vector) && !lapic_in_service(vector))
		pic_spurious = pic_ack(vector); /* through LINT0 as ExtINT: the PIC's own EOI */
	if (irq_handlers[vector])
		irq_handlers[vector](vector);
	else if (vector != VEC_WAKEUP)
		unexpected_irq(vector, path, pic_spurious);
	if (lapic_in_service(vector))
		lapic_eoi();
}

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector < VEC_FIRST_IRQ) {
		handle_exception(f);
		return;
	}
	irq_dispatch((uint8_t)f->vector, IRQ_VIA_IDT);
}

uint64_t idt_base(void)
{
	return (uint64_t)idt;
}
