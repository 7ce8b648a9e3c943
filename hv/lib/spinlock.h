/* Ticket spinlock: fair between cores, usable with interrupts on or off. */
#ifndef SABLE_HV_SPINLOCK_H
#define SABLE_HV_SPINLOCK_H

#include "types.h"

struct spinlock {
	uint32_t next;
	uint32_t owner;
};

#define SPINLOCK_INIT                                                                              \
	{                                                                                          \
		0, 0                                                                               \
	}

void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
/* Takes the lock unless spins run out; returns false then (used by panic paths). */
bool spin_lock_bounded(struct spinlock *l, uint64_t spins);

#endif
