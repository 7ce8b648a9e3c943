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
#include "hv/vm.h"
#include "x86.h"

static uint32_t vcpus_alive;

void sched_add(struct vcpu *v)
{
	struct percpu *c = &percpu_area[v->pcpu];

	if (!c->runq) {
		v->next_on_cpu = v;
		c->runq = v;
	} else {
		v->next_on_cpu = c->runq->next_on_cpu;
		c->runq->next_on_cpu = v;
	}
	__atomic_fetch_add(&vcpus_alive, 1, __ATOMIC_RELAXED);
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
static struct vcpu *pick_next(struct percpu *c, bool *others_waiting)
{
	struct vcpu *start = c->current ? c->current->next_on_cpu : c->runq, *v = start,
		    *found = NULL;
	unsigned runnable = 0;

	if (!start)
		return NULL;
	do {
		if (v->state == VCPU_RUNNABLE && v->vm->state == VM_RUNNING) {
			runnable++;
			if (!found)
				found = v;
		}
		v = v->next_on_cpu;
	} while (v != start);
	*others_waiting = runnable > 1;
	return found;
}

static void vcpu_retire(struct vcpu *v)
{
	if (v->state == VCPU_STOPPED)
		return;
	v->state = VCPU_STOPPED;
	if (__atomic_sub_fetch(&vcpus_alive, 1, __ATOMIC_ACQ_REL) == 0) {
		log_info("all VMs have stopped");
		hv_stop(STOP_DONE);
	}
}

/* Stops the vCPUs of VMs that stopped; they never run again. */
static void reap_stopped(struct percpu *c)
{
	struct vcpu *v = c->runq;

	if (!v)
		return;
	do {
		if (v->vm->state == VM_STOPPED)
			vcpu_retire(v);
		v = v->next_on_cpu;
	} while (v != c->runq);
}

static void vcpu_halted(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint32_t halted;

	v->state = VCPU_HALTED;
	halted = __atomic_add_fetch(&vm->vcpus_halted, 1, __ATOMIC_ACQ_REL);
	if (halted == vm->nvcpus)
		vm_stop(vm, "all vCPUs halted (HLT with no interrupt source)");
}

__noreturn void sched_cpu_loop(void)
{
	struct percpu *c = this_cpu();
	uint64_t slice = SCHED_TIME_SLICE_US * (tsc_hz / 1000000);

	for (;;) {
		bool others = false;
		struct vcpu *v;
		enum exit_action a;

		trap_report();
		reap_stopped(c);
		v = pick_next(c, &others);
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
		/* A fresh slice each time v is picked; it ends at a fixed TSC time. */
		v->slice_end = others ? slice_deadline(tsc_now(), slice) : SLICE_NONE;
		a = vcpu_run(v);
		if (a == EXIT_HALT)
			vcpu_halted(v);
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
