/* Unit tests for hv/vcpu.c: the run loop and the register cache, against a fake
 * backend that plays a scripted sequence of exits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/tsc.h"
#include "hv/panic.h"
#include "hv/slice.h"
#include "hv/vcpu.h"
#include "hv/virq.h"

#define RIP_BIT BIT(VCPU_REGS_RIP)
#define RSP_BIT BIT(VCPU_REGS_RSP)
#define CR3_BIT BIT(VCPU_REGS_CR3)

/* One entry into the guest and what the backend reports about its exit. */
struct step {
	int run_ret;             /* <0: entry failed */
	bool fast;               /* fastpath handles it */
	enum exit_action action; /* handle_exit's answer */
	uint32_t set_requests;   /* requests raised while handling the exit */
};

static struct {
	const struct step *script;
	unsigned nsteps, step;
	char log[64]; /* T flush_tlb, F run's register write-back, R run, P fastpath, H handle_exit */
	unsigned len;
	unsigned cache_calls;
	int cache_last;
	uint32_t dirty_at_flush;
	uint32_t avail_at_handle, dirty_at_handle;
	uint64_t now;             /* the fake TSC */
	uint64_t ticks_per_entry; /* guest time that passes in each entry */
	unsigned inject_calls;
	uint32_t kick_in_guest[8]; /* by step: requests another CPU raised while the guest ran */
	uint32_t kick_at_inject;   /* raised (once) after the requests were taken */
	int sipi;                  /* virq_take_sipi's answer, then -1 */
	int started_at;            /* vector given to vcpu_start_at */
} fake;

uint64_t tsc_now(void)
{
	return fake.now;
}

static struct {
	jmp_buf env;
	bool armed;
	int calls;
	char msg[256];
} panic_rec;

void panic_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	panic_rec.calls++;
	va_start(ap, fmt);
	vsnprintf(panic_rec.msg, sizeof(panic_rec.msg), fmt, ap);
	va_end(ap);
	if (!panic_rec.armed)
		fail_msg("unexpected panic at %s:%d: %s", file, line, panic_rec.msg);
	longjmp(panic_rec.env, 1);
}

static void note(char c);

/* The GDB stub as the run loop sees it: Ctrl-C polls and break-ins. */
static struct {
	bool ctrl_c;             /* gdb_poll's next answer */
	enum exit_action result; /* gdb_break_in's */
	unsigned polls;
} fake_gdb;

bool gdb_poll(struct vcpu *v)
{
	bool c = fake_gdb.ctrl_c;

	fake_gdb.polls++;
	fake_gdb.ctrl_c = false;
	return c;
}

enum exit_action gdb_break_in(struct vcpu *v)
{
	note('G');
	return fake_gdb.result;
}

static void note(char c)
{
	assert_true(fake.len + 1 < sizeof(fake.log));
	fake.log[fake.len++] = c;
}

static void fake_cache_reg(struct vcpu *v, enum vcpu_reg r)
{
	fake.cache_calls++;
	fake.cache_last = r;
	v->regs[r] = 0x1000 + r;
}

static void fake_flush_regs(struct vcpu *v)
{
	note('F');
	fake.dirty_at_flush = v->regs_dirty;
}

static bool fake_fastpath(struct vcpu *v, enum exit_action *a);

/* A backend that handles at most one fast exit per run call (the contract
 * allows it to re-enter; this one returns after each). */
static int fake_run(struct vcpu *v, enum exit_action *a)
{
	int r;

	fake_flush_regs(v); /* run writes the registers back first */
	note('R');
	if (fake.step >= fake.nsteps)
		fail_msg("entered the guest beyond the script (%u steps)", fake.nsteps);
	/* an exit clobbers whatever the cache claimed to know */
	v->regs_avail = 0;
	v->regs_dirty = 0xffffffff;
	fake.now += fake.ticks_per_entry;
	if (fake.step < ARRAY_SIZE(fake.kick_in_guest))
		__atomic_fetch_or(&v->requests, fake.kick_in_guest[fake.step], __ATOMIC_RELEASE);
	r = fake.script[fake.step].run_ret;
	if (r < 0)
		return r;
	vcpu_regs_reset_after_exit(v);
	if (!fake_fastpath(v, a))
		return 0;
	vcpu_count_exit(v, true);
	return 1;
}

