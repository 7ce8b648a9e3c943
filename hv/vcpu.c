#include "hv/vcpu.h"
#include "drivers/tsc.h"
#include "hv/panic.h"
#include "hv/slice.h"

bool vcpu_regs_consistent(const struct vcpu *v)
{
	return (v->regs_dirty & ~v->regs_avail) == 0;
}

uint64_t vcpu_read_gpr(struct vcpu *v, unsigned n)
{
	n &= 15;
	return n == VCPU_REGS_RSP ? vcpu_read_rsp(v) : v->regs[n];
}

void vcpu_write_gpr(struct vcpu *v, unsigned n, uint64_t val)
{
	n &= 15;
	if (n == VCPU_REGS_RSP)
		vcpu_write_rsp(v, val);
	else
		v->regs[n] = val;
}

void vcpu_regs_reset_after_exit(struct vcpu *v)
{
	v->regs_avail = VCPU_REGS_GPR_MASK | vmm_ops->regs_at_exit;
	v->regs_dirty = 0;
}

/*
 * The requests taken for the next entry, and the pending events moved into it:
 * EXIT_RESUME to enter, else what the run loop returns. Off the hot path: the
 * run loop calls it only when a request came, events may wait or v waits for
 * a SIPI.
 */
static __attribute__((noinline)) enum exit_action take_requests(struct vcpu *v)
{
	uint32_t req = __atomic_exchange_n(&v->requests, 0, __ATOMIC_ACQ_REL);

	if (req & VCPU_REQ_STOP)
		return EXIT_STOP_VM;
	if (((req & (VCPU_REQ_INIT | VCPU_REQ_SIPI)) || v->state == VCPU_WAIT_SIPI) &&
	    vcpu_take_init_sipi(v, req) == EXIT_WAIT_SIPI)
		return EXIT_WAIT_SIPI;
	if (req & VCPU_REQ_TLB_FLUSH)
		vmm_ops->flush_tlb(v);
	if (!v->events_idle || req)
		vmm_ops->inject_events(v, req);
	return EXIT_RESUME;
}

/*
 * The run loop: pending requests, the end of the time slice, dirty registers
 * back into the control structure, enter; after the exit a fast path
 * re-enters at once for cheap exits, everything else goes through the exit
 * handler table. The slice is a TSC deadline checked before every entry, so
 * exits that resume the guest do not extend it.
 */
enum exit_action vcpu_run(struct vcpu *v)
{
	for (;;) {
		enum exit_action a;

		/* before taking the requests, so that none is dropped by the yield */
		if (slice_expired(v->slice_end, tsc_now()))
			return EXIT_YIELD;
		/* Interrupts are off from here to the entry: a kick (sched_kick) whose
		 * request bit lands after this load has its IPI pending at the entry,
		 * which then exits at once (external-interrupt exiting), and the next
		 * pass takes the request: none waits for the slice's end. */
		if (__atomic_load_n(&v->requests, __ATOMIC_ACQUIRE) || !v->events_idle ||
		    v->state == VCPU_WAIT_SIPI) {
			a = take_requests(v);
			if (a != EXIT_RESUME)
				return a;
		}
		ASSERT(vcpu_regs_consistent(v));
		if (vmm_ops->run(v) < 0) {
			v->stats.entries_failed++;
			return EXIT_STOP_VM;
		}
		v->stats.exits++;
		vcpu_regs_reset_after_exit(v);
		BENCH_STAMP(STAMP_DISPATCH);
		if (vmm_ops->fastpath(v, &a)) {
			v->stats.fast_exits++;
		} else {
			a = vmm_ops->handle_exit(v);
		}
		BENCH_STAMP(STAMP_HANDLED);
		if (a != EXIT_RESUME)
			return a;
	}
}
