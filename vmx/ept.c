#include "vmx/ept.h"
#include "err.h"

const struct pt_format pt_format_ept = {
	.present_mask = EPT_RWX,
	.table_flags = EPT_RWX,
	.allow_1g = true,
};

const struct pt_format pt_format_ept_no1g = {
	.present_mask = EPT_RWX,
	.table_flags = EPT_RWX,
	.allow_1g = false,
};

int ept_init(struct ept *e, const struct pt_ops *ops, bool allow_2m, bool allow_1g)
{
	e->max_page = allow_1g ? HUGE_PAGE_SIZE : allow_2m ? LARGE_PAGE_SIZE : PAGE_SIZE;
	return pt_init(&e->pt, allow_1g ? &pt_format_ept : &pt_format_ept_no1g, ops);
}

int ept_map_ram(struct ept *e, gpa_t gpa, hpa_t hpa, uint64_t len, uint64_t prot)
{
	if (!(prot & EPT_RWX) || (prot & ~EPT_RWX) || (prot & (EPT_WRITE | EPT_READ)) == EPT_WRITE)
		return -EINVAL; /* write-only is a misconfiguration (sec. 29.3.3.1) */
	return pt_map(&e->pt, gpa, hpa, len, prot | (EPT_MT_WB << EPT_MT_SHIFT), e->max_page, 0);
}

hpa_t ept_translate(const struct ept *e, gpa_t gpa, uint64_t *prot, uint64_t *page_size)
{
	uint64_t flags = 0;
	hpa_t hpa = pt_translate(&e->pt, gpa, &flags, page_size);

	if (prot)
		*prot = flags & EPT_RWX;
	return hpa;
}

uint64_t ept_pointer(const struct ept *e)
{
	return e->pt.root | EPTP_WALK_4 | EPTP_WB;
}