static bool fake_fastpath(struct vcpu *v, enum exit_action *a)
{
	note('P');
	if (!fake.script[fake.step].fast)
		return false;
	*a = fake.script[fake.step++].action;
	return true;
}

static enum exit_action fake_handle_exit(struct vcpu *v)
{
	const struct step *s = &fake.script[fake.step++];

	note('H');
	fake.avail_at_handle = v->regs_avail;
	fake.dirty_at_handle = v->regs_dirty;
	v->requests |= s->set_requests;
	return s->action;
}

static void fake_flush_tlb(struct vcpu *v)
{
	note('T');
}

static void fake_inject_events(struct vcpu *v, uint32_t req)
{
	fake.inject_calls++;
	__atomic_fetch_or(&v->requests, fake.kick_at_inject, __ATOMIC_RELEASE);
	fake.kick_at_inject = 0;
}

/* like the LAPIC's INIT, forgets a SIPI not taken yet */
static void fake_vcpu_reset(struct vcpu *v)
{
	note('I');
	fake.sipi = -1;
}

static void fake_vcpu_start_at(struct vcpu *v, uint8_t vector)
{
	note('S');
	fake.started_at = vector;
}

int virq_take_sipi(struct vcpu *v)
{
	int vector = fake.sipi;

	fake.sipi = -1;
	return vector;
}

static const struct vmm_ops fake_ops = {
	.name = "fake",
	.cache_reg = fake_cache_reg,
	.run = fake_run,
	.handle_exit = fake_handle_exit,
	.flush_tlb = fake_flush_tlb,
	.inject_events = fake_inject_events,
	.vcpu_reset = fake_vcpu_reset,
	.vcpu_start_at = fake_vcpu_start_at,
};

const struct vmm_ops *vmm_ops = &fake_ops;

static struct vcpu vcpu;

static int setup(void **state)
{
	memset(&fake, 0, sizeof(fake));
	memset(&panic_rec, 0, sizeof(panic_rec));
	memset(&vcpu, 0, sizeof(vcpu));
	memset(&fake_gdb, 0, sizeof(fake_gdb));
	fake.cache_last = -1;
	fake.sipi = -1;
	fake.started_at = -1;
	return 0;
}

static void play(const struct step *script, unsigned n)
{
	fake.script = script;
	fake.nsteps = n;
	fake.step = 0;
}

/* ---- the run loop (mechanism 1) ---- */

static void test_stop_request_returns_before_entry(void **state)
{
	static const struct step script[] = {{0, false, EXIT_HALT, 0}};

	play(script, 1);
	vcpu.requests = VCPU_REQ_STOP | VCPU_REQ_TLB_FLUSH;
	assert_int_equal(vcpu_run(&vcpu), EXIT_STOP_VM);
	assert_string_equal(fake.log, "");
	assert_int_equal(vcpu.requests, 0);
	assert_int_equal(vcpu.stats.exits, 0);
}

/* A pause leaves before the next entry; what came with it waits for the resume. */
static void test_pause_request_keeps_the_others(void **state)
{
	static const struct step script[] = {{0, false, EXIT_RESUME, VCPU_REQ_PAUSE},
	                                     {0, false, EXIT_YIELD, 0}};

	play(script, 2);
	fake.kick_in_guest[0] = VCPU_REQ_TLB_FLUSH | VCPU_REQ_EVENT;
	assert_int_equal(vcpu_run(&vcpu), EXIT_PAUSE);
	assert_string_equal(fake.log, "FRPH");
	assert_int_equal(vcpu.requests, VCPU_REQ_TLB_FLUSH | VCPU_REQ_EVENT);
	/* resumed: the kept requests are taken at the next entry */
	assert_int_equal(vcpu_run(&vcpu), EXIT_YIELD);
	assert_string_equal(fake.log, "FRPHTFRPH");
	assert_int_equal(vcpu.requests, 0);
}

/* A stop wins over a pause taken with it. */
static void test_stop_wins_over_pause(void **state)
{
	static const struct step script[] = {{0, false, EXIT_HALT, 0}};

	play(script, 1);
	vcpu.requests = VCPU_REQ_STOP | VCPU_REQ_PAUSE;
	assert_int_equal(vcpu_run(&vcpu), EXIT_STOP_VM);
	assert_string_equal(fake.log, "");
}

