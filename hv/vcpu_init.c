/* INIT and SIPI requests of a vCPU (SDM Vol. 3A sec. 11.6.1, 11.4.4.1): INIT
 * resets it into wait-for-SIPI, where it costs no CPU (the scheduler does not
 * pick it until a SIPI or another INIT is pending); a SIPI starts it in real
 * mode at its vector's page. A SIPI to a vCPU that is not waiting is ignored,
 * as a processor ignores it outside wait-for-SIPI. */
#include "hv/vcpu.h"
#include "hv/virq.h"

enum exit_action vcpu_take_init_sipi(struct vcpu *v, uint32_t req)
{
	/* taken first: INIT must not lose the SIPI that followed it */
	int vector = (req & VCPU_REQ_SIPI) ? virq_take_sipi(v) : -1;

	if (req & VCPU_REQ_INIT) {
		vmm_ops->vcpu_reset(v);
		v->state = VCPU_WAIT_SIPI;
	}
	if (v->state != VCPU_WAIT_SIPI)
		return EXIT_RESUME;
	if (vector < 0)
		return EXIT_WAIT_SIPI;
	vmm_ops->vcpu_start_at(v, (uint8_t)vector);
	v->state = VCPU_RUNNABLE;
	return EXIT_RESUME;
}
