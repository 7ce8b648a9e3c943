// SPDX-License-Identifier: MIT
/*
 * montarget: a guest for the console monitor's test. It loads a known pattern
 * into XMM0-7 (byte j of XMMi is 0x10 * i + j) and AVX upper halves when it
 * can, keeps a progress counter in a page that starts with a magic string,
 * prints "progress N" every 20M TSC ticks, and echoes what is typed to its
 * UART (LSR.DR polling, RBR reads): "echo: <line>" for each line.
 */
#include "guest.h"
#include "vecregs.h"
#include "sable.h"
#include "x86.h"

#define CR0_MP          (1u << 1)
#define CR0_EM          (1u << 2)
#define CR4_OSFXSR      (1u << 9)
#define CR4_OSXMMEXCPT  (1u << 10)
#define CPUID_1_ECX_AVX (1u << 28)
#define UART_RBR        0x3f8
#define UART_LSR        0x3fd
#define LSR_DR          0x01
#define PROGRESS_TSC    20000000ull
#define ECHO_LINE_MAX   80

struct mon_page {
	char magic[16];
	volatile uint32_t progress;
} __attribute__((aligned(4096)));

static struct mon_page page = {.magic = "MONPAGE-MAGIC-01"};
static uint8_t xmm[8][16], ymm_hi[8][16];

static bool load_pattern(void)
{
	struct cpuid_regs r;
	bool ymm = false;

	write_cr0((read_cr0() & ~CR0_EM) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	cpuid(1, 0, &r);
	if ((r.ecx & CPUID_1_ECX_XSAVE) && (r.ecx & CPUID_1_ECX_AVX)) {
		write_cr4(read_cr4() | CR4_OSXSAVE);
		ymm = xsetbv_safe(0x7) == 0;
	}
	for (unsigned i = 0; i < 8; i++)
		for (unsigned j = 0; j < 16; j++) {
			xmm[i][j] = (uint8_t)(0x10 * i + j);
			ymm_hi[i][j] = (uint8_t)(0x80 + 0x10 * i + j);
		}
	load_vector_regs(xmm, ymm_hi, ymm);
	return ymm;
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	char line[ECHO_LINE_MAX + 1];
	size_t len = 0;
	uint64_t next;
	bool ymm;

	(void)magic;
	(void)mbi;
	ymm = load_pattern();
	printf("montarget: page at 0x%x, XMM pattern loaded%s", (uint32_t)(uintptr_t)&page,
	       ymm ? " with YMM upper halves\n" : "\n");
	next = rdtsc() + PROGRESS_TSC;
	for (;;) {
		if (rdtsc() >= next) {
			page.progress++;
			printf("progress %u\n", page.progress);
			next = rdtsc() + PROGRESS_TSC;
		}
		if (!(inb(UART_LSR) & LSR_DR))
			continue;
		char c = (char)inb(UART_RBR);
		if (c == '\r' || c == '\n') {
			line[len] = 0;
			if (len)
				printf("echo: %s\n", line);
			len = 0;
		} else if (len < ECHO_LINE_MAX) {
			line[len++] = c;
		}
	}
}
