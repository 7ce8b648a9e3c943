#include "hv/sched.h"
#include "drivers/lapic.h"
#include "drivers/tsc.h"
#include "fpu/fpu.h"
#include "hv/config/options.h"
#include "hv/console_in.h"
#include "hv/log.h"
#include "hv/panic.h"
#include "hv/park.h"
#include "hv/percpu.h"
#include "hv/slice.h"
#include "hv/smp.h"
#include "hv/trap.h"
#include "hv/vcpu.h"
#include "hv/virq.h"
#include "hv/vm.h"
#include "mm/mm.h"
#include "x86.h"

static uint32_t vcpus_alive;
static uint64_t slice_ticks; /* sched_slice_us= in TSC ticks */
static struct spinlock place_lock = SPINLOCK_INIT;

static struct vcpu *vcpu_of(struct sched_entity *e)
{
	return container_of(e, struct vcpu, se);
}

void sched_reserve(uint32_t cpu, int32_t weight)
{
	__atomic_fetch_add(&percpu_area[cpu].placed_weight, (uint32_t)weight, __ATOMIC_RELAXED);
}

uint32_t sched_place_vcpu(uint32_t weight)
{
	uint32_t load[MAX_CPUS], cpu;

	spin_lock(&place_lock);
	for (uint32_t i = 0; i < cpus_online; i++)
		load[i] = __atomic_load_n(&percpu_area[i].placed_weight, __ATOMIC_RELAXED);
	cpu = sched_place(load, cpus_online);
	sched_reserve(cpu, (int32_t)weight);
	spin_unlock(&place_lock);
	return cpu;
}

/* Any CPU may queue a vCPU; the CPU it is placed on moves it into its run
 * queue. A vCPU's VMCS is only ever current on the CPU whose queue holds it,
 * so that CPU is the one to retire it (VMCLEAR). */
void sched_add(struct vcpu *v)
{
	struct percpu *c = &percpu_area[v->pcpu];
	struct vcpu *head = __atomic_load_n(&c->incoming, __ATOMIC_RELAXED);

	__atomic_fetch_add(&vcpus_alive, 1, __ATOMIC_ACQ_REL);
	do
		v->next_on_cpu = head;
	while (!__atomic_compare_exchange_n(&c->incoming, &head, v, true, __ATOMIC_RELEASE,
	                                    __ATOMIC_RELAXED));
	if (c->state == CPU_ONLINE && v->pcpu != cpu_id())
		lapic_send_fixed(c->apic_id, VEC_WAKEUP);
}

/*
 * The caller has set v's request bits (or made an interrupt pending) first.
 * On this CPU nothing more is needed: its loop looks at every vCPU before the
 * next entry. Another CPU is sent the wake-up IPI: it ends its halt, or makes
 * the guest exit (external-interrupt exiting). The run loop takes the requests
 * with interrupts off right before VM entry, so an IPI that arrives after that
 * check stays pending and makes the entry exit at once: no request waits for
 * the next slice.
 */
void sched_kick(struct vcpu *v)
{
	struct percpu *c = &percpu_area[v->pcpu];

	if (v->pcpu != cpu_id() && c->state == CPU_ONLINE)
		lapic_send_fixed(c->apic_id, VEC_WAKEUP);
}

void sched_timer_armed(struct vcpu *v, uint64_t deadline)
{
	if (v->slice_end == SLICE_NONE || deadline < v->slice_end)
		v->slice_end = deadline ? deadline : 1;
}

static void vcpu_stuck(struct vcpu *v);

/* Moves the vCPUs queued for this CPU into its run queue. */
static void take_incoming(struct percpu *c, uint64_t now)
{
	struct vcpu *v = __atomic_exchange_n(&c->incoming, NULL, __ATOMIC_ACQUIRE), *next;

	for (; v; v = next) {
		next = v->next_on_cpu;
		v->se.weight = v->vm->config->weight;
		sched_enqueue(&c->rq, &v->se);
		if (v->state != VCPU_RUNNABLE)
			sched_block(&c->rq, &v->se, now);
		if (v->state == VCPU_WAIT_SIPI)
			vcpu_stuck(v);
	}
}

void sched_wait_for_go(void)
{
	struct percpu *c = this_cpu();

	while (!c->go) {
		if (panic_in_progress())
			cpu_park();
		irq_enable_and_halt();
		irq_disable();
	}
}

/*
 * v's VM has stopped: v leaves this CPU for good. Its VMCS stops being current
 * here; it is then freed on this CPU, the CPU it is placed on (the VM goes with
 * its last vCPU). A VM built again for restart= is queued before v stops
 * counting, so the count of live vCPUs only reaches 0 once nothing will run.
 */
