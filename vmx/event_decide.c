/* Event injection decisions (see event_decide.h). */
#include "vmx/event_decide.h"
#include "vmx/vmcs_fields.h"

#define INTR_WINDOW CPU_BASED_INTR_WINDOW_EXITING
#define NMI_WINDOW  CPU_BASED_NMI_WINDOW_EXITING

void event_decide(const struct event_state *s, struct event_decision *d)
{
	uint32_t nmi_win = s->nmi_window ? NMI_WINDOW : INTR_WINDOW;
	bool nmi_blocked =
		s->block & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS | INTERRUPTIBILITY_NMI);
	bool intr_blocked =
		!s->rflags_if || (s->block & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));

	d->inject = EVENT_NONE;
	d->windows = 0;
	if (s->entry_busy) {
		d->windows = (s->nmi ? nmi_win : 0) | (s->vector >= 0 ? INTR_WINDOW : 0);
		return;
	}
	if (s->nmi && !nmi_blocked) {
		d->inject = EVENT_NMI;
		d->windows = s->vector >= 0 ? INTR_WINDOW : 0;
		return;
	}
	if (s->nmi)
		d->windows = nmi_win;
	if (s->vector < 0)
		return;
	if (intr_blocked)
		d->windows |= INTR_WINDOW;
	else
		d->inject = EVENT_INTR;
}

uint32_t event_tpr_threshold(unsigned irr_class, unsigned tpr_class)
{
	return irr_class && irr_class <= tpr_class ? irr_class : 0;
}
