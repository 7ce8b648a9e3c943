// SPDX-License-Identifier: MIT
/*
 * smp: a multi-CPU guest started as on a PC. The BSP counts the CPUs through
 * fw_cfg and starts every AP with INIT-SIPI-SIPI (lib/smp.c); each AP checks
 * the state it started in (APIC ID, EDX signature, CR0, CS = vector << 8)
 * and reports. Then every CPU sends fixed IPIs to every other one by physical
 * APIC ID, one logical (flat model) IPI to all the others, one with the
 * all-excluding-self shorthand, and the BSP one with all-including-self; each
 * vector names its sender, so every CPU checks it got exactly the set it
 * should. Last, the BSP sends INIT to the running last AP and starts it
 * again with a SIPI: it comes back through the trampoline with its local
 * APIC reset (LDR 0, software-disabled) and says so with an IPI.
 *
 * Command line "hostile": AP 1 sends a SIPI to itself, IPIs to APIC IDs
 * nobody has, INIT to the BSP, and starts the BSP again at the trampoline,
 * where it reports. None of that may disturb another VM.
 */
#include "guest.h"
#include "apic.h"
#include "smp.h"

#define VEC_BASE       0x40
#define VEC(kind, src) (VEC_BASE + (kind)*0x20 + (src))
#define KIND_FIXED     0
#define KIND_LOGICAL   1
#define KIND_OTHERS    2
#define KIND_ALL       3 /* all including self, sent by the BSP only */
#define NR_KINDS       4
#define VEC_BACK       0xe0 /* the restarted AP is back */
#define TIMEOUT        400000000ull
#define FLAT_DFR       0xffffffffu
#define CR0_CD         (1u << 30)
#define CR0_NW         (1u << 29)
#define CR0_ET         (1u << 4)

static uint32_t ncpus;
static uint32_t all_mask;
static bool hostile;
static volatile uint32_t got[NR_KINDS][SMP_MAX_CPUS]; /* bit s: vector from CPU s */
static volatile uint32_t boots[SMP_MAX_CPUS];
static volatile uint32_t online, failures;
static volatile uint32_t barrier[8];
static volatile uint32_t back;

static void report(uint32_t id, const char *what, bool ok, const char *fmt, ...) __printf(4, 5);

static void report(uint32_t id, const char *what, bool ok, const char *fmt, ...)
{
	char name[48], why[128];
	va_list ap;

	snprintf(name, sizeof(name), "smp-cpu%u-%s", id, what);
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	smp_lock();
	if (ok) {
		test_pass(name);
	} else {
		test_fail(name, "%s", why);
		atomic_inc(&failures);
	}
	smp_unlock();
}

static void on_ipi(uint8_t vector)
{
	uint32_t id = apic_id(), v = vector - VEC_BASE;

	if (vector == VEC_BACK)
		atomic_inc(&back);
	else if (id < SMP_MAX_CPUS && v / 0x20 < NR_KINDS)
		atomic_or(&got[v / 0x20][id], 1u << (v % 0x20));
	apic_eoi();
}

static void sync(uint32_t id, unsigned step)
{
	if (!smp_barrier(&barrier[step], ncpus, TIMEOUT))
		report(id, "barrier", false, "step %u: %u of %u CPUs arrived", step, barrier[step],
		       ncpus);
}

static void expect(uint32_t id, int kind, uint32_t want, const char *what)
{
	bool ok = smp_wait_bits(&got[kind][id], want, TIMEOUT);

	report(id, what, ok && got[kind][id] == want, "senders 0x%x, want 0x%x", got[kind][id],
	       want);
}

/* Every CPU in lock step: fixed, logical and shorthand IPIs. */
static void ipi_rounds(uint32_t id)
{
	uint32_t others = all_mask & ~(1u << id);

	apic_enable();
	apic_write(APIC_DFR, FLAT_DFR);
	apic_write(APIC_LDR, (1u << id) << 24);
	sync(id, 0);
	for (uint32_t j = 0; j < ncpus; j++)
		if (j != id)
			apic_send_ipi(j, APIC_DM_FIXED | VEC(KIND_FIXED, id));
	expect(id, KIND_FIXED, others, "fixed");
	sync(id, 1);
	apic_send_ipi(others, APIC_DEST_LOGICAL | APIC_DM_FIXED | VEC(KIND_LOGICAL, id));
	expect(id, KIND_LOGICAL, others, "logical");
	sync(id, 2);
	apic_send_ipi(0, APIC_DEST_OTHERS | APIC_DM_FIXED | VEC(KIND_OTHERS, id));
	if (id == 0)
		apic_send_ipi(0, APIC_DEST_ALL | APIC_DM_FIXED | VEC(KIND_ALL, 0));
	expect(id, KIND_OTHERS, others, "broadcast");
	expect(id, KIND_ALL, 1, "broadcast-self");
	sync(id, 3);
}

