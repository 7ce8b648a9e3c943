/* The generic core's only door to the virtualization backend (VMX here; a fake
 * one in the host unit tests). */
#ifndef SABLE_HV_VMM_OPS_H
#define SABLE_HV_VMM_OPS_H

#include "mm/pgtable.h"
#include "types.h"

struct vm;
struct vcpu;
struct gdb_backend;
enum vcpu_reg;

/* What the run loop does after an exit was handled. */
enum exit_action {
	EXIT_RESUME = 0, /* re-enter the guest */
	EXIT_YIELD,      /* give the CPU to the next vCPU, then resume */
	EXIT_HALT,       /* the vCPU waits (HLT) */
	EXIT_WAIT_SIPI,  /* the vCPU was reset by INIT and waits for a SIPI */
	EXIT_STOP_VM,    /* the VM is finished or broken: stop all its vCPUs */
	EXIT_PAUSE,      /* its VM is paused: the vCPU parks (hv/park.c) */
};

struct vmm_ops {
	const char *name;
	int (*cpu_enable)(void);       /* per physical CPU */
	void (*cpu_disable)(void);     /* leave VMX operation: a core that stops for good */
	int (*vm_init)(struct vm *vm); /* second-level translation etc. */
	void (*vm_destroy)(struct vm *vm);
	int (*vcpu_create)(struct vcpu *v); /* control structure, initial state */
	void (*vcpu_free)(struct vcpu *v);
	void (*vcpu_load)(struct vcpu *v); /* make v current on this CPU */
	void (*vcpu_put)(struct vcpu *v);
	void (*cache_reg)(struct vcpu *v, enum vcpu_reg r); /* read r into the cache */
	uint32_t regs_at_exit; /* cached registers (bits) that run() has read at every exit */
	/* Writes the dirty cached registers back and enters. After an exit it
	 * resets the register cache (vcpu_regs_reset_after_exit) and tries its
	 * fast path for the hot exits, counting each one handled there
	 * (vcpu_count_exit) and re-entering at once while vcpu_entry_clear
	 * holds. Returns 0 for an exit that handle_exit must handle (not counted
	 * yet), 1 when the last exit was handled on the fast path (*a: what the
	 * run loop does next), <0 if the entry failed. */
	int (*run)(struct vcpu *v, enum exit_action *a);
	enum exit_action (*handle_exit)(struct vcpu *v);
	void (*inject_exception)(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
	void (*skip_instruction)(struct vcpu *v);
	void (*flush_tlb)(struct vcpu *v);
	/* Before an entry: moves the highest-priority pending NMI or interrupt of v
	 * into the entry's event injection, or asks for an NMI/interrupt window. req:
	 * the requests taken for this entry; VCPU_REQ_EVENT says an event may have
	 * become pending from outside the backend's exit handlers. Not called while
	 * v->events_idle holds and no request came. */
	void (*inject_events)(struct vcpu *v, uint32_t req);
	void (*vcpu_reset)(struct vcpu *v); /* INIT: the architectural INIT state */
	void (*vcpu_start_at)(struct vcpu *v, uint8_t sipi); /* SIPI: real mode at sipi << 12 */
	void (*dump)(struct vcpu *v); /* the failed-entry report's VMCS dump (v's VMCS current) */
	void (*dump_regs)(struct vcpu *v); /* segments, descriptor tables, EFER (VMCS current) */
	/* The second-level translation of gpa, level by level (any CPU: the tables
	 * of a live VM do not change). */
	void (*gpa_walk)(struct vm *vm, gpa_t gpa, struct pt_walk *w);
	const char *(*exit_name)(uint32_t basic_reason); /* for the accounting report */
	const struct gdb_backend *gdb;                   /* the GDB stub's (hv/gdb/gdb.h) */
};

extern const struct vmm_ops *vmm_ops;

#endif
