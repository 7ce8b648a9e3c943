/*
 * Interrupts for vCPUs (see virq.h): each vCPU owns a virtual local APIC
 * (hv/vdev/vlapic.c) whose registers live on one 4 KiB frame, which the
 * backend also uses as the virtual-APIC page. APIC IDs are vCPU indexes.
 * Messages are routed with apic_bus_targets; an accepted one sets the target's
 * request bits and kicks it (sched_kick).
 */
#include "hv/virq.h"
#include "hv/log.h"
#include "hv/sched.h"
#include "hv/vcpu.h"
#include "hv/vdev/apic_bus.h"
#include "hv/vdev/irq_line.h"
#include "hv/vdev/vlapic.h"
#include "hv/vm.h"
#include "err.h"
#include "mm/mm.h"

_Static_assert(VMCONFIG_MAX_VCPUS <= APIC_BUS_MAX, "a target set names every vCPU");

/* An ICR write of v's APIC: v is the source. */
static void lapic_send(void *ctx, const struct apic_msg *msg)
{
	struct vcpu *v = ctx;
	struct apic_msg m = *msg;

	m.src = v->id;
	virq_deliver(v->vm, &m);
}

/* An EOI of a level-triggered vector on v's APIC (the model's, without
 * virtual-interrupt delivery; the backend's EOI-induced exit with it). */
void virq_level_eoi(struct vcpu *v, uint8_t vector)
{
	vm_irq_eoi(v->vm, vector);
}

static void lapic_level_eoi(void *ctx, uint8_t vector)
{
	virq_level_eoi(ctx, vector);
}

static const struct vlapic_ops lapic_ops = {.send = lapic_send, .level_eoi = lapic_level_eoi};

static hpa_t page_hpa(const struct vlapic *l)
{
	return (hpa_t)(uintptr_t)l->regs; /* the direct map is an identity map (mm/mm.h) */
}

int virq_vcpu_init(struct vcpu *v)
{
	struct vlapic *l = kzalloc(sizeof(*l));
	hpa_t page;

	if (!l)
		return -ENOMEM;
	page = mm_alloc_frames(1, PAGE_SIZE);
	if (page == INVALID_HPA) {
		kfree(l);
		return -ENOMEM;
	}
	vlapic_init(l, phys_to_virt(page), v->id, v->id == 0, &lapic_ops, v);
	v->lapic = l;
	return 0;
}

/*
 * A sibling still running may be delivering to v's APIC: while other vCPUs of
 * the VM are live (not retired), the APIC stays; the VM's final free (a second
 * call, with none live) takes it then.
 */
void virq_vcpu_free(struct vcpu *v)
{
	struct vlapic *l = v->lapic;

	if (!l || __atomic_load_n(&v->vm->vcpus_live, __ATOMIC_ACQUIRE) > 1)
		return;
	v->lapic = NULL;
	mm_free_frames(page_hpa(l), 1);
	__atomic_fetch_add(&v->vm->frames_freed, 1, __ATOMIC_RELAXED);
	kfree(l);
}

hpa_t virq_apic_page_hpa(struct vcpu *v)
{
	return v->lapic ? page_hpa(v->lapic) : INVALID_HPA;
}

/*
 * Sets req for v and kicks it, unless v is runnable and already had req: then
 * a kick is on its way or v has not run since, and it takes req when it next
 * enters. So a flood of IPIs to a descheduled vCPU does not interrupt, with
 * host IPIs, whatever else runs on that vCPU's core. A blocked v is kicked
 * every time (its requests wait while it is blocked).
 */
static void request(struct vcpu *v, uint32_t req)
{
	uint32_t old = __atomic_fetch_or(&v->requests, req, __ATOMIC_SEQ_CST);

	if (!(old & req) || v->state != VCPU_RUNNABLE)
		sched_kick(v);
}

/* msg reaches v: make it pending and tell v's run loop. */
static void deliver_one(struct vcpu *v, const struct apic_msg *msg)
{
	struct vlapic *l = v->lapic;

	switch (msg->mode) {
	case APIC_DM_INIT:
		if (vlapic_accept(l, msg))
			request(v, VCPU_REQ_INIT);
		return;
	case APIC_DM_SIPI:
		/* only a vCPU waiting for it (or about to, with an INIT pending) takes a SIPI */
		if (v->state != VCPU_WAIT_SIPI &&
		    !__atomic_load_n(&l->init_pending, __ATOMIC_ACQUIRE)) {
			log_debug("vm %s: SIPI to vCPU %u, which is not waiting for one: dropped",
			          v->vm->name, v->id);
			return;
		}
		if (vlapic_accept(l, msg))
			request(v, VCPU_REQ_SIPI);
		return;
	}
	if (vlapic_accept(l, msg)) {
		request(v, VCPU_REQ_EVENT);
		return;
	}
	log_debug("vm %s: vCPU %u refused vector 0x%x (mode %u)", v->vm->name, v->id, msg->vector,
	          msg->mode);
	request(v, VCPU_REQ_EVENT); /* its ESR may have raised the LVT error interrupt */
}

