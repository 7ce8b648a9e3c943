/* Time slices as deadlines on the TSC (pure). A slice is a deadline, not a
 * duration: it keeps running down across VM exits, so a guest that exits
 * often gives up the CPU as surely as one that never exits. */
#ifndef SABLE_HV_SLICE_H
#define SABLE_HV_SLICE_H

#include "types.h"

#define SLICE_NONE 0 /* no deadline: the vCPU runs until it halts, yields or stops */

/* Deadline of a slice of `ticks` TSC ticks from now; SLICE_NONE for ticks = 0.
 * Saturates instead of wrapping (and never yields SLICE_NONE for ticks > 0). */
uint64_t slice_deadline(uint64_t now, uint64_t ticks);
/* True once now has reached a deadline; never for SLICE_NONE. Inline: the run
 * loop asks before every entry. */
static inline bool slice_expired(uint64_t deadline, uint64_t now)
{
	return deadline != SLICE_NONE && now >= deadline;
}
/* Start value of a count-down timer that ticks once every 2^shift TSC ticks
 * (the VMX-preemption timer, SDM Vol. 3C sec. 26.5.1) for the time left until
 * the deadline: rounded up, capped at UINT32_MAX. False (and *value = 0) once
 * the deadline has passed or for SLICE_NONE. */
bool slice_timer_value(uint64_t deadline, uint64_t now, unsigned shift, uint32_t *value);

/* Whether an entry must write the count-down timer's value, given the deadline
 * it was last written for (`armed`), the entry's, and whether the entry is a
 * fast re-entry (the backend's fast path, right after a hot exit): a new
 * deadline always; the same one at every entry but a fast re-entry. The
 * VMX-preemption timer counts in VMX non-root operation only (SDM Vol. 3C
 * sec. 26.5.1): a value left from an earlier entry misses the hypervisor's
 * time since and fires that much late. A fast re-entry keeps it, for the
 * cost of a hot exit: those exits' own time (a few hundred ticks each) is all
 * it can lose, and the next slow entry arms it from the deadline again. */
static inline bool slice_timer_rewrite(uint64_t armed, uint64_t deadline, bool fast)
{
	return deadline != armed || (deadline != SLICE_NONE && !fast);
}

#endif
