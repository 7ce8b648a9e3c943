/* Virtual CPUs: the register cache, requests and the run loop. */
#ifndef SABLE_HV_VCPU_H
#define SABLE_HV_VCPU_H

#include "fpu/guest_fpu.h"
#include "hv/bench_stats.h"
#include "hv/sched_policy.h"
#include "drivers/tsc.h"
#include "hv/panic.h"
#include "hv/slice.h"
#include "hv/vmm_ops.h"
#include "types.h"

/* Registers in the order of their instruction encoding, then those that live in
 * the backend's control structure and are read lazily (mechanism 7). */
enum vcpu_reg {
	VCPU_REGS_RAX = 0,
	VCPU_REGS_RCX,
	VCPU_REGS_RDX,
	VCPU_REGS_RBX,
	VCPU_REGS_RSP,
	VCPU_REGS_RBP,
	VCPU_REGS_RSI,
	VCPU_REGS_RDI,
	VCPU_REGS_R8,
	VCPU_REGS_R9,
	VCPU_REGS_R10,
	VCPU_REGS_R11,
	VCPU_REGS_R12,
	VCPU_REGS_R13,
	VCPU_REGS_R14,
	VCPU_REGS_R15,
	VCPU_REGS_RIP,
	VCPU_REGS_RFLAGS,
	VCPU_REGS_CR0,
	VCPU_REGS_CR3,
	VCPU_REGS_CR4,
	NR_VCPU_REGS,
};

/* Registers always held in vcpu->regs (saved by the entry/exit stub). */
#define VCPU_REGS_GPR_MASK (0xffffu & ~(1u << VCPU_REGS_RSP))

/* Work the run loop does before the next entry. */
#define VCPU_REQ_TLB_FLUSH BIT(0)
#define VCPU_REQ_STOP      BIT(1)
#define VCPU_REQ_EVENT     BIT(2) /* an interrupt or NMI may be pending: re-evaluate injection */
#define VCPU_REQ_INIT      BIT(3) /* INIT received: reset, then wait for SIPI */
#define VCPU_REQ_SIPI      BIT(4) /* SIPI received while waiting: start at sipi_vector */
#define VCPU_REQ_PAUSE     BIT(5) /* its VM is being paused: leave guest mode and park (hv/park.c) */
#define VCPU_REQ_DEBUG     BIT(6) /* stop for the GDB stub (hv/gdb/gdb.h) */

enum vcpu_state {
	VCPU_RUNNABLE = 0,
	VCPU_BLOCKED,   /* executed HLT: waits for an interrupt it can take (hv/virq.h) */
	VCPU_WAIT_SIPI, /* an AP before its SIPI, or after INIT */
	VCPU_STOPPED,
};

#define VCPU_EXIT_REASONS 128 /* basic exit reasons counted one by one (a power of 2) */

/* Accounting, printed when the VM stops (run and blocked time: vcpu.se). */
struct vcpu_stats {
	uint64_t exits;
	uint64_t fast_exits;
	uint64_t entries_failed;
	uint64_t xsetbv;    /* XSETBV executions by the hypervisor for this vCPU (fpu/) */
	uint64_t fpu_wrmsr; /* WRMSR of IA32_XSS or PKRU for this vCPU (fpu/) */
	uint64_t exit_reason[VCPU_EXIT_REASONS]; /* by basic reason, counted by the backend */
	uint64_t irqs_injected;                  /* interrupts and NMIs injected (backend) */
	uint64_t nmis_injected;                  /* of which NMIs */
#ifdef SABLE_BENCH
	struct bench_row bench[BENCH_REASONS]; /* hv/bench.c */
#endif
};

struct vcpu {
	/* Guest general registers; the VMX entry stub uses these offsets. */
	uint64_t regs[NR_VCPU_REGS];
	uint64_t cr2;
	uint64_t host_rsp; /* the entry stub's: the HOST_RSP its control structure holds, 0: none */
	uint32_t regs_avail; /* bit r: regs[r] holds the current value */
	uint32_t regs_dirty; /* bit r: regs[r] must be written back before entry */
	uint32_t requests;
	struct vm *vm;
	uint32_t id;   /* index inside its VM */
	uint32_t pcpu; /* physical CPU it runs on */
	volatile enum vcpu_state state;
	struct vcpu *next_on_cpu; /* link of its CPU's incoming list (sched_add) */
	void *arch;               /* backend data (struct vcpu_vmx) */
	struct guest_fpu fpu;     /* its FPU context (fpu/) */
	struct vlapic *lapic;     /* its virtual local APIC (hv/virq.c) */
	bool halt_if;             /* RFLAGS.IF when it executed HLT */
	/* The backend found nothing to inject at the last entry and nothing since
	 * can have changed that: the run loop skips inject_events until a request
	 * comes (VCPU_REQ_EVENT, ...) or the backend clears it (vmx/vmx_irq.c). */
	bool events_idle;
	/* TSC deadline of this entry into the guest: the end of its time slice, or
	 * sooner a timer of a vCPU on its core; SLICE_NONE: unlimited. */
	uint64_t slice_end;
	struct sched_entity se; /* its place in its CPU's run queue */
	bool stuck;             /* counted in vm->vcpus_stuck */
	bool debugged;          /* the GDB stub is attached to it (hv/gdb/gdb.h) */
	/* Parked by its CPU while its VM is paused (hv/park.c): not picked, its
	 * state saved; park_wake: it was runnable when parked. */
	volatile bool parked;
	bool park_wake;
	struct vcpu_stats stats;
};

