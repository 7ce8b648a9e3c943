/* Runs on every CPU of a Linux guest (sched_setaffinity) and checks integer,
 * x87, SSE and, where CPUID offers it, AVX-512 results; prints one line per CPU
 * and exits 0 only if every check passed everywhere. */
#define _GNU_SOURCE
#include <cpuid.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ROUNDS 20000

static int check_int(void)
{
	uint64_t h = 1469598103934665603ull;

	for (uint32_t i = 0; i < ROUNDS; i++)
		h = (h ^ i) * 1099511628211ull;
	return h == 0x2a37237cb6402003ull ? 0 : -1; /* FNV-1a over 0..ROUNDS-1 */
}

static int check_x87(void)
{
	long double x = 0;

	for (int i = 1; i <= ROUNDS; i++)
		x += 1.0L / ((long double)i * i);
	/* sum of 1/i^2 for i <= 20000 = 1.64488407... (pi^2/6 - 1/20000 + ...) */
	return x > 1.644884 && x < 1.644885 ? 0 : -1;
}

static int check_sse(void)
{
	float a[4] __attribute__((aligned(16))) = {1, 2, 3, 4}, r[4] __attribute__((aligned(16)));

	for (int i = 0; i < ROUNDS; i++)
		__asm__ volatile("movaps %1, %%xmm0\n\t"
		                 "mulps %%xmm0, %%xmm0\n\t"
		                 "sqrtps %%xmm0, %%xmm0\n\t"
		                 "movaps %%xmm0, %0"
		                 : "=m"(r)
		                 : "m"(a)
		                 : "xmm0");
	return memcmp(a, r, sizeof(a)) ? -1 : 0;
}

static int have_avx512(void)
{
	unsigned a, b, c, d;
	uint32_t lo, hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27)))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	if ((lo & 0xe6) != 0xe6)
		return 0;
	__cpuid_count(7, 0, a, b, c, d);
	return (b >> 16) & 1;
}

__attribute__((target("avx512f"))) static int check_avx512(void)
{
	uint32_t in[16], out[16];

	for (int i = 0; i < 16; i++)
		in[i] = (uint32_t)i * 0x01010101u;
	for (int i = 0; i < ROUNDS / 10; i++)
		__asm__ volatile("vmovdqu32 %1, %%zmm17\n\t"
		                 "vpaddd %%zmm17, %%zmm17, %%zmm17\n\t"
		                 "vmovdqu32 %%zmm17, %0"
		                 : "=m"(out)
		                 : "m"(in)
		                 : "xmm17");
	for (int i = 0; i < 16; i++)
		if (out[i] != in[i] * 2)
			return -1;
	return 0;
}

int main(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	int avx = have_avx512(), bad = 0;

	for (long cpu = 0; cpu < n; cpu++) {
		cpu_set_t set;
		int e[4];

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			printf("LINUX cpucheck cpu%ld: cannot run there\n", cpu);
			bad = 1;
			continue;
		}
		e[0] = check_int();
		e[1] = check_x87();
		e[2] = check_sse();
		e[3] = avx ? check_avx512() : 0;
		printf("LINUX cpucheck cpu%ld (on %d): int %s x87 %s sse %s avx512 %s\n", cpu,
		       sched_getcpu(), e[0] ? "FAIL" : "ok", e[1] ? "FAIL" : "ok",
		       e[2] ? "FAIL" : "ok",
		       !avx   ? "absent"
		       : e[3] ? "FAIL"
		              : "ok");
		bad |= e[0] | e[1] | e[2] | e[3] | (sched_getcpu() != cpu);
	}
	fflush(stdout);
	return bad ? 1 : 0;
}
