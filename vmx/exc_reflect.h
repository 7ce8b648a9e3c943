/* What to do with a guest exception that caused a VM exit (pure: the caller
 * reads the VMCS and acts on the answer). */
#ifndef SABLE_VMX_EXC_REFLECT_H
#define SABLE_VMX_EXC_REFLECT_H

#include "types.h"

#define EXC_DB 1
#define EXC_NM 7
#define EXC_DF 8
#define EXC_PF 14
#define EXC_AC 17
#define EXC_MC 18

/* An event in the VM-exit / IDT-vectoring / VM-entry interruption-information
 * format (SDM Vol. 3C sec. 25.8.3, 25.9.2, 25.9.3) and its error code. */
struct exc_event {
	uint32_t info;
	uint32_t error;
};

/* Consecutive exits for one exception vector at one guest RIP. */
struct exc_loop {
	uint64_t rip;
	uint32_t count;
	uint8_t vector;
};

enum exc_action {
	EXC_REFLECT,      /* inject out->event */
	EXC_STOP_MCE,     /* a machine check: the VM is stopped */
	EXC_STOP_LOOP,    /* the exception recurs during its own delivery: stop the VM */
	EXC_TRIPLE_FAULT, /* a fault while delivering a double fault: stop the VM */
};

struct exc_decision {
	enum exc_action action;
	struct exc_event event; /* for EXC_REFLECT: what to inject */
	uint32_t count;         /* for EXC_STOP_LOOP: how many times in a row */
};

/*
 * Decides for exception exit `ex` (a valid hardware or software exception)
 * at guest RIP rip, which happened while delivering `vectoring` (bit 31 clear
 * if it did not). Nested exceptions follow the double-fault rules (SDM Vol. 3A
 * sec. 6.15, Table 6-5). The same vector at the same RIP on limit consecutive
 * exits is a delivery loop (an #AC whose delivery raises #AC, a #DB whose
 * delivery hits a data breakpoint): no guest instruction ran in between, so
 * the guest can never leave it.
 */
void exc_decide(const struct exc_event *ex, const struct exc_event *vectoring, uint64_t rip,
                struct exc_loop *loop, uint32_t limit, struct exc_decision *out);

/* Forgets the loop history (any exit that is not an exception or a host event):
 * inline, as the fast path runs it on every CPUID exit. A zero count makes the
 * other fields meaningless. */
static inline void exc_loop_reset(struct exc_loop *loop)
{
	loop->count = 0;
}

/*
 * DR6 as the guest must see it when an intercepted #DB is delivered: a #DB
 * that causes a VM exit leaves DR6 unchanged and reports its causes in the
 * exit qualification instead (SDM Vol. 3C sec. 27.1, 28.2.1 Table 28-1; DR6
 * layout Vol. 3B sec. 18.2.3). B0-B3, BD and BS are set (DR6 bits are sticky);
 * RTM (bit 16) is cleared when the qualification reports it.
 */
uint64_t exc_dr6_after_db(uint64_t dr6, uint64_t qualification);

/* Mnemonic of an exception vector ("#AC"), "exception" if unnamed. */
const char *exc_name(uint8_t vector);

#endif
