/*
 * The guest-visible 16550 UART at COM1 (0x3F8): a console that collects the
 * guest's output into lines and receives what the console gives it (pure).
 * Register offsets 0-7 from the port base; LCR bit 7 (DLAB) maps offsets 0/1
 * to the divisor latch. Its interrupt output (IRQ 4 on a PC, gated by
 * MCR.OUT2) is uart_emu_irq: the caller sets the line after each access.
 */
#ifndef SABLE_HV_UART_EMU_H
#define SABLE_HV_UART_EMU_H

#include "types.h"

#define UART_EMU_PORT     0x3f8
#define UART_EMU_NPORTS   8
#define UART_EMU_LINE_MAX 200
#define UART_EMU_RX_FIFO  16 /* bytes the receiver holds, as a 16550's FIFO */
#define UART_EMU_IRQ      4  /* COM1's ISA IRQ */

/* Receives one complete line, without the '\n' and not NUL-terminated. */
typedef void (*uart_line_fn)(void *ctx, const char *line, size_t len);

struct uart_emu {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t fcr;                  /* FIFO enable (bit 0) and receive trigger level (bits 7:6) */
	uint8_t lsr_err;              /* overrun: LSR bit 1 until LSR is read */
	uint8_t msr_delta;            /* MSR bits 3:0 until MSR is read */
	uint8_t msr_lines;            /* MSR bits 7:4 last seen, for the deltas */
	bool thre_int;                /* the transmitter-empty interrupt is pending */
	uint8_t rx[UART_EMU_RX_FIFO]; /* received bytes, oldest at rx_head */
	uint8_t rx_head, rx_count;
	char line[UART_EMU_LINE_MAX];
	size_t len; /* bytes in line */
	uart_line_fn out;
	void *ctx;
};

/* Resets u to the power-on register state with an empty line; out may be NULL. */
void uart_emu_init(struct uart_emu *u, uart_line_fn out, void *ctx);

/* A guest byte write to register offset (0-7; larger offsets are ignored). */
void uart_emu_write(struct uart_emu *u, uint16_t offset, uint8_t v);

/* A guest byte read of register offset (0-7; larger offsets read 0). Reads of
 * RBR, IIR, LSR (with an error pending) and MSR change state. */
uint8_t uart_emu_read(struct uart_emu *u, uint16_t offset);
/* Register offsets from the base port, LCR's divisor-latch bit and the LSR
 * bits of received data and of an idle transmitter. */
enum uart_emu_reg {
	UART_EMU_RBR_THR, /* RBR / THR; DLL when DLAB=1 */
	UART_EMU_IER,     /* IER; DLM when DLAB=1 */
	UART_EMU_IIR_FCR, /* read: interrupt identification; write: FIFO control */
	UART_EMU_LCR,
	UART_EMU_MCR,
	UART_EMU_LSR,
	UART_EMU_MSR,
	UART_EMU_SCR,
};
#define UART_EMU_LCR_DLAB 0x80
#define UART_EMU_LSR_DR   0x01
#define UART_EMU_LSR_IDLE 0x60 /* THRE | TEMT */

/* If a read of offset would change nothing now, its value in *val and true
 * (the caller needs no lock); else false: read it with uart_emu_read. Inline:
 * the I/O exit fast path's (vmx/exit.c, through hv/vdev/guest_io.h). */
static inline bool uart_emu_read_pure(const struct uart_emu *u, uint16_t offset, uint8_t *val)
{
	switch (offset) {
	case UART_EMU_RBR_THR:
		if (!(u->lcr & UART_EMU_LCR_DLAB))
			return false;
		*val = u->dll;
		return true;
	case UART_EMU_IER:
		*val = u->lcr & UART_EMU_LCR_DLAB ? u->dlm : u->ier;
		return true;
	case UART_EMU_LCR:
		*val = u->lcr;
		return true;
	case UART_EMU_MCR:
		*val = u->mcr;
		return true;
	case UART_EMU_SCR:
		*val = u->scr;
		return true;
	case UART_EMU_LSR:
		if (u->lsr_err)
			return false;
		*val = (uint8_t)(UART_EMU_LSR_IDLE | (u->rx_count ? UART_EMU_LSR_DR : 0));
		return true;
	case UART_EMU_MSR:
		if (u->msr_delta)
			return false;
		*val = u->msr_lines;
		return true;
	}
	return false;
}
/* The interrupt output: an enabled interrupt is pending and MCR.OUT2 is set. */
bool uart_emu_irq(const struct uart_emu *u);

/* Host input for the guest (the console typed to this VM): queues c to be
 * read from RBR, with LSR.DR set while bytes wait. False when the FIFO is full
 * (the byte is dropped and LSR.OE set, as on an overrun). The caller updates
 * the interrupt line (uart_emu_irq) afterwards. */
bool uart_emu_rx(struct uart_emu *u, uint8_t c);

/* Emits the partial line, if any. */
void uart_emu_flush(struct uart_emu *u);

#endif
