/* Which pending event the next VM entry injects, and which windows it opens
 * (pure: the caller reads the VMCS and the vLAPIC and acts on the answer). SDM
 * Vol. 3C sec. 25.4.2 (interruptibility), 26.3.1.5 (what an entry may inject),
 * 26.7.5-26.7.6 (interrupt and NMI windows), 30.1.2 (TPR threshold). */
#ifndef SABLE_VMX_EVENT_DECIDE_H
#define SABLE_VMX_EVENT_DECIDE_H

#include "types.h"

struct event_state {
	bool nmi;        /* an NMI is pending */
	int vector;      /* the highest pending vector above PPR, or -1 */
	bool entry_busy; /* the entry already carries an event (exception, re-injection) */
	uint32_t block;  /* guest interruptibility state (INTERRUPTIBILITY_*) */
	bool rflags_if;  /* RFLAGS.IF */
	bool nmi_window; /* NMI-window exiting exists (virtual NMIs) */
};

enum event_inject { EVENT_NONE = 0, EVENT_NMI, EVENT_INTR };

struct event_decision {
	enum event_inject inject; /* EVENT_INTR: s->vector */
	uint32_t windows;         /* CPU_BASED_INTR_WINDOW_EXITING / CPU_BASED_NMI_WINDOW_EXITING */
};

/* NMI first unless NMI, STI or MOV SS blocking holds it (STI counts, as some CPUs
 * hold NMIs in its shadow); an interrupt when IF = 1 and no STI/MOV SS blocking;
 * an entry that already carries an event injects nothing. What cannot go now gets
 * its window (the interrupt window stands in for a missing NMI window). */
void event_decide(const struct event_state *s, struct event_decision *d);

/* TPR threshold for the highest requested vector's class irr_class (0: none) under
 * the TPR's class tpr_class: that class when the TPR masks it, else 0, so that VM
 * entry's rule (threshold not above VTPR[7:4]) holds. */
uint32_t event_tpr_threshold(unsigned irr_class, unsigned tpr_class);

#endif
