#include "hv/sched.h"
#include "drivers/lapic.h"
#include "drivers/tsc.h"
#include "fpu/fpu.h"
#include "hv/log.h"
#include "hv/panic.h"
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

/* Any CPU may queue a vCPU; the CPU it is pinned to moves it into its ring.
 * A vCPU's VMCS is only ever current on the CPU whose ring holds it, so that
 * CPU is the one to retire it (VMCLEAR). */
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

void sched_kick(struct vcpu *v)
{
	struct percpu *c = &percpu_area[v->pcpu];

	if (v->pcpu != cpu_id() && c->state == CPU_ONLINE)
		lapic_send_fixed(c->apic_id, VEC_WAKEUP);
}

/* Moves the vCPUs queued for this CPU into its run queue ring. */
static void take_incoming(struct percpu *c)
{
	struct vcpu *v = __atomic_exchange_n(&c->incoming, NULL, __ATOMIC_ACQUIRE), *next;

	for (; v; v = next) {
		next = v->next_on_cpu;
		if (!c->runq) {
			v->next_on_cpu = v;
			c->runq = v;
		} else {
			v->next_on_cpu = c->runq->next_on_cpu;
			c->runq->next_on_cpu = v;
		}
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

/* The next runnable vCPU after the current one, round robin; NULL if none. */
static struct vcpu *pick_next(struct percpu *c)
{
	struct vcpu *start = c->current ? c->current->next_on_cpu : c->runq, *v = start;

	if (!start)
		return NULL;
	do {
		if (v->vm->state == VM_RUNNING &&
		    (v->state == VCPU_RUNNABLE || (v->state == VCPU_WAIT_SIPI && virq_can_wake(v))))
			return v;
		v = v->next_on_cpu;
	} while (v != start);
	return NULL;
}

/*
 * v's VM has stopped: v leaves this CPU for good. Its VMCS stops being current
 * here; it is then freed on this CPU, the CPU it is pinned to (the VM goes with
 * its last vCPU). A VM built again for restart= is queued before v stops
 * counting, so the count of live vCPUs only reaches 0 once nothing will run.
 */
static void vcpu_retire(struct percpu *c, struct vcpu *v)
{
	struct vm *next;

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

/* Unlinks and retires the vCPUs of VMs that stopped: one walk round the ring,
 * from the vCPU after the head to the head, prev trailing v. */
static void reap_stopped(struct percpu *c)
{
	struct vcpu *prev = c->runq, *v, *next;
	bool last;

	if (!prev)
		return;
	for (v = prev->next_on_cpu;; v = next) {
		next = v->next_on_cpu;
		last = v == c->runq;
		if (v->vm->state != VM_STOPPED) {
			prev = v;
		} else if (next == v) {
			c->runq = NULL;
			vcpu_retire(c, v);
		} else {
			prev->next_on_cpu = next;
			if (c->runq == v)
				c->runq = prev;
			vcpu_retire(c, v);
		}
		if (last)
			return;
	}
}

/* v has just blocked or gone to wait for a SIPI: if no vCPU of its VM can run
 * again (each blocked or waiting, nothing pending to wake one), the VM stops.
 * Each vCPU sets its own state before it looks at the others', so the last of
 * two that stop at once on two CPUs sees both. */
static void vcpu_waits(struct vcpu *v, enum vcpu_state state)
{
	struct vm *vm = v->vm;

	__atomic_store_n(&v->state, state, __ATOMIC_SEQ_CST);
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		struct vcpu *w = vm->vcpus[i];
		enum vcpu_state s = __atomic_load_n(&w->state, __ATOMIC_SEQ_CST);

		if (s == VCPU_RUNNABLE || virq_can_wake(w) ||
		    (s == VCPU_BLOCKED && virq_may_wake_later(w)))
			return;
	}
	vm_stop(vm, "all vCPUs halted (HLT with no interrupt source)");
}

__noreturn void sched_cpu_loop(void)
{
	struct percpu *c = this_cpu();
	uint64_t slice = SCHED_TIME_SLICE_US * (tsc_hz / 1000000);

	for (;;) {
		struct vcpu *v;
		enum exit_action a;

		trap_report();
		reap_stopped(c); /* may queue a restarted VM's vCPUs here */
		take_incoming(c);
		v = pick_next(c);
		if (!v) {
			if (panic_in_progress())
				cpu_park();
			irq_enable_and_halt();
			irq_disable();
			continue;
		}
		if (c->current != v) {
			if (c->current)
				vmm_ops->vcpu_put(c->current);
			vmm_ops->vcpu_load(v);
			fpu_switch_to(c->current, v);
			c->current = v;
		}
		/* A fresh slice each time v is picked; it ends at a fixed TSC time. A
		 * vCPU alone on its core gets one too: the scheduler must look again
		 * within a slice, for vCPUs queued here since (restart=, another core's
		 * sched_add) whose wake-up IPI need not make the guest exit. */
		v->slice_end = slice_deadline(tsc_now(), slice);
		a = vcpu_run(v);
		if (a == EXIT_HALT || a == EXIT_WAIT_SIPI)
			vcpu_waits(v, a == EXIT_HALT ? VCPU_BLOCKED : VCPU_WAIT_SIPI);
		else if (a == EXIT_STOP_VM && v->vm->state != VM_STOPPED)
			vm_stop(v->vm, "stopped by the hypervisor");
	}
}

void sched_release_aps(void)
{
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
