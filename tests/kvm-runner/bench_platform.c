// SPDX-License-Identifier: MIT
/* The bench guest's platform for the KVM runner (pure; see bench_platform.h). */
#include "err.h"
#include "hv/lib/format.h"
#include "hv/loader/elf.h"
#include "hv/loader/mb1_header.h"
#include "hv/loader/mbinfo.h"
#include "tests/kvm-runner/bench_platform.h"

/* 16550 register offsets from the base and the LCR divisor-latch bit (PC16550D data sheet). */
#define UART_THR      0
#define UART_IER      1
#define UART_IIR      2
#define UART_LCR      3
#define UART_MCR      4
#define UART_LSR      5
#define UART_MSR      6
#define UART_SCR      7
#define UART_LCR_DLAB 0x80
#define UART_IIR_NONE 0x01 /* no interrupt pending */

static const char shutdown_word[] = "Shutdown";

void bp_init(struct bench_platform *p, bp_line_fn emit, void *ctx)
{
	*p = (struct bench_platform){.emit = emit, .ctx = ctx, .shutdown_next = shutdown_word};
}

void bp_flush(struct bench_platform *p)
{
	if (p->len)
		p->emit(p->ctx, p->line, p->len);
	p->len = 0;
}

static void console_byte(struct bench_platform *p, uint8_t c)
{
	if (c == '\r')
		return;
	if (c == '\n') {
		p->emit(p->ctx, p->line, p->len);
		p->len = 0;
		return;
	}
	p->line[p->len++] = (char)c;
	if (p->len == BP_LINE_MAX)
		bp_flush(p);
}

static uint8_t com1_read(struct bench_platform *p, unsigned reg)
{
	if (p->lcr & UART_LCR_DLAB && reg <= UART_IER)
		return 0; /* divisor latch: the runner keeps no baud rate */
	switch (reg) {
	case UART_IER:
		return p->ier;
	case UART_IIR:
		return UART_IIR_NONE;
	case UART_LCR:
		return p->lcr;
	case UART_MCR:
		return p->mcr;
	case UART_LSR:
		return BP_LSR_IDLE;
	case UART_SCR:
		return p->scr;
	default: /* RBR (nothing received), MSR */
		return 0;
	}
}

static void com1_write(struct bench_platform *p, unsigned reg, uint8_t v)
{
	if (p->lcr & UART_LCR_DLAB && reg <= UART_IER)
		return;
	switch (reg) {
	case UART_THR:
		console_byte(p, v);
		break;
	case UART_IER:
		p->ier = v & 0x0f;
		break;
	case UART_LCR:
		p->lcr = v;
		break;
	case UART_MCR:
		p->mcr = v & 0x1f;
		break;
	case UART_SCR:
		p->scr = v;
		break;
	default: /* FCR, LSR, MSR: nothing to keep */
		break;
	}
}

static void shutdown_byte(struct bench_platform *p, uint8_t c)
{
	p->shutdown_next = c == (uint8_t)*p->shutdown_next  ? p->shutdown_next + 1
	                   : c == (uint8_t)shutdown_word[0] ? shutdown_word + 1
	                                                    : shutdown_word;
	if (!*p->shutdown_next) {
		p->shutdown_next = shutdown_word;
		if (!p->exited)
			p->status = 0;
		p->exited = true;
	}
}

void bp_io(struct bench_platform *p, uint16_t port, bool in, unsigned size, uint32_t *val)
{
	uint8_t v = (uint8_t)*val;

	if (port >= BP_COM1_BASE && port < BP_COM1_BASE + 8 && size == 1) {
		if (in)
			*val = com1_read(p, port - BP_COM1_BASE);
		else
			com1_write(p, port - BP_COM1_BASE, v);
		return;
	}
	if (port == BP_EXIT_PORT && !in) {
		if (!p->exited)
			p->status = v;
		p->exited = true;
		return;
	}
	if (port == BP_SHUTDOWN_PORT && !in && size == 1) {
		shutdown_byte(p, v);
		return;
	}
	p->unhandled++;
	if (in)
		*val = size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

int bp_load(uint8_t *ram, uint64_t mem_size, const void *image, size_t len, const char *cmdline,
            struct bp_entry *entry, char *err, size_t errlen)
{
	struct mbinfo_request req = {0};
	struct mbinfo_result res;
	struct mb1_header_info hdr;
	struct elf_plan plan;
	int r;

	r = elf_plan_load(image, len, mem_size, &plan, err, errlen);
	if (r < 0)
		return r;
	if (plan.is64) {
		fmt_snprintf(err, errlen,
		             "a 64-bit ELF; the bench guest is a multiboot ELF32 kernel");
		return -EINVAL;
	}
	r = mb1_header_find(image, len, &hdr, err, errlen);
	if (r < 0)
		return r;
	elf_copy_segments(&plan, image, ram);
	req.mem_size = mem_size;
	req.cmdline = cmdline;
	req.loader_name = "Sable kvm-runner";
	req.place_gpa = ALIGN_UP(plan.load_end, PAGE_SIZE) /* as Sable places it */;
	r = mbinfo_build(&req, ram, &res);
	if (r < 0) {
		fmt_snprintf(err, errlen, "no room for the multiboot information above 0x%llx",
		             (unsigned long long)req.place_gpa);
		return r;
	}
	*entry = (struct bp_entry){(uint32_t)plan.entry, MB1_BOOTLOADER_MAGIC, res.info_gpa};
	return 0;
}
