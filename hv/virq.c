#include "hv/virq.h"
#include "hv/vcpu.h"
#include "hv/vdev/vlapic.h"

/* Placeholder until the virtual local APIC exists: no interrupt sources. */
int virq_vcpu_init(struct vcpu *v)
{
	return 0;
}

void virq_vcpu_free(struct vcpu *v)
{
}

void virq_deliver(struct vm *vm, const struct apic_msg *msg)
{
}

uint64_t virq_next_deadline(struct vcpu *v)
{
	return UINT64_MAX;
}

void virq_poll_timers(struct vcpu *v, uint64_t now)
{
}

bool virq_can_wake(struct vcpu *v)
{
	return false;
}

bool virq_may_wake_later(struct vcpu *v)
{
	return false;
}

int virq_take_sipi(struct vcpu *v)
{
	return v->lapic ? vlapic_take_sipi(v->lapic) : -1;
}
