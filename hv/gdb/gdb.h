/*
 * The GDB stub: the GDB remote serial protocol on the debug UART (COM2) for
 * one vCPU at a time. While gdb has it stopped, the stub runs on that vCPU's
 * CPU in its exit path, polling COM2 (the other vCPUs of its VM are paused:
 * all-stop); `c`/`s` return to the guest, Ctrl-C or a breakpoint brings it
 * back. The protocol is hv/gdb/gdb_session.c (pure); the backend reaches the
 * vCPU's registers, memory and debug controls through struct gdb_backend.
 */
#ifndef SABLE_HV_GDB_H
#define SABLE_HV_GDB_H

#include "hv/gdb/gdb_session.h"
#include "hv/vmm_ops.h"
#include "types.h"

struct vm;
struct vcpu;

/* What the backend arms before the vCPU's next entry. */
struct gdb_arm {
	bool attached;     /* the debug registers are gdb's, the guest's kept apart */
	bool intercept_bp; /* INT3 (#BP) exits: our software breakpoints */
	bool step;         /* one instruction, then exit (monitor trap flag) */
	bool resume_flag;  /* RFLAGS.RF: do not re-hit the instruction breakpoint at RIP */
	uint64_t dr[GDB_HW_SLOTS];
	uint64_t dr7;
};

/* The backend's side, called on the vCPU's CPU with its state current there. */
struct gdb_backend {
	void (*get_regs)(struct vcpu *v, struct gdb_regs *r);
	void (*set_regs)(struct vcpu *v, const struct gdb_regs *r);
	/* guest-virtual (guest-physical with paging off), whatever the page
	 * rights; never a fault for the guest. 0 or -EFAULT. */
	int (*access_mem)(struct vcpu *v, uint64_t la, void *buf, uint32_t len, bool write);
	bool (*mode64)(struct vcpu *v);
	void (*arm)(struct vcpu *v, const struct gdb_arm *a);
};

/*
 * Attaches the stub to vCPU vcpu of vm (boot option gdb=, the monitor's
 * `gdb`): the vCPU stops at its next entry, before its first instruction if
 * it has not run yet, and waits for gdb on COM2. Any CPU. 0; -EINVAL: no such
 * vCPU; -EBUSY: gdb is attached to another vCPU; -ENODEV: no COM2.
 */
int gdb_attach(struct vm *vm, uint32_t vcpu);

/* v is the stub's vCPU and gdb holds it: stopped, or stopping at its next
 * entry after gdb_attach (not resumed by c/s). */
bool gdb_holds(const struct vcpu *v);

/* The run loop, before every entry of a debugged vCPU: true if gdb sent
 * Ctrl-C (the vCPU must break in). */
bool gdb_poll(struct vcpu *v);
/* The run loop, for VCPU_REQ_DEBUG: stops v for gdb until it resumes it. */
enum exit_action gdb_break_in(struct vcpu *v);
/* The backend's exit handlers: v stopped for gdb (a breakpoint, a watchpoint
 * in slot, a finished step). Returns when gdb resumes it. */
enum exit_action gdb_stop(struct vcpu *v, enum gdb_stop_kind kind, unsigned slot);
/* What the backend asks about an exception exit of the debugged vCPU. */
bool gdb_is_sw_bp(struct vcpu *v, uint64_t addr);
int gdb_hit_slot(struct vcpu *v, uint64_t dr6_bits); /* -1: not ours */
bool gdb_slot_is_exec(unsigned slot);
bool gdb_stepping(struct vcpu *v);
/* v is being freed (its VM stopped): gdb is told and the stub lets go. */
void gdb_vcpu_gone(struct vcpu *v);

#endif
