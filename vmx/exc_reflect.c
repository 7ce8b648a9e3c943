/* Reflection of intercepted guest exceptions (SDM Vol. 3A sec. 6.15;
 * Vol. 3C sec. 27.2.4 and 28.2.1). */
#include "vmx/exc_reflect.h"

#define INFO_VECTOR(i)  ((i)&0xffu)
#define INFO_TYPE(i)    (((i) >> 8) & 7u)
#define INFO_HAS_ERROR  BIT(11)
#define INFO_VALID      BIT(31)
#define TYPE_HARD_EXC   3u
#define TYPE_HARD_EXC_I (3u << 8)

#define DR6_HITS (BIT(13) | BIT(14) | 0xfull) /* BD, BS, B0-B3 */
#define DR6_RTM  BIT(16)

enum exc_class { BENIGN, CONTRIBUTORY, PAGE_FAULT, DOUBLE_FAULT };

/* Table 6-4: #DE, #TS, #NP, #SS, #GP are contributory. */
static enum exc_class classify(uint32_t info)
{
	if (INFO_TYPE(info) != TYPE_HARD_EXC)
		return BENIGN;
	switch (INFO_VECTOR(info)) {
	case 0:
	case 10:
	case 11:
	case 12:
	case 13:
		return CONTRIBUTORY;
	case EXC_PF:
		return PAGE_FAULT;
	case EXC_DF:
		return DOUBLE_FAULT;
	default:
		return BENIGN;
	}
}

void exc_decide(const struct exc_event *ex, const struct exc_event *vectoring, uint64_t rip,
                struct exc_loop *loop, uint32_t limit, struct exc_decision *out)
{
	uint8_t vector = (uint8_t)INFO_VECTOR(ex->info);
	enum exc_class first, second;

	out->action = EXC_REFLECT;
	out->event.info = ex->info & (INFO_VALID | INFO_HAS_ERROR | 0x7ffu);
	out->event.error = ex->info & INFO_HAS_ERROR ? ex->error : 0;
	out->count = 0;
	if (vector == EXC_MC && INFO_TYPE(ex->info) == TYPE_HARD_EXC) {
		out->action = EXC_STOP_MCE;
		return;
	}
	/* Only an exception raised while delivering itself, at the same RIP, keeps
	 * the count going: a fresh one (no vectoring information, e.g. a data
	 * breakpoint hit on every turn of a loop) is progress (sec. 27.2.4). */
	if (loop->count && loop->vector == vector && loop->rip == rip &&
	    (vectoring->info & INFO_VALID) && INFO_VECTOR(vectoring->info) == vector) {
		loop->count++;
	} else {
		loop->vector = vector;
		loop->rip = rip;
		loop->count = 1;
	}
	if (loop->count >= limit) {
		out->action = EXC_STOP_LOOP;
		out->count = loop->count;
		return;
	}
	if (!(vectoring->info & INFO_VALID))
		return;
	/* Table 6-5: which second exception turns into #DF or a shutdown. */
	first = classify(vectoring->info);
	second = classify(ex->info);
	if (first == DOUBLE_FAULT && second != BENIGN) {
		out->action = EXC_TRIPLE_FAULT;
	} else if ((first == CONTRIBUTORY && second == CONTRIBUTORY) ||
	           (first == PAGE_FAULT && (second == CONTRIBUTORY || second == PAGE_FAULT))) {
		out->event.info = INFO_VALID | TYPE_HARD_EXC_I | INFO_HAS_ERROR | EXC_DF;
		out->event.error = 0;
	}
}

uint64_t exc_dr6_after_db(uint64_t dr6, uint64_t qualification)
{
	dr6 |= qualification & DR6_HITS;
	if (qualification & DR6_RTM)
		dr6 &= ~DR6_RTM;
	return dr6;
}

const char *exc_name(uint8_t vector)
{
	static const char *const names[32] = {
		[0] = "#DE",  [1] = "#DB",  [3] = "#BP",  [4] = "#OF",  [5] = "#BR",
		[6] = "#UD",  [7] = "#NM",  [8] = "#DF",  [10] = "#TS", [11] = "#NP",
		[12] = "#SS", [13] = "#GP", [14] = "#PF", [16] = "#MF", [17] = "#AC",
		[18] = "#MC", [19] = "#XM", [20] = "#VE", [21] = "#CP",
	};

	return vector < 32 && names[vector] ? names[vector] : "exception";
}
