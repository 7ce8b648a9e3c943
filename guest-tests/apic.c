// SPDX-License-Identifier: MIT
/*
 * apic: the local APIC a guest sees (Intel SDM Vol. 3A ch. 11). Registers and
 * version, self-IPIs taken in priority order with EOI between, the TPR masking
 * lower classes, ESR for an illegal vector, a self-NMI, the timer in one-shot,
 * periodic and TSC-deadline mode (spinning, and waking `sti; hlt`), disable and
 * re-enable through IA32_APIC_BASE and SPIV, the x2APIC switch (and its timer and
 * self-IPI through MSRs), then hostile register writes after which the APIC must
 * still work.
 *
 * A command line (the module's name) starting "reloc" moves the xAPIC base, one
 * starting "byte" stores a byte to the APIC page: the hypervisor stops the VM.
 */
#include "guest.h"
#include "apic.h"

#define V_LOW   0x41
#define V_MID   0x55
#define V_HIGH  0x82
#define V_TIMER 0xa0
#define V_X2    0x61
#define V_TPRHI 0x75
#define V_HLT   0x90
#define NMI_VEC 2
#define DIV_1   0xb
#define DIV_16  0x3
#define WAIT    20000000ull /* TSC ticks a wait may take */
#define SHORT   200000ull

static volatile uint8_t order[8];
static volatile unsigned norder;

static void record_eoi(uint8_t vector)
{
	if (norder < ARRAY_SIZE(order))
		order[norder++] = vector;
	apic_eoi();
}

static void nmi_handler(uint8_t vector)
{
	(void)vector;
}

static bool irr_has(uint8_t v)
{
	return apic_read(APIC_IRR + 0x10 * (v / 32)) & (1u << (v % 32));
}

static bool isr_empty(void)
{
	for (unsigned i = 0; i < 8; i++)
		if (apic_read(APIC_ISR + 0x10 * i))
			return false;
	return true;
}

static void test_present(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	test_begin("apic-present");
	CHECK(apic_present(), "CPUID.1:EDX.APIC clear");
	CHECK(apic_tsc_deadline_offered(), "CPUID.1:ECX.TSC_DEADLINE clear");
	CHECK((base & ~0xfffull) == APIC_DEFAULT_BASE, "base 0x%llx", base);
	CHECK(base & APIC_BASE_EN, "base 0x%llx: not enabled", base);
	CHECK(base & APIC_BASE_BSP, "base 0x%llx: vCPU 0 is not the BSP", base);
	test_end();
}

static void test_regs(void)
{
	uint32_t lvr;

	apic_enable();
	lvr = apic_read(APIC_LVR);
	test_begin("apic-regs");
	CHECK(apic_id() == 0, "ID %u", apic_id());
	CHECK((lvr & 0xff) >= 0x10, "version 0x%x is not an integrated APIC", lvr);
	CHECK(((lvr >> 16) & 0xff) >= 5, "LVR 0x%x: max LVT entry", lvr);
	CHECK(apic_read(APIC_SPIV) == (APIC_SPIV_ENABLE | APIC_SPURIOUS_VECTOR), "SPIV 0x%x",
	      apic_read(APIC_SPIV));
	apic_write(APIC_TPR, 0x20);
	CHECK(apic_read(APIC_TPR) == 0x20, "TPR 0x%x", apic_read(APIC_TPR));
	CHECK((apic_read(APIC_PPR) & 0xf0) == 0x20, "PPR 0x%x", apic_read(APIC_PPR));
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LDR, 0x03000000);
	CHECK(apic_read(APIC_LDR) == 0x03000000, "LDR 0x%x", apic_read(APIC_LDR));
	CHECK(isr_empty(), "ISR not empty");
	test_end();
}

/* Two vectors made pending with IF = 0 are taken highest first, the second after
 * the first's EOI (sec. 11.8.3-11.8.4). */
static void test_priority(const char *name)
{
	norder = 0;
	irq_disable();
	apic_self_ipi(V_LOW);
	apic_self_ipi(V_HIGH);
	test_begin(name);
	CHECK(irr_has(V_LOW) && irr_has(V_HIGH), "IRR lacks the vectors");
	CHECK(norder == 0, "taken with IF = 0");
	irq_enable();
	for (int i = 0; i < 1000 && norder < 2; i++)
		cpu_relax();
	irq_disable();
	CHECK(norder == 2, "%u of 2 taken", norder);
	CHECK(order[0] == V_HIGH && order[1] == V_LOW, "order 0x%x 0x%x", order[0], order[1]);
	CHECK(isr_empty(), "ISR not empty after the EOIs");
	test_end();
}