static void test_tlb_flush_request_once_then_enter(void **state)
{
	static const struct step script[] = {
		{0, false, EXIT_RESUME, 0},
		{0, false, EXIT_YIELD, 0},
	};

	play(script, 2);
	vcpu.requests = VCPU_REQ_TLB_FLUSH;
	assert_int_equal(vcpu_run(&vcpu), EXIT_YIELD);
	assert_string_equal(fake.log, "TFRPHFRPH");
	assert_int_equal(vcpu.requests, 0);
	assert_int_equal(vcpu.stats.exits, 2);
}

static void test_request_raised_by_handler(void **state)
{
	static const struct step script[] = {
		{0, false, EXIT_RESUME, VCPU_REQ_TLB_FLUSH},
		{0, false, EXIT_RESUME, VCPU_REQ_STOP},
		{0, false, EXIT_HALT, 0},
	};

	play(script, 3);
	assert_int_equal(vcpu_run(&vcpu), EXIT_STOP_VM);
	assert_string_equal(fake.log, "FRPHTFRPH");
	assert_int_equal(fake.step, 2);
	assert_int_equal(vcpu.stats.exits, 2);
}

/* A debug request (gdb_attach) stops the vCPU for gdb before the next entry;
 * gdb's k ends the run there. */
static void test_debug_request_breaks_in_before_entry(void **state)
{
	static const struct step script[] = {{0, false, EXIT_HALT, 0}};

	play(script, 1);
	vcpu.requests = VCPU_REQ_DEBUG;
	fake_gdb.result = EXIT_STOP_VM;
	assert_int_equal(vcpu_run(&vcpu), EXIT_STOP_VM);
	assert_string_equal(fake.log, "G");
	assert_int_equal(vcpu.stats.exits, 0);
	assert_int_equal(fake_gdb.polls, 0); /* not debugged: COM2 is never read */
}

/* Ctrl-C on COM2 is polled only for the debugged vCPU and breaks in before
 * the next entry; gdb's c resumes the guest. */
static void test_ctrl_c_breaks_in_debugged_vcpu(void **state)
{
	static const struct step script[] = {
		{0, false, EXIT_RESUME, 0},
		{0, false, EXIT_HALT, 0},
	};

	play(script, 2);
	vcpu.debugged = true;
	fake_gdb.ctrl_c = true;
	fake_gdb.result = EXIT_RESUME;
	assert_int_equal(vcpu_run(&vcpu), EXIT_HALT);
	assert_int_equal(fake.log[0], 'G');
	assert_null(strchr(fake.log + 1, 'G'));
	assert_int_equal(fake_gdb.polls, 2);
	assert_int_equal(vcpu.stats.exits, 2);
}

/* sched_kick from another CPU while the guest runs: its IPI makes the guest
 * exit, and the request is taken before the next entry. */
static void test_kick_in_guest_taken_before_next_entry(void **state)
{
	static const struct step script[] = {
		{0, true, EXIT_RESUME, 0}, /* the IPI: an external-interrupt exit, fast */
		{0, false, EXIT_RESUME, 0},
	};

	play(script, 2);
	fake.kick_in_guest[0] = VCPU_REQ_TLB_FLUSH;
	fake.kick_in_guest[1] = VCPU_REQ_STOP;
	assert_int_equal(vcpu_run(&vcpu), EXIT_STOP_VM);
	assert_string_equal(fake.log, "FRPTFRPH");
	assert_int_equal(vcpu.requests, 0);
}

/* A kick that lands after the requests were taken (interrupts are off from
 * there to the entry, so its IPI makes the entry exit at once): handled on
 * the next pass, before the guest runs again. */
static void test_kick_after_check_handled_next_pass(void **state)
{
	static const struct step script[] = {
		{0, true, EXIT_RESUME, 0},
		{0, false, EXIT_YIELD, 0},
	};

	play(script, 2);
	fake.kick_at_inject = VCPU_REQ_TLB_FLUSH | VCPU_REQ_EVENT;
	assert_int_equal(vcpu_run(&vcpu), EXIT_YIELD);
	assert_string_equal(fake.log, "FRPTFRPH");
	assert_int_equal(fake.inject_calls, 2);
	assert_int_equal(vcpu.requests, 0);
}

/* An event request (an interrupt made pending) is looked at before each entry. */
static void test_event_request_reaches_injection(void **state)
{
	static const struct step script[] = {{0, false, EXIT_HALT, 0}};

	play(script, 1);
	vcpu.requests = VCPU_REQ_EVENT;
	assert_int_equal(vcpu_run(&vcpu), EXIT_HALT);
	assert_int_equal(fake.inject_calls, 1);
	assert_int_equal(vcpu.requests, 0);
}