_Static_assert(offsetof(struct vcpu, regs) == 0, "entry stub expects regs at offset 0");
_Static_assert(offsetof(struct vcpu, cr2) == 8 * NR_VCPU_REGS, "cr2 follows regs");

/* avail=0, dirty=1 is impossible: a register written back must be in the cache. */
static inline bool vcpu_regs_consistent(const struct vcpu *v)
{
	return (v->regs_dirty & ~v->regs_avail) == 0;
}

/* Generates vcpu_read_<r>/vcpu_write_<r> over the avail/dirty cache. */
#define VCPU_CACHED_REG(name, reg)                                                                 \
	static inline uint64_t vcpu_read_##name(struct vcpu *v)                                    \
	{                                                                                          \
		if (!(v->regs_avail & (1u << (reg)))) {                                            \
			vmm_ops->cache_reg(v, reg);                                                \
			v->regs_avail |= 1u << (reg);                                              \
		}                                                                                  \
		return v->regs[reg];                                                               \
	}                                                                                          \
	static inline void vcpu_write_##name(struct vcpu *v, uint64_t val)                         \
	{                                                                                          \
		v->regs[reg] = val;                                                                \
		v->regs_avail |= 1u << (reg);                                                      \
		v->regs_dirty |= 1u << (reg);                                                      \
	}

VCPU_CACHED_REG(rsp, VCPU_REGS_RSP)
VCPU_CACHED_REG(rip, VCPU_REGS_RIP)
VCPU_CACHED_REG(rflags, VCPU_REGS_RFLAGS)
VCPU_CACHED_REG(cr0, VCPU_REGS_CR0)
VCPU_CACHED_REG(cr3, VCPU_REGS_CR3)
VCPU_CACHED_REG(cr4, VCPU_REGS_CR4)

/* A general register by its encoding number (RSP through the cache). */
uint64_t vcpu_read_gpr(struct vcpu *v, unsigned n);
void vcpu_write_gpr(struct vcpu *v, unsigned n, uint64_t val);

/* After an exit: only the stub-saved registers and those the backend reads at
 * every exit (vmm_ops->regs_at_exit) are known, nothing is dirty. */
static inline void vcpu_regs_reset_after_exit(struct vcpu *v)
{
	v->regs_avail = VCPU_REGS_GPR_MASK | vmm_ops->regs_at_exit;
	v->regs_dirty = 0;
}

/* Counts an exit in v's statistics (fast: handled on the backend's fast path). */
static inline void vcpu_count_exit(struct vcpu *v, bool fast)
{
	v->stats.exits++;
	v->stats.fast_exits += fast;
}

/*
 * True when the next entry needs none of the run loop's work but the
 * register write-back: the slice is open, no request came, no event waits,
 * v waits for no SIPI and no debugger polls it (hv/gdb: every entry). The run loop's test before every entry, and the
 * backend's before it re-enters from its fast path. Interrupts are off from
 * here to the entry: a kick (sched_kick) whose request bit lands after this
 * load has its IPI pending at the entry, which then exits at once
 * (external-interrupt exiting), and the next test sees the request.
 */
static inline bool vcpu_entry_clear(struct vcpu *v)
{
	return !slice_expired(v->slice_end, tsc_now()) &&
	       !__atomic_load_n(&v->requests, __ATOMIC_ACQUIRE) && v->events_idle &&
	       v->state != VCPU_WAIT_SIPI && !v->debugged;
}

/* The run loop's INIT/SIPI requests in req (hv/vcpu_init.c): EXIT_WAIT_SIPI
 * if v waits for a SIPI now, else EXIT_RESUME (started, or left running). */
enum exit_action vcpu_take_init_sipi(struct vcpu *v, uint32_t req);

/* Runs v until it yields, halts or its VM stops (mechanism 1). Entered with v
 * in VCPU_WAIT_SIPI it returns EXIT_WAIT_SIPI unless a SIPI is pending. A
 * VCPU_REQ_PAUSE makes it return EXIT_PAUSE before the next entry; the other
 * requests taken with it stay pending for the entry after the resume. */
enum exit_action vcpu_run(struct vcpu *v);

#endif
