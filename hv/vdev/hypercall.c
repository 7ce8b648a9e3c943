#include "hv/vdev/hypercall.h"
#include "err.h"
#include "hv/log.h"
#include "hv/vm.h"

/* Out of line, so that the other hypercalls run without its frame. */
static __attribute__((noinline)) uint64_t hc_print(struct vcpu *v, uint64_t gpa, uint64_t len)
{
	const char *s;

	if (len > HC_PRINT_MAX)
		return (uint64_t)-EINVAL;
	s = vm_gpa_to_hva(v->vm, gpa, len ? len : 1);
	if (!s)
		return (uint64_t)-EFAULT;
	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	log_raw("[%s] %.*s\n", v->vm->name, (int)len, s);
	return 0;
}

/* The hypercalls that do more than set the result; -ENOSYS for unknown ones. */
static uint64_t hypercall_other(struct vcpu *v, uint32_t nr, enum exit_action *action)
{
	uint64_t a1 = (uint32_t)v->regs[VCPU_REGS_RBX], a2 = (uint32_t)v->regs[VCPU_REGS_RCX];

	switch (nr) {
	case HC_PRINT:
		return hc_print(v, a1, a2);
	case HC_EXIT:
		vm_stop(v->vm, "exit hypercall, status %lu", a1);
		*action = EXIT_STOP_VM;
		return 0;
	case HC_XFD_STATS:
		return a1 == 0   ? v->fpu.xfd.allocs
		       : a1 == 1 ? v->fpu.xfd.nm_exits
		                 : (uint64_t)-EINVAL;
	}
	return (uint64_t)-HC_ENOSYS;
}

enum exit_action hypercall(struct vcpu *v)
{
	uint32_t nr = (uint32_t)v->regs[VCPU_REGS_RAX];
	enum exit_action action = EXIT_RESUME;
	uint64_t ret;

	if (!hypercall_quick(nr, &ret, &action))
		ret = hypercall_other(v, nr, &action);
	v->regs[VCPU_REGS_RAX] = (uint32_t)ret;
	return action;
}
