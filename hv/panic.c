#include "hv/panic.h"
#include "drivers/lapic.h"
#include "drivers/platform.h"
#include "hv/lib/format.h"
#include "hv/log.h"
#include "hv/config/options.h"
#include "hv/percpu.h"
#include "hv/vmm_ops.h"
#include "x86.h"

static volatile uint32_t stopping;

bool panic_in_progress(void)
{
	return __atomic_load_n(&stopping, __ATOMIC_ACQUIRE) != 0;
}

/* A core that stops for good leaves VMX operation, so that a reset that
 * reaches it as INIT is not blocked (hv_reboot). */
static void cpu_vmm_off(void)
{
	if (vmm_ops && vmm_ops->cpu_disable)
		vmm_ops->cpu_disable();
}

__noreturn void cpu_park(void)
{
	irq_disable();
	cpu_vmm_off();
	if (percpu_ready())
		this_cpu()->state = CPU_STOPPED;
	for (;;)
		halt();
}

/* Brings the other online cores to cpu_park() with an NMI and waits (bounded) for them. */
static void stop_other_cpus(void)
{
	uint32_t self = cpu_id(), stopped = 0, stuck = 0;

	if (!lapic_ready())
		return;
	/* One NMI per started core: a core never started (wait-for-SIPI) gets none. */
	for (uint32_t i = 0; i < MAX_CPUS; i++)
		if (i != self && percpu_area[i].state == CPU_ONLINE)
			lapic_send_nmi(percpu_area[i].apic_id);
	for (uint32_t i = 0; i < MAX_CPUS; i++) {
		if (i == self || percpu_area[i].state == CPU_OFFLINE)
			continue;
		for (uint64_t spins = 0; percpu_area[i].state == CPU_ONLINE && spins < (1u << 24);
		     spins++)
			cpu_relax();
		if (percpu_area[i].state == CPU_STOPPED)
			stopped++;
		else
			stuck++;
	}
	log_raw("[cpu%u] stopped %u other core(s)%s\n", self, stopped,
	        stuck ? ", some did not answer the NMI" : "");
}

__noreturn void hv_stop(enum stop_reason why)
{
	uint32_t expect = 0;

	irq_disable();
	if (!__atomic_compare_exchange_n(&stopping, &expect, 1, false, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_ACQUIRE))
		cpu_park(); /* another core is already stopping the machine */
	stop_other_cpus();
	if (hv_options.on_stop == ON_STOP_POWEROFF) {
		log_info("stopping: powering off (reason %d)", why);
		log_flush();
		platform_poweroff(why);
	}
	log_info("stopping: all cores halted (reason %d)", why);
	log_flush();
	cpu_park();
}

__noreturn void hv_reboot(void)
{
	uint32_t expect = 0;

	irq_disable();
	if (!__atomic_compare_exchange_n(&stopping, &expect, 1, false, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_ACQUIRE))
		cpu_park();
	stop_other_cpus();
	log_info("stopping: resetting the machine");
	log_flush();
	cpu_vmm_off();
	platform_reset();
	log_err("the machine did not reset: all cores halted");
	log_flush();
	cpu_park();
}

__noreturn void panic_at(const char *file, int line, const char *fmt, ...)
{
	char reason[160];
	va_list ap;

	irq_disable();
	log_begin_emergency();
	va_start(ap, fmt);
	fmt_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	log_raw("[cpu%u] PANIC at %s:%d: %s\n", cpu_id(), file, line, reason);
	hv_stop(STOP_PANIC);
}