/* With nothing to inject since the last entry (events_idle) the loop skips the
 * injection, until a request comes or the backend clears the flag. */
static void test_idle_events_skip_injection(void **state)
{
	static const struct step script[] = {
		{0, true, EXIT_RESUME, 0},
		{0, false, EXIT_RESUME, VCPU_REQ_EVENT},
		{0, false, EXIT_HALT, 0},
	};

	play(script, 3);
	vcpu.events_idle = true;
	assert_int_equal(vcpu_run(&vcpu), EXIT_HALT);
	assert_int_equal(fake.inject_calls, 1); /* the entry after the request */
	vcpu.events_idle = false;
	play(script + 2, 1);
	assert_int_equal(vcpu_run(&vcpu), EXIT_HALT);
	assert_int_equal(fake.inject_calls, 2);
}

static void test_flush_regs_before_each_entry(void **state)
{
	static const struct step script[] = {
		{0, true, EXIT_RESUME, 0},
		{0, false, EXIT_RESUME, 0},
		{0, false, EXIT_HALT, 0},
	};

	play(script, 3);
	vcpu_write_rip(&vcpu, 0x401000);
	assert_int_equal(vcpu_run(&vcpu), EXIT_HALT);
	assert_string_equal(fake.log, "FRPFRPHFRPH");
	/* the last flush came after an exit: nothing dirty any more */
	assert_int_equal(fake.dirty_at_flush, 0);
}

static void test_first_flush_sees_dirty_rip(void **state)
{
	static const struct step script[] = {{0, false, EXIT_HALT, 0}};

	play(script, 1);
	vcpu_write_rip(&vcpu, 0x401000);
	assert_int_equal(vcpu_run(&vcpu), EXIT_HALT);
	assert_string_equal(fake.log, "FRPH");
	assert_int_equal(fake.dirty_at_flush, RIP_BIT);
}

static void test_fastpath_reenters_without_handler(void **state)
{
	static const struct step script[] = {
		{0, true, EXIT_RESUME, 0},
		{0, true, EXIT_RESUME, 0},
		{0, false, EXIT_HALT, 0},
	};

	play(script, 3);
	assert_int_equal(vcpu_run(&vcpu), EXIT_HALT);
	assert_string_equal(fake.log, "FRPFRPFRPH");
	assert_int_equal(vcpu.stats.fast_exits, 2);
	assert_int_equal(vcpu.stats.exits, 3);
	assert_int_equal(vcpu.stats.entries_failed, 0);
}

/* A fast exit that does not resume (a YIELD hypercall) leaves the loop with its action. */
static void test_fastpath_action_returned(void **state)
{
	static const struct step script[] = {
		{0, true, EXIT_RESUME, 0},
		{0, true, EXIT_YIELD, 0},
	};

	play(script, 2);
	assert_int_equal(vcpu_run(&vcpu), EXIT_YIELD);
	assert_string_equal(fake.log, "FRPFRP");
	assert_int_equal(vcpu.stats.fast_exits, 2);
	assert_int_equal(vcpu.stats.exits, 2);
}

static void test_resume_loops(void **state)
{
	static const struct step script[] = {
		{0, false, EXIT_RESUME, 0},
		{0, false, EXIT_RESUME, 0},
		{0, false, EXIT_RESUME, 0},
		{0, false, EXIT_YIELD, 0},
	};

	play(script, 4);
	assert_int_equal(vcpu_run(&vcpu), EXIT_YIELD);
	assert_string_equal(fake.log, "FRPHFRPHFRPHFRPH");
	assert_int_equal(vcpu.stats.exits, 4);
	assert_int_equal(vcpu.stats.fast_exits, 0);
}

static void test_other_actions_returned(void **state)
{
	static const enum exit_action actions[] = {EXIT_YIELD, EXIT_HALT, EXIT_STOP_VM};

	for (unsigned i = 0; i < ARRAY_SIZE(actions); i++) {
		struct step script[] = {{0, false, actions[i], 0}};

		setup(state);
		play(script, 1);
		assert_int_equal(vcpu_run(&vcpu), actions[i]);
		assert_string_equal(fake.log, "FRPH");
		assert_int_equal(vcpu.stats.exits, 1);
	}
}