static void test_tpr(void)
{
	uint32_t low = irq_count[V_MID], high = irq_count[V_TPRHI];

	irq_disable();
	apic_write(APIC_TPR, 0x60);
	apic_self_ipi(V_MID);
	apic_self_ipi(V_TPRHI);
	test_begin("apic-tpr-masks-lower-class");
	CHECK((apic_read(APIC_PPR) & 0xf0) == 0x60, "PPR 0x%x", apic_read(APIC_PPR));
	irq_spin_wait(V_TPRHI, high, SHORT);
	CHECK(irq_count[V_TPRHI] == high + 1, "0x%x above the TPR not taken", V_TPRHI);
	CHECK(irq_count[V_MID] == low, "0x%x taken with TPR 0x60", V_MID);
	CHECK(irr_has(V_MID), "0x%x left IRR", V_MID);
	/* lowering the TPR delivers it without any other event */
	apic_write(APIC_TPR, 0);
	irq_spin_wait(V_MID, low, SHORT);
	CHECK(irq_count[V_MID] == low + 1, "0x%x not taken after TPR 0", V_MID);
	test_end();
}

static void test_hlt_pending(void)
{
	uint32_t seen = irq_count[V_HLT];

	irq_disable();
	apic_self_ipi(V_HLT);
	sti_hlt();
	test_begin("apic-sti-hlt-pending-wakes");
	CHECK(irq_count[V_HLT] == seen + 1, "HLT with 0x%x pending: %u taken", V_HLT,
	      irq_count[V_HLT] - seen);
	test_end();
}

static void test_esr(void)
{
	uint32_t esr;

	apic_read_esr();
	apic_send_ipi(apic_id(), APIC_DM_FIXED | 3);
	esr = apic_read_esr();
	test_begin("apic-bad-vector-esr");
	CHECK(esr & APIC_ESR_SEND_ILLEGAL, "ESR 0x%x after a fixed IPI with vector 3", esr);
	CHECK(apic_read_esr() == 0, "ESR not cleared by the write");
	test_end();
}

static void test_nmi(void)
{
	uint32_t seen = irq_count[NMI_VEC];

	irq_disable();
	apic_send_ipi(apic_id(), APIC_DM_NMI);
	for (int i = 0; i < 1000 && irq_count[NMI_VEC] == seen; i++)
		cpu_relax();
	test_begin("apic-self-nmi");
	CHECK(irq_count[NMI_VEC] == seen + 1, "NMI taken %u times with IF = 0",
	      irq_count[NMI_VEC] - seen);
	test_end();
}

/* Waits for the timer vector by spinning or with sti; hlt. */
static bool timer_wait(uint32_t seen, bool hlt)
{
	return hlt ? irq_wait(V_TIMER, seen, WAIT) : irq_spin_wait(V_TIMER, seen, WAIT);
}

static void test_oneshot(const char *name, bool hlt)
{
	uint32_t seen = irq_count[V_TIMER], cc;
	uint64_t start;

	irq_disable();
	start = rdtsc();
	apic_timer_oneshot(V_TIMER, 2000, DIV_16);
	cc = apic_read(APIC_TMCCT);
	test_begin(name);
	CHECK(cc > 0 && cc <= 2000, "current count %u right after 2000", cc);
	CHECK(timer_wait(seen, hlt), "no interrupt");
	CHECK(irq_entry_tsc - start >= 2000 * 16, "fired after %llu ticks, before 2000 x 16",
	      irq_entry_tsc - start);
	CHECK(apic_read(APIC_TMCCT) == 0, "current count %u after expiry", apic_read(APIC_TMCCT));
	CHECK(irq_count[V_TIMER] == seen + 1, "%u interrupts", irq_count[V_TIMER] - seen);
	test_end();
}

static void test_periodic(const char *name, bool hlt)
{
	uint32_t seen = irq_count[V_TIMER];
	uint64_t start;
	bool ok = true;

	irq_disable();
	start = rdtsc();
	apic_timer_periodic(V_TIMER, 30000, DIV_1);
	for (uint32_t i = 0; i < 3 && ok; i++)
		ok = timer_wait(seen + i, hlt);
	apic_timer_stop();
	test_begin(name);
	CHECK(ok, "%u of 3 periods", irq_count[V_TIMER] - seen);
	CHECK(irq_entry_tsc - start >= 3 * 30000, "3 periods in %llu ticks", irq_entry_tsc - start);
	test_end();
}

