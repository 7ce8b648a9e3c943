/*
 * Pausing VMs and calling into parked vCPUs (contract in hv/vm.h). A pause
 * raises the VM's pause count and sends every vCPU VCPU_REQ_PAUSE with a kick:
 * one in guest mode exits at once (hv/sched.c, sched_kick), its run loop
 * returns EXIT_PAUSE, and its CPU's next scheduler pass parks it (hv/park.c).
 * Blocked and waiting vCPUs are parked by the same pass, which the kick's IPI
 * wakes their CPU for. A parked vCPU's CPU keeps running its loop (or halts)
 * and serves the vcpu_call_parked requests posted in its percpu slot.
 */
#include "err.h"
#include "drivers/lapic.h"
#include "drivers/tsc.h"
#include "fpu/fpu.h"
#include "hv/park.h"
#include "hv/percpu.h"
#include "hv/sched.h"
#include "hv/trap.h"
#include "hv/vm.h"
#include "x86.h"

#define PAUSE_WAIT_MS 1000 /* how long vm_pause and vcpu_call_parked wait */

struct parked_call {
	struct vcpu *v;
	void (*fn)(struct vcpu *v, void *arg);
	void *arg;
	int ret;
	volatile bool done;
};

bool vm_paused(const struct vm *vm)
{
	return __atomic_load_n(&vm->pause_count, __ATOMIC_ACQUIRE) != 0;
}

static uint64_t wait_deadline(void)
{
	return tsc_now() + tsc_hz / 1000 * PAUSE_WAIT_MS;
}

/* What a CPU does while it waits for another: parks its own vCPUs of paused
 * VMs and serves calls posted to it, so that two CPUs waiting for each other
 * still make progress. */
static void wait_step(struct percpu *c)
{
	park_pass(&c->rq, c->in_run, tsc_now());
	sched_serve_call(c);
	cpu_relax();
}

int vm_pause(struct vm *vm)
{
	struct percpu *c = this_cpu();
	uint64_t deadline;

	__atomic_add_fetch(&vm->pause_count, 1, __ATOMIC_ACQ_REL);
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		__atomic_fetch_or(&vm->vcpus[i]->requests, VCPU_REQ_PAUSE, __ATOMIC_RELEASE);
		sched_kick(vm->vcpus[i]);
	}
	/* vCPUs of this CPU are not in guest mode now: park them here and now
	 * (the one whose exit handler called us parks when it returns) */
	park_pass(&c->rq, c->in_run, tsc_now());
	deadline = wait_deadline();
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		if (v->pcpu == c->id)
			continue;
		while (!__atomic_load_n(&v->parked, __ATOMIC_ACQUIRE)) {
			if (vm->state == VM_STOPPED)
				return 0; /* its vCPUs are retired, none runs again */
			if (tsc_now() > deadline)
				return -ETIMEDOUT;
			wait_step(c);
		}
	}
	return 0;
}

void vm_resume(struct vm *vm)
{
	uint32_t n = __atomic_load_n(&vm->pause_count, __ATOMIC_ACQUIRE);

	/* a resume without a pause changes nothing */
	while (n && !__atomic_compare_exchange_n(&vm->pause_count, &n, n - 1, false,
	                                         __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
	if (n != 1)
		return;
	for (uint32_t i = 0; i < vm->nvcpus; i++)
		sched_kick(vm->vcpus[i]); /* its CPU unparks it at its next pass */
}

/* On v's CPU: v's VMCS and FPU state current, its FPU image saved to its
 * buffer (fpu_switch_to(v, v) saves and reloads it), then fn. If this CPU is
 * inside another vCPU's exit handler, that vCPU is made current again. */
static void call_here(struct percpu *c, struct vcpu *v, void (*fn)(struct vcpu *, void *),
                      void *arg)
{
	struct vcpu *prev = c->in_run;

	sched_switch_to(c, v);
	fpu_switch_to(v, v);
	fn(v, arg);
	if (prev && prev != v)
		sched_switch_to(c, prev);
}

void sched_serve_call(struct percpu *c)
{
	struct parked_call *pc = __atomic_load_n(&c->call, __ATOMIC_ACQUIRE);

	/* claimed here, or taken back by a caller that gave up waiting */
	if (!pc || !__atomic_compare_exchange_n(&c->call, &pc, NULL, false, __ATOMIC_ACQ_REL,
	                                        __ATOMIC_ACQUIRE))
		return;
	if (pc->v->pcpu == c->id && __atomic_load_n(&pc->v->parked, __ATOMIC_ACQUIRE)) {
		call_here(c, pc->v, pc->fn, pc->arg);
		pc->ret = 0;
	} else {
		pc->ret = -EAGAIN;
	}
	__atomic_store_n(&pc->done, true, __ATOMIC_RELEASE);
}

int vcpu_call_parked(struct vcpu *v, void (*fn)(struct vcpu *v, void *arg), void *arg)
{
	struct percpu *c = this_cpu(), *t = &percpu_area[v->pcpu];
	struct parked_call pc = {.v = v, .fn = fn, .arg = arg};
	struct parked_call *none = NULL, *mine = &pc;
	uint64_t deadline;

	if (v->pcpu == c->id) {
		if (!v->parked && v != c->in_run)
			return -EAGAIN;
		call_here(c, v, fn, arg);
		return 0;
	}
	if (!__atomic_load_n(&v->parked, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	deadline = wait_deadline();
	while (!__atomic_compare_exchange_n(&t->call, &none, mine, false, __ATOMIC_ACQ_REL,
	                                    __ATOMIC_ACQUIRE)) {
		none = NULL;
		if (tsc_now() > deadline)
			return -EBUSY;
		wait_step(c);
	}
	lapic_send_fixed(t->apic_id, VEC_WAKEUP);
	while (!__atomic_load_n(&pc.done, __ATOMIC_ACQUIRE)) {
		if (tsc_now() > deadline &&
		    __atomic_compare_exchange_n(&t->call, &mine, NULL, false, __ATOMIC_ACQ_REL,
		                                __ATOMIC_ACQUIRE))
			return -ETIMEDOUT; /* not taken: it never runs */
		mine = &pc;
		wait_step(c);
	}
	return pc.ret;
}