static void test_failed_entry_stops_vm(void **state)
{
	static const struct step script[] = {
		{0, false, EXIT_RESUME, 0},
		{-1, false, EXIT_HALT, 0},
	};

	play(script, 2);
	assert_int_equal(vcpu_run(&vcpu), EXIT_STOP_VM);
	assert_string_equal(fake.log, "FRPHFR");
	assert_int_equal(vcpu.stats.entries_failed, 1);
	assert_int_equal(vcpu.stats.exits, 1);
}

static void test_exit_resets_cache(void **state)
{
	static const struct step script[] = {{0, false, EXIT_HALT, 0}};

	play(script, 1);
	vcpu_write_cr3(&vcpu, 0x5000);
	assert_int_equal(vcpu_run(&vcpu), EXIT_HALT);
	/* the handler already sees the reset cache, though run() scrambled it */
	assert_int_equal(fake.avail_at_handle, VCPU_REGS_GPR_MASK);
	assert_int_equal(fake.dirty_at_handle, 0);
	assert_int_equal(vcpu.regs_avail, VCPU_REGS_GPR_MASK);
	assert_int_equal(vcpu.regs_dirty, 0);
	assert_true(vcpu_regs_consistent(&vcpu));
}

static void test_inconsistent_cache_panics(void **state)
{
	static const struct step script[] = {{0, false, EXIT_HALT, 0}};

	play(script, 1);
	vcpu.regs_avail = 0;
	vcpu.regs_dirty = RIP_BIT;
	vcpu.requests = VCPU_REQ_TLB_FLUSH;
	panic_rec.armed = true;
	if (!setjmp(panic_rec.env)) {
		vcpu_run(&vcpu);
		fail_msg("vcpu_run returned with an inconsistent register cache");
	}
	panic_rec.armed = false;
	assert_int_equal(panic_rec.calls, 1);
	assert_non_null(strstr(panic_rec.msg, "vcpu_regs_consistent"));
	/* never entered the guest */
	assert_null(strchr(fake.log, 'F'));
	assert_null(strchr(fake.log, 'R'));
	assert_int_equal(vcpu.stats.exits, 0);
}

/* ---- time slices: a TSC deadline that exits do not extend ---- */

static void test_slice_ends_across_fast_exits(void **state)
{
	static const struct step script[] = {
		{0, true, EXIT_RESUME, 0}, {0, true, EXIT_RESUME, 0}, {0, true, EXIT_RESUME, 0},
		{0, true, EXIT_RESUME, 0}, {0, true, EXIT_RESUME, 0},
	};

	play(script, 5);
	fake.now = 1000;
	fake.ticks_per_entry = 100;
	vcpu.slice_end = slice_deadline(fake.now, 250);
	assert_int_equal(vcpu_run(&vcpu), EXIT_YIELD);
	assert_string_equal(fake.log, "FRPFRPFRP");
	assert_int_equal(vcpu.stats.exits, 3);
	assert_int_equal(vcpu.stats.fast_exits, 3);
}

static void test_slice_ends_across_resumed_exits(void **state)
{
	static const struct step script[] = {
		{0, false, EXIT_RESUME, 0},
		{0, false, EXIT_RESUME, 0},
		{0, false, EXIT_RESUME, 0},
	};

	play(script, 3);
	fake.now = 5;
	fake.ticks_per_entry = 10;
	vcpu.slice_end = slice_deadline(fake.now, 20);
	assert_int_equal(vcpu_run(&vcpu), EXIT_YIELD);
	assert_string_equal(fake.log, "FRPHFRPH");
	assert_int_equal(vcpu.stats.exits, 2);
}

static void test_no_slice_never_yields_on_time(void **state)
{
	static const struct step script[] = {
		{0, true, EXIT_RESUME, 0},
		{0, false, EXIT_RESUME, 0},
		{0, true, EXIT_RESUME, 0},
		{0, false, EXIT_HALT, 0},
	};

	play(script, 4);
	fake.ticks_per_entry = 1ull << 40;
	vcpu.slice_end = SLICE_NONE;
	assert_int_equal(vcpu_run(&vcpu), EXIT_HALT);
	assert_int_equal(vcpu.stats.exits, 4);
}