static void test_tsc_deadline(const char *name, bool hlt)
{
	uint32_t seen = irq_count[V_TIMER];
	uint64_t deadline;

	irq_disable();
	deadline = rdtsc() + 50000;
	apic_timer_tsc_deadline(V_TIMER, deadline);
	test_begin(name);
	CHECK(rdmsr(MSR_IA32_TSC_DEADLINE) == deadline, "IA32_TSC_DEADLINE reads 0x%llx",
	      rdmsr(MSR_IA32_TSC_DEADLINE));
	CHECK(timer_wait(seen, hlt), "no interrupt");
	CHECK(irq_entry_tsc >= deadline, "handler at %llu, deadline %llu", irq_entry_tsc, deadline);
	CHECK(rdmsr(MSR_IA32_TSC_DEADLINE) == 0, "IA32_TSC_DEADLINE not 0 after it fired");
	/* a deadline already past fires at once */
	apic_timer_tsc_deadline(V_TIMER, 1);
	CHECK(irq_spin_wait(V_TIMER, seen + 1, SHORT), "a past deadline did not fire");
	apic_timer_stop();
	test_end();
}

static void test_timer_modes(const char *suffix, bool hlt)
{
	char n[48];

	snprintf(n, sizeof(n), "apic-timer-oneshot%s", suffix);
	test_oneshot(n, hlt);
	snprintf(n, sizeof(n), "apic-timer-periodic%s", suffix);
	test_periodic(n, hlt);
	snprintf(n, sizeof(n), "apic-timer-tsc-deadline%s", suffix);
	test_tsc_deadline(n, hlt);
}

static void test_disable(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	test_begin("apic-disable-reenable");
	CHECK(apic_set_base((uint32_t)base & ~APIC_BASE_EN) == 0, "disable #GP");
	CHECK(!(rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_EN), "EN still set");
	CHECK(apic_set_base((uint32_t)base) == 0, "re-enable #GP");
	/* the registers are reset (sec. 11.4.3), the ID kept */
	CHECK(apic_read(APIC_SPIV) == 0xff, "SPIV 0x%x after re-enable", apic_read(APIC_SPIV));
	CHECK(apic_read(APIC_LVTT) & APIC_LVT_MASKED, "LVT timer 0x%x unmasked",
	      apic_read(APIC_LVTT));
	CHECK(apic_id() == 0, "ID %u", apic_id());
	/* software-disabled: LVT entries stay masked (sec. 11.4.7.2) */
	apic_write(APIC_LVTT, V_TIMER);
	CHECK(apic_read(APIC_LVTT) & APIC_LVT_MASKED, "LVT unmasked while SPIV disables");
	apic_enable();
	test_end();
	test_priority("apic-priority-after-reenable");
}

static void test_x2apic(void)
{
	uint32_t seen = irq_count[V_X2];
	uint64_t val;

	if (!apic_x2apic_offered()) {
		test_skip("apic-x2apic", "CPUID.1:ECX.x2APIC clear");
		return;
	}
	test_begin("apic-x2apic");
	CHECK(apic_set_x2apic(true) == 0, "EN|EXTD #GP");
	CHECK(rdmsr(X2APIC_MSR(APIC_ID)) == 0, "x2APIC ID 0x%llx", rdmsr(X2APIC_MSR(APIC_ID)));
	CHECK(rdmsr(X2APIC_MSR(APIC_LDR)) == 1, "LDR 0x%llx", rdmsr(X2APIC_MSR(APIC_LDR)));
	CHECK(rdmsr_safe(X2APIC_MSR(APIC_ICR2), &val) == 13, "ICR2 MSR readable in x2APIC mode");
	CHECK(rdmsr_safe(X2APIC_MSR(APIC_DFR), &val) == 13, "DFR MSR readable in x2APIC mode");
	irq_disable();
	apic_self_ipi(V_X2);
	CHECK(irr_has(V_X2), "SELF IPI did not reach IRR");
	irq_spin_wait(V_X2, seen, SHORT);
	CHECK(irq_count[V_X2] == seen + 1, "SELF IPI not taken");
	test_end();
	test_priority("apic-x2apic-priority");
	test_oneshot("apic-x2apic-timer-oneshot", false);
	test_begin("apic-x2apic-leave");
	CHECK(apic_set_base((uint32_t)rdmsr(MSR_IA32_APIC_BASE) & ~APIC_BASE_EXTD) == 13,
	      "x2APIC -> xAPIC directly did not #GP");
	CHECK(apic_set_x2apic(false) == 0, "back to xAPIC through disabled failed");
	CHECK(!apic_x2apic && apic_id() == 0, "xAPIC ID %u", apic_id());
	test_end();
	apic_enable();
	test_priority("apic-priority-after-x2apic");
}

