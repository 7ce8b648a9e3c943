#include "hv/lib/spinlock.h"
#include "x86.h"

void spin_lock(struct spinlock *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
}

bool spin_lock_bounded(struct spinlock *l, uint64_t spins)
{
	uint32_t cur = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);

	/* Only queue when the lock is free, so giving up never leaves a stale ticket. */
	while (spins--) {
		uint32_t expect = cur;
		if (__atomic_compare_exchange_n(&l->next, &expect, cur + 1, false, __ATOMIC_ACQUIRE,
		                                __ATOMIC_RELAXED))
			return true;
		cpu_relax();
		cur = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	}
	return false;
}

void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}