/* The checks of an AP's first instructions: state after INIT and the SIPI. */
static void check_start(uint32_t id)
{
	volatile struct smp_ap_entry *e = &smp_ap_entry[id];
	struct cpuid_regs r;

	cpuid(1, 0, &r);
	report(id, boots[id] == 1 ? "online" : "online-again",
	       e->edx == r.eax && e->cs == SMP_SIPI_VECTOR << 8 &&
	               (e->cr0 & ~(CR0_CD | CR0_NW)) == CR0_ET && read_cr4() == 0 &&
	               r.ebx >> 24 == id,
	       "APIC ID %u: EDX 0x%x (signature 0x%x), CS 0x%x, CR0 0x%x, CR4 0x%x, CPUID APIC ID "
	       "%u",
	       id, e->edx, r.eax, e->cs, e->cr0, read_cr4(), r.ebx >> 24);
}

static void hostile_ap(uint32_t id, uint32_t boot);

static bool has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; *s; s++)
		if (!strncmp(s, w, n))
			return true;
	return false;
}

static void ap(uint32_t id)
{
	uint64_t now = rdtsc();
	uint32_t n = atomic_inc(&boots[id]);

	smp_lock();
	info("smp: CPU %u in C %llu TSC ticks after its first SIPI", id, now - smp_sipi_tsc[id]);
	smp_unlock();
	check_start(id);
	if (hostile) {
		hostile_ap(id, n);
		halt_forever();
	}
	if (n == 1) {
		atomic_or(&online, 1u << id);
		ipi_rounds(id);
		/* the last AP keeps running until the BSP sends it INIT */
		while (id == ncpus - 1)
			cpu_relax();
		halt_forever();
	}
	/* started again after INIT: the local APIC is as after power-on */
	report(id, "init-reset",
	       apic_read(APIC_LDR) == 0 && !(apic_read(APIC_SPIV) & APIC_SPIV_ENABLE),
	       "LDR 0x%x SPIV 0x%x after INIT", apic_read(APIC_LDR), apic_read(APIC_SPIV));
	apic_enable();
	apic_send_ipi(0, APIC_DM_FIXED | VEC_BACK);
	halt_forever();
}

/* ---- hostile mode: AP 1 against its own VM ---- */

static void hostile_ap(uint32_t id, uint32_t boot)
{
	if (id == 0) { /* the BSP, started again by AP 1 */
		report(0, "bsp-restarted", boot == 2, "boot %u", boot);
		smp_lock();
		tests_finish();
	}
	apic_enable();
	apic_send_ipi(0, APIC_DEST_SELF | APIC_DM_SIPI | SMP_SIPI_VECTOR);
	for (uint32_t dest = ncpus; dest < 0xff; dest += 37)
		apic_send_ipi(dest, APIC_DM_FIXED | 0x50);
	apic_send_ipi(0xfe, APIC_DM_SIPI | SMP_SIPI_VECTOR);
	apic_send_ipi(0x77, APIC_DM_INIT | APIC_ICR_LEVEL_ASSERT);
	apic_send_ipi(0, APIC_DM_FIXED | 3); /* illegal vector */
	report(id, "hostile-survived", boot == 1 && apic_id() == id, "boot %u", boot);
	smp_start_ap(0); /* INIT to the BSP, then SIPI: it comes back as an AP */
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *cmd = (mbi->flags & MBI_FLAG_CMDLINE) ? (const char *)mbi->cmdline : "";
	uint32_t id = *(volatile uint32_t *)(APIC_DEFAULT_BASE + APIC_ID) >> 24;

	(void)magic;
	hostile = has_word(cmd, "hostile");
	ncpus = fw_cfg_read_u16(FW_CFG_NB_CPUS);
	info("smp: BSP APIC ID %u, %u CPUs (fw_cfg)%s", id, ncpus, hostile ? ", hostile" : "");
	if (!CHECK(id == 0 && ncpus >= 2 && ncpus <= 8, "APIC ID %u, %u CPUs", id, ncpus))
		tests_finish();
	all_mask = (1u << ncpus) - 1;
	for (int k = 0; k < NR_KINDS; k++)
		for (uint32_t s = 0; s < ncpus; s++)
			irq_set_handler(VEC(k, s), on_ipi);
	irq_set_handler(VEC_BACK, on_ipi);
	apic_enable();
	smp_prepare(ap);
	boots[0] = 1;
	if (hostile) {
		smp_start_ap(1);
		for (;;) /* until AP 1 sends INIT */
			cpu_relax();
	}
	for (uint32_t i = 1; i < ncpus; i++) {
		smp_start_ap(i);
		smp_wait_bits(&online, 1u << i, TIMEOUT);
	}
	CHECK(online == (all_mask & ~1u), "APs online 0x%x, want 0x%x", online, all_mask & ~1u);
	ipi_rounds(0);
	/* INIT of a running vCPU, then SIPI: it starts over */
	smp_start_ap(ncpus - 1);
	report(0, "init-running", smp_wait_bits(&back, 1, TIMEOUT) && boots[ncpus - 1] == 2,
	       "AP %u: back %u, boots %u", ncpus - 1, back, boots[ncpus - 1]);
	smp_lock();
	CHECK(failures == 0, "%u failed reports", failures);
	tests_finish();
}
