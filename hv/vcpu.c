#include "hv/vcpu.h"
#include "drivers/tsc.h"
#include "hv/gdb/gdb.h"
#include "hv/panic.h"
#include "hv/slice.h"

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

/*
 * The requests taken for the next entry, and the pending events moved into it:
 * EXIT_RESUME to enter, else what the run loop returns. Off the hot path: the
 * run loop calls it only when a request came, events may wait, v waits for
 * a SIPI or the GDB stub polls for a break-in (vcpu_entry_clear).
 */
static __attribute__((noinline)) enum exit_action take_requests(struct vcpu *v)
{
	uint32_t req = __atomic_exchange_n(&v->requests, 0, __ATOMIC_ACQ_REL);
	enum exit_action a;

	if (req & VCPU_REQ_STOP)
		return EXIT_STOP_VM;
	if (req & VCPU_REQ_PAUSE) {
		if (req & ~VCPU_REQ_PAUSE)
			__atomic_fetch_or(&v->requests, req & ~VCPU_REQ_PAUSE, __ATOMIC_RELEASE);
		return EXIT_PAUSE;
	}
	if (unlikely(v->debugged) && gdb_poll(v))
		req |= VCPU_REQ_DEBUG;
	if (unlikely(req & VCPU_REQ_DEBUG) && (a = gdb_break_in(v)) != EXIT_RESUME)
		return a;
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
 * The run loop: pending requests, the end of the time slice, enter (the
 * backend writes the dirty registers back and handles the hot exits on its
 * fast path, re-entering while vcpu_entry_clear holds), then the exit
 * handler table for everything else. The slice is a TSC deadline checked
 * before every entry, so exits that resume the guest do not extend it.
 */
enum exit_action vcpu_run(struct vcpu *v)
{
	for (;;) {
		enum exit_action a;
		int r;

		ASSERT(vcpu_regs_consistent(v));
		if (!vcpu_entry_clear(v)) {
			/* before taking the requests, so that none is dropped by the yield */
			if (slice_expired(v->slice_end, tsc_now()))
				return EXIT_YIELD;
			a = take_requests(v);
			if (a != EXIT_RESUME)
				return a;
		}
		r = vmm_ops->run(v, &a);
		if (r < 0) {
			v->stats.entries_failed++;
			return EXIT_STOP_VM;
		}
		if (r == 0) {
			vcpu_count_exit(v, false);
			BENCH_STAMP(STAMP_DISPATCH);
			a = vmm_ops->handle_exit(v);
			BENCH_STAMP(STAMP_HANDLED);
		}
		if (a != EXIT_RESUME)
			return a;
	}
}
