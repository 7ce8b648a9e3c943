#include "hv/smp.h"
#include "drivers/lapic.h"
#include "drivers/platform.h"
#include "drivers/tsc.h"
#include "hv/log.h"
#include "hv/config/options.h"
#include "hv/panic.h"
#include "hv/percpu.h"
#include "hv/sched.h"
#include "hv/vmm_ops.h"
#include "fpu/fpu.h"
#include "kstring.h"
#include "mm/mm.h"
#include "param.h"
#include "x86.h"

#define INIT_DEASSERT_DELAY_US 10000
#define SIPI_DELAY_US          200

extern const uint8_t ap_trampoline_start[], ap_trampoline_end[];
extern uint64_t boot_pml4[];

uint32_t cpus_online = 1;

void ap_main(struct percpu *c);

/* Runs on each AP with the boot page tables and the stack from the BSP. */
void ap_main(struct percpu *c)
{
	write_cr4(read_cr4() | CR4_PGE);
	write_cr3(mm_hv_cr3());
	percpu_init_cpu(c);
	lapic_init_ap();
	c->state = CPU_ONLINE;
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_RELEASE);
	log_info("cpu%u online (APIC id %u)", c->id, c->apic_id);
	sched_wait_for_go();
	fpu_init_cpu();
	if (vmm_ops->cpu_enable() < 0) {
		log_err("cpu%u cannot enter VMX operation; its vCPUs will not run", c->id);
		cpu_park();
	}
	sched_cpu_loop();
}

static bool wait_online(struct percpu *c, uint64_t us)
{
	uint64_t end = rdtsc() + us * (tsc_hz / 1000000);

	while (rdtsc() < end) {
		if (c->state == CPU_ONLINE)
			return true;
		cpu_relax();
	}
	return c->state == CPU_ONLINE;
}

/* INIT-SIPI-SIPI (SDM sec. 9.4.4.1); the second SIPI only if the first did not take. */
static bool start_ap(struct percpu *c, volatile struct ap_boot_params *params)
{
	hpa_t stack = mm_alloc_frames_below(CPU_STACK_SIZE / PAGE_SIZE, PAGE_SIZE, GiB(4));

	if (stack == INVALID_HPA) {
		log_warn("no memory for the stack of cpu%u", c->id);
		return false;
	}
	c->stack_top = stack + CPU_STACK_SIZE;
	c->state = CPU_STARTING;
	params->cr3 = (uint64_t)boot_pml4;
	params->entry = (uint64_t)ap_main;
	params->stack = c->stack_top;
	params->arg = (uint64_t)c;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_send_init(c->apic_id);
	udelay(INIT_DEASSERT_DELAY_US);
	for (int sipi = 0; sipi < 2; sipi++) {
		lapic_send_sipi(c->apic_id, AP_TRAMPOLINE_PA >> PAGE_SHIFT);
		if (wait_online(c, sipi == 0 ? SIPI_DELAY_US : AP_START_TIMEOUT_US))
			return true;
	}
	/* Put a late AP back into wait-for-SIPI so it cannot run on the next AP's stack. */
	lapic_send_init(c->apic_id);
	c->state = CPU_OFFLINE;
	mm_free_frames(stack, CPU_STACK_SIZE / PAGE_SIZE);
	return false;
}

uint32_t smp_boot_aps(void)
{
	volatile struct ap_boot_params *params = phys_to_virt(AP_TRAMPOLINE_PA + AP_PARAMS_OFFSET);
	uint32_t bsp_apic = lapic_id();
	uint32_t next_id = 1;

	memcpy(phys_to_virt(AP_TRAMPOLINE_PA), ap_trampoline_start,
	       (size_t)(ap_trampoline_end - ap_trampoline_start));
	for (size_t i = 0; i < acpi.ncpus; i++) {
		const struct acpi_cpu *ac = &acpi.cpus[i];
		struct percpu *c;

		if (!ac->enabled || ac->apic_id == bsp_apic)
			continue;
		if (next_id >= hv_options.max_cpus) {
			log_info("cpus=%u: not starting APIC id %u", hv_options.max_cpus,
			         ac->apic_id);
			continue;
		}
		c = &percpu_area[next_id];
		c->id = next_id;
		c->apic_id = ac->apic_id;
		if (start_ap(c, params))
			next_id++;
		else
			log_warn("CPU with APIC id %u did not come online; continuing without it",
			         ac->apic_id);
	}
	return __atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE);
}