void virq_deliver(struct vm *vm, const struct apic_msg *msg)
{
	struct vlapic *lapics[VMCONFIG_MAX_VCPUS] = {NULL};
	uint32_t n = MIN(vm->nvcpus, VMCONFIG_MAX_VCPUS);
	uint64_t set;

	for (uint32_t i = 0; i < n; i++)
		lapics[i] = vm->vcpus[i] ? vm->vcpus[i]->lapic : NULL;
	set = apic_bus_targets(lapics, n, msg);
	if (!set) {
		/* ESR "send accept error" on the sender for a destination naming nobody
		 * (SDM Vol. 3A 11.5.3); a shorthand that names nobody is not an error */
		if (msg->shorthand == APIC_DEST_NONE && msg->src < n && lapics[msg->src]) {
			vlapic_error(lapics[msg->src], APIC_ESR_SEND_ACCEPT);
			request(vm->vcpus[msg->src], VCPU_REQ_EVENT); /* LVT error */
		}
		log_debug("vm %s: interrupt from vCPU %u (mode %u, vector 0x%x, dest 0x%x%s) "
		          "reaches nobody: dropped",
		          vm->name, msg->src, msg->mode, msg->vector, msg->dest,
		          msg->logical ? " logical" : "");
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		if (set & BIT(i))
			deliver_one(vm->vcpus[i], msg);
}

/* vCPU 0 carries the VM's PIT: its IRQ 0 deadline is that vCPU's timer. */
static bool carries_platform(const struct vcpu *v)
{
	return v->id == 0;
}

uint64_t virq_next_deadline(struct vcpu *v)
{
	uint64_t d = v->lapic ? vlapic_timer_deadline(v->lapic) : UINT64_MAX;

	if (carries_platform(v))
		d = MIN(d, pit_deadline(&v->vm->pit));
	return d;
}

void virq_poll_timers(struct vcpu *v, uint64_t now)
{
	struct vm *vm = v->vm;
	bool fired;

	if (v->lapic && vlapic_timer_poll(v->lapic, now))
		__atomic_fetch_or(&v->requests, VCPU_REQ_EVENT, __ATOMIC_RELEASE);
	if (!carries_platform(v) || now < pit_deadline(&vm->pit))
		return;
	spin_lock(&vm->io_lock);
	fired = pit_poll(&vm->pit, now);
	spin_unlock(&vm->io_lock);
	if (fired)
		vm_irq_pulse(vm, 0);
}

void virq_extint_raised(struct vm *vm)
{
	if (vm->nvcpus && vm->vcpus[0] && vm->vcpus[0]->lapic)
		request(vm->vcpus[0], VCPU_REQ_EVENT);
}

bool virq_extint(struct vcpu *v)
{
	uint32_t lvt0;

	if (v->id != 0 || !v->lapic || !vm_irq_extint(v->vm))
		return false;
	if (!vlapic_hw_enabled(v->lapic))
		return true;
	lvt0 = vlapic_reg(v->lapic, APIC_LVT0);
	return !(lvt0 & APIC_LVT_MASKED) && ((lvt0 >> 8) & 7) == APIC_DM_EXTINT;
}

/* Wait-for-SIPI: INIT or SIPI. Blocked: NMI or INIT always; an interrupt only
 * if it halted with RFLAGS.IF=1 and the vector is above PPR (or an ExtINT). */
bool virq_can_wake(struct vcpu *v)
{
	struct vlapic *l = v->lapic;

	if (!l)
		return false;
	if (__atomic_load_n(&l->init_pending, __ATOMIC_ACQUIRE))
		return true;
	if (v->state == VCPU_WAIT_SIPI)
		return __atomic_load_n(&l->sipi_pending, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&l->nmi_pending, __ATOMIC_ACQUIRE))
		return true;
	return v->halt_if && (vlapic_pending_vector(l) >= 0 || virq_extint(v));
}

/* An armed LAPIC timer, or for vCPU 0 the PIT, may wake it (the PIT's
 * interrupt may be routed elsewhere: then the target is woken by it). */
bool virq_may_wake_later(struct vcpu *v)
{
	struct vlapic *l = v->lapic;

	if (!l || v->state != VCPU_BLOCKED || !v->halt_if)
		return false;
	if (carries_platform(v) && pit_deadline(&v->vm->pit) != UINT64_MAX)
		return true;
	return vlapic_sw_enabled(l) && vlapic_timer_deadline(l) != UINT64_MAX;
}

int virq_take_sipi(struct vcpu *v)
{
	return v->lapic ? vlapic_take_sipi(v->lapic) : -1;
}