static void vcpu_retire(struct percpu *c, struct vcpu *v)
{
	struct vm *next;

	sched_report_vcpu(v);
	sched_dequeue(&c->rq, &v->se);
	sched_reserve(c->id, -(int32_t)v->se.weight);
	v->state = VCPU_STOPPED;
	if (c->current == v)
		c->current = NULL;
	next = vm_vcpu_retire(v);
	for (uint32_t i = 0; next && i < next->nvcpus; i++)
		sched_add(next->vcpus[i]);
	if (__atomic_sub_fetch(&vcpus_alive, 1, __ATOMIC_ACQ_REL) == 0) {
		mm_report("after the last VM stopped");
		log_info("all VMs have stopped");
		hv_stop(STOP_DONE);
	}
}

/* Retires the vCPUs of VMs that stopped. */
static void reap_stopped(struct percpu *c)
{
	struct sched_entity *e = c->rq.head, *next;

	for (; e; e = next) {
		struct vm *vm = vcpu_of(e)->vm;

		next = e->next;
		if (vm->state != VM_STOPPED)
			continue;
		if (!__atomic_load_n(&vm->holds, __ATOMIC_SEQ_CST))
			vcpu_retire(c, vcpu_of(e));
		else if (e->runnable) /* the monitor reads it: kept, not run */
			sched_block(&c->rq, e, tsc_now());
	}
}

/* Nothing of v's own can wake it: counts it, and stops its VM once that holds
 * for every vCPU and none has something pending (vCPUs of one VM live on
 * different CPUs: the count is atomic, the last to arrive checks the others). */
static void vcpu_stuck(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (v->stuck || vm->state == VM_STOPPED)
		return; /* a stopped VM's siblings may be retired already */
	v->stuck = true;
	if (__atomic_add_fetch(&vm->vcpus_stuck, 1, __ATOMIC_ACQ_REL) < vm->nvcpus)
		return;
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		struct vcpu *w = vm->vcpus[i];
		if (virq_can_wake(w) || __atomic_load_n(&w->requests, __ATOMIC_ACQUIRE) &
		                                (VCPU_REQ_INIT | VCPU_REQ_SIPI))
			return;
	}
	vm_stop(vm, "every vCPU is halted or waiting for SIPI with nothing able to wake it");
}

static void vcpu_unstuck(struct vcpu *v)
{
	if (!v->stuck)
		return;
	v->stuck = false;
	__atomic_sub_fetch(&v->vm->vcpus_stuck, 1, __ATOMIC_ACQ_REL);
}

/* v stops running until it has something to do (HLT, wait-for-SIPI). */
static void vcpu_block(struct percpu *c, struct vcpu *v, enum vcpu_state state, uint64_t now)
{
	if (virq_can_wake(v))
		return; /* an interrupt came in time: HLT ends at once */
	v->state = state;
	sched_block(&c->rq, &v->se, now);
	if (state == VCPU_WAIT_SIPI || !virq_may_wake_later(v))
		vcpu_stuck(v);
}

/*
 * Each pass: fires the due timers of every vCPU here and makes runnable those
 * blocked or waiting ones that can now take an interrupt, NMI, INIT or SIPI.
 * Returns the earliest timer deadline of the vCPUs here (UINT64_MAX: none).
 */
static uint64_t poll_vcpus(struct percpu *c, uint64_t now)
{
	uint64_t earliest = UINT64_MAX;

	for (struct sched_entity *e = c->rq.head; e; e = e->next) {
		struct vcpu *v = vcpu_of(e);

		if (v->parked || v->vm->state == VM_STOPPED)
			continue; /* timers fire after the resume; a stopped VM waits to be retired */
		virq_poll_timers(v, now);
		if (v->state != VCPU_RUNNABLE && virq_can_wake(v)) {
			vcpu_unstuck(v);
			/* one waiting for SIPI stays so until its run loop starts it
			 * at the SIPI's page or resets it (hv/vcpu_init.c) */
			if (v->state == VCPU_BLOCKED)
				v->state = VCPU_RUNNABLE;
			sched_wake(&c->rq, e, now);
		}
		earliest = MIN(earliest, virq_next_deadline(v));
	}
	return earliest;
}

/* Nothing to run: halts until an IPI or the LAPIC timer, armed for the
 * earliest guest timer deadline of this CPU's vCPUs. */
static void idle(struct percpu *c, uint64_t deadline)
{
	uint64_t t0;

	if (panic_in_progress())
		cpu_park();
	if (deadline != UINT64_MAX)
		lapic_timer_arm(c->id, deadline);
	t0 = tsc_now();
	irq_enable_and_halt();
	irq_disable();
	c->idle_ticks += tsc_now() - t0;
}

