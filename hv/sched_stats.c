/* The accounting report of a vCPU, printed when its VM stops. */
#include "drivers/tsc.h"
#include "hv/lib/format.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/sched.h"
#include "hv/vm.h"

#define TOP_REASONS 3 /* exit reasons named in the report, most frequent first */

/* Permille of part in whole, 0 for an empty whole. */
static uint64_t permille(uint64_t part, uint64_t whole)
{
	return whole ? part * 1000 / whole : 0;
}

void sched_report_vcpu(struct vcpu *v)
{
	const struct vcpu_stats *s = &v->stats;
	bool shown[VCPU_EXIT_REASONS] = {0};
	char top[128];
	size_t len = 0;
	uint64_t blocked = v->se.blocked_ticks, ms = tsc_hz / 1000 ? tsc_hz / 1000 : 1;

	if (!v->se.runnable)
		blocked += tsc_now() - v->se.blocked_since;
	top[0] = '\0';
	for (unsigned k = 0; k < TOP_REASONS; k++) {
		unsigned best = VCPU_EXIT_REASONS;
		const char *name;
		int n;

		for (unsigned r = 0; r < VCPU_EXIT_REASONS; r++)
			if (!shown[r] && s->exit_reason[r] &&
			    (best == VCPU_EXIT_REASONS || s->exit_reason[r] > s->exit_reason[best]))
				best = r;
		if (best == VCPU_EXIT_REASONS)
			break;
		shown[best] = true;
		name = vmm_ops->exit_name ? vmm_ops->exit_name(best) : NULL;
		n = fmt_snprintf(top + len, sizeof(top) - len, "%s%s=%lu", k ? ", " : "",
		                 name ? name : "?", s->exit_reason[best]);
		if (n < 0 || len + (size_t)n >= sizeof(top))
			break;
		len += (size_t)n;
	}
	log_info("vm %s vcpu %u: cpu %u weight %u ran %lu ticks (%lu.%lu ms), blocked %lu ticks, "
	         "%lu exits (%lu fast), %lu interrupts injected",
	         v->vm->name, v->id, v->pcpu, v->se.weight, v->se.run_ticks, v->se.run_ticks / ms,
	         permille(v->se.run_ticks % ms, ms) / 100, blocked, s->exits, s->fast_exits,
	         s->irqs_injected);
	log_info("vm %s vcpu %u: exits %s; cpu %u idle %lu ticks so far", v->vm->name, v->id,
	         len ? top : "none", v->pcpu, percpu_area[v->pcpu].idle_ticks);
	bench_report(v);
	bench_vcpu_gone(v);
}
