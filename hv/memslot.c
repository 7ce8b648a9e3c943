#include "hv/memslot.h"
#include "err.h"

int memslot_add(struct memslots *m, gpa_t gpa, uint64_t size, hpa_t hpa)
{
	size_t i;

	if (!size || !IS_ALIGNED(gpa | size | hpa, PAGE_SIZE) || gpa + size < gpa ||
	    hpa + size < hpa)
		return -EINVAL;
	for (i = 0; i < m->n; i++)
		if (gpa < m->slot[i].gpa + m->slot[i].size && m->slot[i].gpa < gpa + size)
			return -EEXIST;
	if (m->n == MAX_MEMSLOTS)
		return -ENOSPC;
	for (i = m->n; i > 0 && m->slot[i - 1].gpa > gpa; i--)
		m->slot[i] = m->slot[i - 1];
	m->slot[i] = (struct memslot){gpa, size, hpa};
	m->n++;
	return 0;
}

hpa_t memslot_translate(const struct memslots *m, gpa_t gpa, uint64_t len)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct memslot *s = &m->slot[i];

		if (gpa >= s->gpa && gpa - s->gpa < s->size)
			return len <= s->size - (gpa - s->gpa) ? s->hpa + (gpa - s->gpa)
			                                       : INVALID_HPA;
	}
	return INVALID_HPA;
}