/* Makes v current on this CPU: its VMCS and its FPU state. */
void sched_switch_to(struct percpu *c, struct vcpu *v)
{
	if (c->current == v)
		return;
	if (c->current)
		vmm_ops->vcpu_put(c->current);
	vmm_ops->vcpu_load(v);
	fpu_switch_to(c->current, v);
	c->current = v;
}

/*
 * Runs v until entry_end. On the BSP the entry also ends at each console poll
 * (every millisecond): the poll runs and v is entered again at once, without
 * a pass of the scheduler, so that polling costs an exit, not a vCPU switch.
 */
static enum exit_action run_polling(struct percpu *c, struct vcpu *v, uint64_t entry_end)
{
	for (;;) {
		uint64_t poll = c->id == 0 ? console_in_next_poll(tsc_now()) : UINT64_MAX;
		enum exit_action a;

		entry_end = MIN(entry_end, virq_next_deadline(v)); /* timers v armed */
		v->slice_end = MIN(entry_end, poll);
		a = vcpu_run(v);
		/* a timer armed meanwhile lowered slice_end, or the entry's end came:
		 * that is for the scheduler */
		if (a != EXIT_YIELD || v->slice_end != poll || !slice_expired(poll, tsc_now()) ||
		    slice_expired(entry_end, tsc_now()))
			return a;
		console_in_poll();
	}
}

__noreturn void sched_cpu_loop(void)
{
	struct percpu *c = this_cpu();
	struct vcpu *last = NULL; /* whose slice runs until slice_end */
	uint64_t slice_end = 0;

	lapic_timer_init(c->id);
	for (;;) {
		struct sched_entity *e;
		struct vcpu *v;
		enum exit_action a;
		uint64_t now, deadline, t;

		trap_report();
		if (c->id == 0)
			console_in_poll();
		reap_stopped(c); /* may queue a restarted VM's vCPUs here */
		now = tsc_now();
		take_incoming(c, now);
		park_pass(&c->rq, NULL, now);
		sched_serve_call(c);
		deadline = poll_vcpus(c, now);
		e = sched_pick(&c->rq, now);
		if (!e) {
			last = NULL;
			/* an idle BSP wakes for the console's next poll */
			idle(c, c->id == 0 ? MIN(deadline, console_in_next_poll(now)) : deadline);
			continue;
		}
		v = vcpu_of(e);
		sched_switch_to(c, v);
		/* A fresh slice unless v was picked again before its slice ended
		 * (an early stop for a timer). A vCPU alone on its core gets slices
		 * too: the scheduler must look again within a slice, for vCPUs
		 * queued here since (restart=, another core's sched_add). */
		if (v != last || slice_expired(slice_end, now))
			slice_end = slice_deadline(now, slice_ticks);
		last = v;
		c->in_run = v;
		a = run_polling(c, v, MIN(slice_end, deadline));
		c->in_run = NULL;
		t = tsc_now();
		sched_charge(&c->rq, e, t - now);
		if (a == EXIT_HALT) {
			vcpu_block(c, v, VCPU_BLOCKED, t);
		} else if (a == EXIT_WAIT_SIPI) {
			vcpu_block(c, v, VCPU_WAIT_SIPI, t);
		} else if (a == EXIT_YIELD && !slice_expired(v->slice_end, t)) {
			sched_yield_slice(&c->rq, e); /* PAUSE loop, YIELD hypercall */
			last = NULL;
		} else if (a == EXIT_STOP_VM && v->vm->state != VM_STOPPED) {
			vm_stop(v->vm, "stopped by the hypervisor");
		}
	}
}

/* The slice length and the run queues, before any core runs a vCPU: the
 * events selftest releases the other cores before sched_start. */
static void sched_setup(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	slice_ticks = (uint64_t)hv_options.sched_slice_us * (tsc_hz / 1000000);
	for (uint32_t i = 0; i < MAX_CPUS; i++)
		sched_runq_init(&percpu_area[i].rq, slice_ticks);
	log_info("scheduler: %u us slices (%lu TSC ticks)", hv_options.sched_slice_us, slice_ticks);
}

void sched_release_aps(void)
{
	sched_setup();
	for (uint32_t i = 1; i < MAX_CPUS; i++) {
		if (percpu_area[i].state != CPU_ONLINE || percpu_area[i].go)
			continue;
		percpu_area[i].go = true;
		lapic_send_fixed(percpu_area[i].apic_id, VEC_WAKEUP);
	}
}

__noreturn void sched_start(void)
{
	sched_release_aps();
	if (!__atomic_load_n(&vcpus_alive, __ATOMIC_ACQUIRE)) {
		log_info("no VM to run");
		hv_stop(STOP_DONE);
	}
	sched_cpu_loop();
}
