/*
 * 16550 console model. The guest always sees an idle, empty transmitter
 * (LSR = THRE|TEMT, with DR while received bytes wait), no pending interrupt (IIR = 0x01, FCR
 * writes ignored, so no FIFOs are reported) and a connected modem (MSR =
 * DCD|DSR|CTS). In loopback mode (MCR bit 4) MSR instead mirrors the MCR
 * outputs as a real 16550 does, so guests' loopback probe finds a UART.
 *
 * Output bytes build a line: '\n' emits it, '\r' is dropped (so CRLF ends a
 * line once), other control and non-ASCII bytes except '\t' become '.', and
 * a byte arriving at a full buffer first emits the buffer as a line.
 */
#include "types.h"
#include "hv/vdev/uart_emu.h"

#define REG_RBR_THR 0 /* RBR / THR; DLL when DLAB=1 */
#define REG_IER     1 /* IER; DLM when DLAB=1 */
#define REG_IIR_FCR 2 /* read: interrupt identification; write: FIFO control */
#define REG_LCR     3
#define REG_MCR     4
#define REG_LSR     5
#define REG_MSR     6
#define REG_SCR     7

#define LCR_DLAB      0x80
#define IER_MASK      0x0f
#define MCR_MASK      0x1f
#define MCR_DTR       0x01
#define MCR_RTS       0x02
#define MCR_OUT1      0x04
#define MCR_OUT2      0x08
#define MCR_LOOP      0x10
#define LSR_DR        0x01
#define LSR_IDLE      0x60 /* THRE | TEMT */
#define IIR_NO_INT    0x01
#define MSR_CTS       0x10
#define MSR_DSR       0x20
#define MSR_RI        0x40
#define MSR_DCD       0x80
#define MSR_CONNECTED (MSR_DCD | MSR_DSR | MSR_CTS)

/* Hands the buffered line to the sink and empties the buffer. */
static void emit(struct uart_emu *u)
{
	if (u->out)
		u->out(u->ctx, u->line, u->len);
	u->len = 0;
}

/* Adds one transmitted byte to the line. */
static void put_byte(struct uart_emu *u, uint8_t c)
{
	if (c == '\n') {
		emit(u);
		return;
	}
	if (c == '\r')
		return;
	if ((c < 0x20 && c != '\t') || c >= 0x7f)
		c = '.';
	if (u->len == UART_EMU_LINE_MAX)
		emit(u);
	u->line[u->len++] = (char)c;
}

/* MSR as the guest reads it: fixed "connected", or the MCR outputs in loopback. */
static uint8_t modem_status(const struct uart_emu *u)
{
	uint8_t msr = 0;

	if (!(u->mcr & MCR_LOOP))
		return MSR_CONNECTED;
	if (u->mcr & MCR_RTS)
		msr |= MSR_CTS;
	if (u->mcr & MCR_DTR)
		msr |= MSR_DSR;
	if (u->mcr & MCR_OUT1)
		msr |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		msr |= MSR_DCD;
	return msr;
}

void uart_emu_init(struct uart_emu *u, uart_line_fn out, void *ctx)
{
	u->ier = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->scr = 0;
	u->dll = 0;
	u->dlm = 0;
	u->rx_head = 0;
	u->rx_count = 0;
	u->len = 0;
	u->out = out;
	u->ctx = ctx;
}

void uart_emu_write(struct uart_emu *u, uint16_t offset, uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (offset) {
	case REG_RBR_THR:
		if (dlab)
			u->dll = v;
		else
			put_byte(u, v);
		break;
	case REG_IER:
		if (dlab)
			u->dlm = v;
		else
			u->ier = v & IER_MASK;
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		u->mcr = v & MCR_MASK;
		break;
	case REG_SCR:
		u->scr = v;
		break;
	default: /* FCR, LSR, MSR, out of range: ignored */
		break;
	}
}

bool uart_emu_rx(struct uart_emu *u, uint8_t c)
{
	if (u->rx_count == UART_EMU_RX_FIFO)
		return false;
	u->rx[(u->rx_head + u->rx_count) % UART_EMU_RX_FIFO] = c;
	u->rx_count++;
	return true;
}

/* RBR: the oldest received byte, or 0 when none waits. */
static uint8_t rx_pop(struct uart_emu *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (uint8_t)((u->rx_head + 1) % UART_EMU_RX_FIFO);
	u->rx_count--;
	return c;
}

uint8_t uart_emu_read(struct uart_emu *u, uint16_t offset)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (offset) {
	case REG_RBR_THR:
		return dlab ? u->dll : rx_pop(u);
	case REG_IER:
		return dlab ? u->dlm : u->ier;
	case REG_IIR_FCR:
		return IIR_NO_INT;
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		return LSR_IDLE | (u->rx_count ? LSR_DR : 0);
	case REG_MSR:
		return modem_status(u);
	case REG_SCR:
		return u->scr;
	default:
		return 0;
	}
}

void uart_emu_flush(struct uart_emu *u)
{
	if (u->len)
		emit(u);
}