/* Whatever a guest writes, the hypervisor survives and the APIC works after a
 * clean re-initialization. */
static void test_hostile(void)
{
	uint32_t esr, off;

	irq_disable();
	for (off = APIC_ID; off <= APIC_TDCR; off += 0x10) {
		if (off == APIC_ICR) /* an ICR of all ones: ExtINT to all but self, nobody */
			continue;
		apic_write(off, 0xffffffff);
		apic_write(off, 0);
	}
	apic_send_ipi(0xff, 0xffffffff & ~(3u << 18)); /* broadcast, reserved mode */
	apic_send_ipi(0x7f, APIC_DM_FIXED | 0x30);     /* a destination naming nobody */
	/* unaligned offsets inside registers */
	*(volatile uint32_t *)(APIC_DEFAULT_BASE + APIC_TPR + 4) = 0xffffffff;
	(void)*(volatile uint32_t *)(APIC_DEFAULT_BASE + APIC_SPIV + 8);
	apic_enable();
	/* a huge count and an illegal timer vector */
	apic_timer_oneshot(V_TIMER, 0xffffffff, DIV_1);
	apic_timer_stop();
	apic_read_esr();
	apic_write(APIC_LVTERR, APIC_LVT_MASKED);
	apic_timer_oneshot(5, 100, DIV_1);
	for (int i = 0; i < 10000; i++)
		cpu_relax();
	esr = apic_read_esr();
	apic_timer_stop();
	if (apic_x2apic_offered()) {
		apic_set_x2apic(true);
		for (uint32_t msr = 0x800; msr <= 0x8ff; msr++) {
			uint64_t v;
			if (msr == X2APIC_MSR(APIC_ICR) || msr == X2APIC_MSR(APIC_SELF_IPI))
				continue;
			rdmsr_safe(msr, &v);
			wrmsr_safe(msr, ~0ull);
			wrmsr_safe(msr, 0);
		}
		wrmsr_safe(MSR_IA32_APIC_BASE, 0xfee00c00ull | (1ull << 40)); /* reserved bit */
		apic_set_x2apic(false);
	}
	apic_enable();
	test_begin("apic-hostile-writes");
	CHECK(esr & APIC_ESR_RECV_ILLEGAL, "ESR 0x%x after a timer with vector 5", esr);
	CHECK(isr_empty(), "ISR not empty");
	test_end();
	test_priority("apic-priority-after-hostile");
}

static int stop_case(const char *what)
{
	apic_enable();
	if (strncmp(what, "reloc", 5) == 0) {
		info("moving the xAPIC base to 0xfed00000");
		apic_set_base(0xfed00000u | APIC_BASE_EN | APIC_BASE_BSP);
		(void)*(volatile uint32_t *)(0xfed00000u + APIC_ID);
	} else {
		info("one-byte store to the APIC page");
		*(volatile uint8_t *)(APIC_DEFAULT_BASE + APIC_TPR) = 0x10;
		*(volatile uint8_t *)(APIC_DEFAULT_BASE + APIC_ESR) = 0x10;
	}
	apic_self_ipi(V_HIGH);
	printf("INFO apic-%s survived\n", what);
	return 1;
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *cmd = "";

	(void)magic;
	if (mbi && (mbi->flags & MBI_FLAG_CMDLINE) && mbi->cmdline)
		cmd = (const char *)(uintptr_t)mbi->cmdline;
	irq_set_handler(V_LOW, record_eoi);
	irq_set_handler(V_HIGH, record_eoi);
	irq_set_handler(V_MID, record_eoi);
	irq_set_handler(V_TPRHI, record_eoi);
	irq_set_handler(V_HLT, record_eoi);
	irq_set_handler(V_TIMER, record_eoi);
	irq_set_handler(V_X2, record_eoi);
	irq_set_handler(APIC_SPURIOUS_VECTOR, NULL);
	irq_set_handler(NMI_VEC, nmi_handler);
	if (strncmp(cmd, "reloc", 5) == 0 || strncmp(cmd, "byte", 4) == 0)
		return stop_case(cmd);
	test_present();
	test_regs();
	test_priority("apic-priority-order");
	test_tpr();
	test_hlt_pending();
	test_esr();
	test_nmi();
	test_timer_modes("", false);
	test_timer_modes("-wakes-hlt", true);
	test_disable();
	test_x2apic();
	test_hostile();
	tests_finish();
}