static void test_expired_slice_keeps_requests(void **state)
{
	static const struct step script[] = {{0, false, EXIT_RESUME, 0}};

	play(script, 1);
	fake.now = 300;
	vcpu.slice_end = 300;
	vcpu.requests = VCPU_REQ_TLB_FLUSH;
	assert_int_equal(vcpu_run(&vcpu), EXIT_YIELD);
	assert_string_equal(fake.log, "");
	assert_int_equal(vcpu.requests, VCPU_REQ_TLB_FLUSH);
	assert_int_equal(vcpu.stats.exits, 0);
}

/* ---- the register cache (mechanism 7) ---- */

static void test_read_caches_once_until_exit(void **state)
{
	assert_int_equal(vcpu_read_rip(&vcpu), 0x1000 + VCPU_REGS_RIP);
	assert_int_equal(fake.cache_calls, 1);
	assert_int_equal(fake.cache_last, VCPU_REGS_RIP);
	assert_true(vcpu.regs_avail & RIP_BIT);
	assert_false(vcpu.regs_dirty & RIP_BIT);
	vcpu.regs[VCPU_REGS_RIP] = 0x7777; /* served from the cache now */
	assert_int_equal(vcpu_read_rip(&vcpu), 0x7777);
	assert_int_equal(vcpu_read_rip(&vcpu), 0x7777);
	assert_int_equal(fake.cache_calls, 1);
	vcpu_regs_reset_after_exit(&vcpu);
	assert_int_equal(vcpu_read_rip(&vcpu), 0x1000 + VCPU_REGS_RIP);
	assert_int_equal(fake.cache_calls, 2);
	/* other cached registers are separate */
	assert_int_equal(vcpu_read_cr4(&vcpu), 0x1000 + VCPU_REGS_CR4);
	assert_int_equal(fake.cache_calls, 3);
	assert_int_equal(fake.cache_last, VCPU_REGS_CR4);
}

static void test_write_marks_avail_and_dirty(void **state)
{
	vcpu_write_rip(&vcpu, 0xfff0);
	assert_int_equal(fake.cache_calls, 0);
	assert_int_equal(vcpu.regs_avail, RIP_BIT);
	assert_int_equal(vcpu.regs_dirty, RIP_BIT);
	assert_int_equal(vcpu_read_rip(&vcpu), 0xfff0);
	assert_int_equal(fake.cache_calls, 0);
	assert_true(vcpu_regs_consistent(&vcpu));
}

static void test_after_exit_gprs_available_not_rsp(void **state)
{
	vcpu_write_rip(&vcpu, 1);
	vcpu_write_rsp(&vcpu, 2);
	vcpu_regs_reset_after_exit(&vcpu);
	assert_int_equal(vcpu.regs_dirty, 0);
	for (unsigned r = 0; r < NR_VCPU_REGS; r++) {
		bool avail = vcpu.regs_avail & (1u << r);

		if (r < 16 && r != VCPU_REGS_RSP)
			assert_true(avail);
		else
			assert_false(avail);
	}
}

static void test_gpr_access(void **state)
{
	vcpu_regs_reset_after_exit(&vcpu);
	vcpu.regs[VCPU_REGS_RBX] = 0xb0b;
	vcpu.regs[VCPU_REGS_R15] = 0xf15;
	vcpu.regs[VCPU_REGS_RSP] = 0xdead;
	assert_int_equal(vcpu_read_gpr(&vcpu, VCPU_REGS_RBX), 0xb0b);
	assert_int_equal(vcpu_read_gpr(&vcpu, 15), 0xf15);
	assert_int_equal(fake.cache_calls, 0);
	/* RSP is not stub-saved: fetched through the cache */
	assert_int_equal(vcpu_read_gpr(&vcpu, 4), 0x1000 + VCPU_REGS_RSP);
	assert_int_equal(fake.cache_calls, 1);
	assert_int_equal(fake.cache_last, VCPU_REGS_RSP);
	assert_int_equal(vcpu_read_gpr(&vcpu, 4), 0x1000 + VCPU_REGS_RSP);
	assert_int_equal(fake.cache_calls, 1);

	vcpu_regs_reset_after_exit(&vcpu);
	vcpu_write_gpr(&vcpu, 4, 0x8000);
	assert_int_equal(vcpu.regs[VCPU_REGS_RSP], 0x8000);
	assert_int_equal(vcpu.regs_dirty, RSP_BIT);
	assert_true(vcpu.regs_avail & RSP_BIT);
	assert_int_equal(vcpu_read_gpr(&vcpu, 4), 0x8000);
	assert_int_equal(fake.cache_calls, 1);

	vcpu_write_gpr(&vcpu, VCPU_REGS_RAX, 0xaaa);
	vcpu_write_gpr(&vcpu, VCPU_REGS_R9, 0x999);
	assert_int_equal(vcpu.regs[VCPU_REGS_RAX], 0xaaa);
	assert_int_equal(vcpu.regs[VCPU_REGS_R9], 0x999);
	assert_int_equal(vcpu.regs_dirty, RSP_BIT); /* stub reloads them anyway */
	assert_int_equal(vcpu.regs_avail, VCPU_REGS_GPR_MASK | RSP_BIT);
	assert_int_equal(vcpu_read_gpr(&vcpu, VCPU_REGS_R9), 0x999);
	assert_int_equal(fake.cache_calls, 1);
}

