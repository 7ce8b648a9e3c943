/*
 * The bench build's accounting (include/bench.h): at each exit, what happened
 * on this CPU since the previous exit (the counted instructions and the stage
 * stamps) is charged to that previous exit, by its vCPU and basic reason, so a
 * vCPU switch is charged to the exit that caused it. Empty in the normal build.
 */
#include "hv/bench_stats.h"
#include "hv/lib/format.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/vcpu.h"
#include "hv/vm.h"
#include "kstring.h"

#ifdef SABLE_BENCH
_Static_assert(offsetof(struct percpu, bench_ctr) == BENCH_CTR_OFF, "include/bench.h");
_Static_assert(offsetof(struct percpu, bench_stamp) == BENCH_STAMP_OFF, "include/bench.h");
_Static_assert(BENCH_CTR_OFF + 8 * BENCH_VMWRITE == 16 && BENCH_STAMP_OFF == 48 &&
                       STAMP_RESTORE == 5 && STAMP_ENTRY == 6,
               "vmx/entry.asm BENCH_VMWRITE_CTR, BENCH_STAMP_OFF, STAMP_*");

void bench_exit_begin(struct vcpu *v)
{
	struct percpu *c = this_cpu();
	struct bench_cpu *b = &c->bench;
	const uint64_t *t = c->bench_stamp;

	if (b->last) {
		struct bench_row *row = &b->last->stats.bench[b->reason & (BENCH_REASONS - 1)];
		uint64_t st[BENCH_NSTAGE], ctr[BENCH_NCTR], total = 0;

		st[STAGE_SAVE] = b->save;
		st[STAGE_DECODE] = t[STAMP_DISPATCH] - t[STAMP_BEGIN];
		st[STAGE_HANDLER] = t[STAMP_HANDLED] - t[STAMP_DISPATCH];
		st[STAGE_LOOP] = t[STAMP_RESTORE] - t[STAMP_HANDLED];
		st[STAGE_RESTORE] = t[STAMP_ENTRY] - t[STAMP_RESTORE];
		st[STAGE_GUEST] = t[STAMP_EXIT] - t[STAMP_ENTRY];
		for (int i = 0; i < BENCH_NSTAGE; i++)
			total += st[i];
		row->n++;
		for (int i = 0; i < BENCH_NCTR; i++) {
			ctr[i] = c->bench_ctr[i] - b->ctr[i];
			row->ctr[i] += ctr[i];
		}
		if (!row->min_total || total < row->min_total) {
			row->min_total = total;
			memcpy(row->min_ctr, ctr, sizeof(ctr));
			memcpy(row->min_stage, st, sizeof(st));
		}
	}
	b->save = t[STAMP_SAVED] - t[STAMP_EXIT];
	b->last = v;
	for (int i = 0; i < BENCH_NCTR; i++)
		b->ctr[i] = c->bench_ctr[i];
	BENCH_STAMP(STAMP_BEGIN);
}

void bench_exit_reason(uint32_t basic)
{
	this_cpu()->bench.reason = basic;
}

void bench_vcpu_gone(struct vcpu *v)
{
	for (uint32_t i = 0; i < MAX_CPUS; i++)
		if (percpu_area[i].bench.last == v)
			percpu_area[i].bench.last = NULL;
}

/* n / d with two decimals. */
static void fixed2(char *buf, size_t len, uint64_t n, uint64_t d)
{
	uint64_t h = (n * 100 + d / 2) / d;

	fmt_snprintf(buf, len, "%lu.%02lu", h / 100, h % 100);
}

void bench_report(struct vcpu *v)
{
	static const char *const ctr[BENCH_NCTR] = {"vmread", "vmwrite", "rdmsr", "wrmsr",
	                                            "xsetbv"};
	static const char *const stage[BENCH_NSTAGE] = {"save", "decode",  "handler",
	                                                "loop", "restore", "guest"};

	for (unsigned r = 0; r < BENCH_REASONS; r++) {
		const struct bench_row *row = &v->stats.bench[r];
		char line[320], num[24];
		size_t len = 0;
		const char *name = vmm_ops->exit_name ? vmm_ops->exit_name(r) : NULL;

		if (!row->n)
			continue;
		for (int i = 0; i < BENCH_NCTR; i++)
			len += (size_t)fmt_snprintf(line + len, sizeof(line) - len, " %s=%lu",
			                            ctr[i], row->min_ctr[i]);
		for (int i = 0; i < BENCH_NSTAGE; i++)
			len += (size_t)fmt_snprintf(line + len, sizeof(line) - len, " %s=%lu",
			                            stage[i], row->min_stage[i]);
		len += (size_t)fmt_snprintf(line + len, sizeof(line) - len,
		                            " total=%lu all:", row->min_total);
		for (int i = 0; i < BENCH_NCTR; i++) {
			fixed2(num, sizeof(num), row->ctr[i], row->n);
			len += (size_t)fmt_snprintf(line + len, sizeof(line) - len, " %s=%s",
			                            ctr[i], num);
		}
		log_info("vm %s vcpu %u: BENCHX reason=%u n=%lu%s (%s)", v->vm->name, v->id, r,
		         row->n, line, name ? name : "?");
	}
}
#endif