static void test_regs_consistent(void **state)
{
	vcpu.regs_avail = 0;
	vcpu.regs_dirty = 0;
	assert_true(vcpu_regs_consistent(&vcpu));
	vcpu.regs_avail = RIP_BIT;
	assert_true(vcpu_regs_consistent(&vcpu));
	vcpu.regs_dirty = RIP_BIT;
	assert_true(vcpu_regs_consistent(&vcpu));
	vcpu.regs_dirty = RIP_BIT | CR3_BIT;
	assert_false(vcpu_regs_consistent(&vcpu));
	vcpu.regs_avail = 0;
	vcpu.regs_dirty = RIP_BIT;
	assert_false(vcpu_regs_consistent(&vcpu));
	vcpu.regs_avail = VCPU_REGS_GPR_MASK;
	vcpu.regs_dirty = RSP_BIT;
	assert_false(vcpu_regs_consistent(&vcpu));
}

/* ---- INIT and SIPI (hv/vcpu_init.c) ---- */

/* An AP before its SIPI is never entered. */
static void test_waiting_vcpu_not_entered(void **state)
{
	play(NULL, 0);
	vcpu.state = VCPU_WAIT_SIPI;
	assert_int_equal(vcpu_run(&vcpu), EXIT_WAIT_SIPI);
	assert_string_equal(fake.log, "");
	assert_int_equal(vcpu.state, VCPU_WAIT_SIPI);
}

static void test_sipi_starts_waiting_vcpu(void **state)
{
	static const struct step script[] = {{0, false, EXIT_YIELD, 0}};

	play(script, 1);
	vcpu.state = VCPU_WAIT_SIPI;
	vcpu.requests = VCPU_REQ_SIPI;
	fake.sipi = 0x9f;
	assert_int_equal(vcpu_run(&vcpu), EXIT_YIELD);
	assert_string_equal(fake.log, "SFRPH");
	assert_int_equal(fake.started_at, 0x9f);
	assert_int_equal(vcpu.state, VCPU_RUNNABLE);
}

/* A SIPI to a running vCPU does nothing (the second SIPI of INIT-SIPI-SIPI). */
static void test_sipi_ignored_while_running(void **state)
{
	static const struct step script[] = {{0, false, EXIT_YIELD, 0}};

	play(script, 1);
	vcpu.requests = VCPU_REQ_SIPI;
	fake.sipi = 0x10;
	assert_int_equal(vcpu_run(&vcpu), EXIT_YIELD);
	assert_string_equal(fake.log, "FRPH");
	assert_int_equal(vcpu.state, VCPU_RUNNABLE);
}

/* INIT of a running vCPU resets it and leaves it waiting, before any entry;
 * a later SIPI starts it again. */
static void test_init_resets_then_waits(void **state)
{
	static const struct step script[] = {
		{0, false, EXIT_RESUME, VCPU_REQ_INIT},
		{0, false, EXIT_YIELD, 0},
	};

	play(script, 2);
	assert_int_equal(vcpu_run(&vcpu), EXIT_WAIT_SIPI);
	assert_string_equal(fake.log, "FRPHI");
	assert_int_equal(vcpu.state, VCPU_WAIT_SIPI);
	assert_int_equal(vcpu_run(&vcpu), EXIT_WAIT_SIPI); /* no SIPI yet */
	vcpu.requests = VCPU_REQ_SIPI;
	fake.sipi = 0x08;
	assert_int_equal(vcpu_run(&vcpu), EXIT_YIELD);
	assert_string_equal(fake.log, "FRPHISFRPH");
	assert_int_equal(fake.started_at, 0x08);
}

/* INIT and SIPI seen together: reset first, then the start. */
static void test_init_and_sipi_together(void **state)
{
	static const struct step script[] = {{0, false, EXIT_YIELD, 0}};

	play(script, 1);
	vcpu.requests = VCPU_REQ_INIT | VCPU_REQ_SIPI;
	fake.sipi = 0x01;
	assert_int_equal(vcpu_run(&vcpu), EXIT_YIELD);
	assert_string_equal(fake.log, "ISFRPH");
	assert_int_equal(fake.started_at, 0x01);
}

/* A SIPI request whose vector was taken already (none pending) starts nothing. */
static void test_sipi_request_without_vector(void **state)
{
	play(NULL, 0);
	vcpu.state = VCPU_WAIT_SIPI;
	vcpu.requests = VCPU_REQ_SIPI;
	assert_int_equal(vcpu_run(&vcpu), EXIT_WAIT_SIPI);
	assert_string_equal(fake.log, "");
}

/* A stop wins over a pending SIPI. */
static void test_stop_before_sipi(void **state)
{
	play(NULL, 0);
	vcpu.state = VCPU_WAIT_SIPI;
	vcpu.requests = VCPU_REQ_SIPI | VCPU_REQ_STOP;
	fake.sipi = 0x20;
	assert_int_equal(vcpu_run(&vcpu), EXIT_STOP_VM);
	assert_string_equal(fake.log, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_stop_request_returns_before_entry, setup),
		cmocka_unit_test_setup(test_tlb_flush_request_once_then_enter, setup),
		cmocka_unit_test_setup(test_request_raised_by_handler, setup),
		cmocka_unit_test_setup(test_debug_request_breaks_in_before_entry, setup),
		cmocka_unit_test_setup(test_ctrl_c_breaks_in_debugged_vcpu, setup),
		cmocka_unit_test_setup(test_kick_in_guest_taken_before_next_entry, setup),
		cmocka_unit_test_setup(test_kick_after_check_handled_next_pass, setup),
		cmocka_unit_test_setup(test_event_request_reaches_injection, setup),
		cmocka_unit_test_setup(test_idle_events_skip_injection, setup),
		cmocka_unit_test_setup(test_flush_regs_before_each_entry, setup),
		cmocka_unit_test_setup(test_first_flush_sees_dirty_rip, setup),
		cmocka_unit_test_setup(test_fastpath_reenters_without_handler, setup),
		cmocka_unit_test_setup(test_fastpath_action_returned, setup),
		cmocka_unit_test_setup(test_resume_loops, setup),
		cmocka_unit_test_setup(test_other_actions_returned, setup),
		cmocka_unit_test_setup(test_failed_entry_stops_vm, setup),
		cmocka_unit_test_setup(test_exit_resets_cache, setup),
		cmocka_unit_test_setup(test_slice_ends_across_fast_exits, setup),
		cmocka_unit_test_setup(test_slice_ends_across_resumed_exits, setup),
		cmocka_unit_test_setup(test_no_slice_never_yields_on_time, setup),
		cmocka_unit_test_setup(test_expired_slice_keeps_requests, setup),
		cmocka_unit_test_setup(test_inconsistent_cache_panics, setup),
		cmocka_unit_test_setup(test_read_caches_once_until_exit, setup),
		cmocka_unit_test_setup(test_write_marks_avail_and_dirty, setup),
		cmocka_unit_test_setup(test_after_exit_gprs_available_not_rsp, setup),
		cmocka_unit_test_setup(test_gpr_access, setup),
		cmocka_unit_test_setup(test_regs_consistent, setup),
		cmocka_unit_test_setup(test_waiting_vcpu_not_entered, setup),
		cmocka_unit_test_setup(test_sipi_starts_waiting_vcpu, setup),
		cmocka_unit_test_setup(test_sipi_ignored_while_running, setup),
		cmocka_unit_test_setup(test_init_resets_then_waits, setup),
		cmocka_unit_test_setup(test_init_and_sipi_together, setup),
		cmocka_unit_test_setup(test_sipi_request_without_vector, setup),
		cmocka_unit_test_setup(test_stop_before_sipi, setup),
		cmocka_unit_test_setup(test_pause_request_keeps_the_others, setup),
		cmocka_unit_test_setup(test_stop_wins_over_pause, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
