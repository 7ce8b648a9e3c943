/*
 * 16550 console model (National Semiconductor PC16550D data sheet). The
 * transmitter is infinitely fast: a THR write goes out at once, so LSR always
 * reports THRE|TEMT and the THRE interrupt is pending again right after each
 * write (and when IER enables it). Interrupt identification by priority: line
 * status (overrun), received data (at the FIFO trigger level, or below it as
 * a character timeout, since no further bytes are coming), THRE, modem
 * status. The modem is connected (MSR = DCD|DSR|CTS); in loopback mode (MCR
 * bit 4) MSR mirrors the MCR outputs and transmitted bytes are received, as
 * on a real 16550, so guests' loopback probe finds a UART.
 *
 * Output bytes build a line: '\n' emits it, '\r' is dropped (so CRLF ends a
 * line once), other control and non-ASCII bytes except '\t' become '.', and
 * a byte arriving at a full buffer first emits the buffer as a line.
 */
#include "types.h"
#include "hv/vdev/uart_emu.h"

#define REG_RBR_THR UART_EMU_RBR_THR
#define REG_IER     UART_EMU_IER
#define REG_IIR_FCR UART_EMU_IIR_FCR
#define REG_LCR     UART_EMU_LCR
#define REG_MCR     UART_EMU_MCR
#define REG_LSR     UART_EMU_LSR
#define REG_MSR     UART_EMU_MSR
#define REG_SCR     UART_EMU_SCR

#define LCR_DLAB      UART_EMU_LCR_DLAB
#define IER_MASK      0x0f
#define IER_RDA       0x01
#define IER_THRE      0x02
#define IER_RLS       0x04
#define IER_MS        0x08
#define MCR_MASK      0x1f
#define MCR_DTR       0x01
#define MCR_RTS       0x02
#define MCR_OUT1      0x04
#define MCR_OUT2      0x08
#define MCR_LOOP      0x10
#define LSR_DR        UART_EMU_LSR_DR
#define LSR_OE        0x02
#define LSR_IDLE      UART_EMU_LSR_IDLE
#define IIR_NO_INT    0x01
#define IIR_MS        0x00
#define IIR_THRE      0x02
#define IIR_RDA       0x04
#define IIR_RLS       0x06
#define IIR_TIMEOUT   0x0c
#define IIR_FIFO      0xc0
#define FCR_ENABLE    0x01
#define FCR_CLEAR_RX  0x02
#define FCR_TRIGGER   0xc0
#define MSR_DCTS      0x01
#define MSR_DDSR      0x02
#define MSR_TERI      0x04
#define MSR_DDCD      0x08
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

/* MSR bits 7:4: fixed "connected", or the MCR outputs in loopback. */
static uint8_t modem_lines(const struct uart_emu *u)
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

/* The delta bits of a change of the modem lines: CTS, DSR and DCD changed, RI
 * trailing edge (data sheet, MSR bits 0-3). */
static void lines_changed(struct uart_emu *u)
{
	uint8_t now = modem_lines(u), diff = now ^ u->msr_lines;

	if (diff & MSR_CTS)
		u->msr_delta |= MSR_DCTS;
	if (diff & MSR_DSR)
		u->msr_delta |= MSR_DDSR;
	if ((diff & MSR_RI) && !(now & MSR_RI))
		u->msr_delta |= MSR_TERI;
	if (diff & MSR_DCD)
		u->msr_delta |= MSR_DDCD;
	u->msr_lines = now;
}

void uart_emu_init(struct uart_emu *u, uart_line_fn out, void *ctx)
{
	u->ier = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->scr = 0;
	u->dll = 0;
	u->dlm = 0;
	u->fcr = 0;
	u->lsr_err = 0;
	u->msr_delta = 0;
	u->msr_lines = MSR_CONNECTED;
	u->thre_int = false;
	u->rx_head = 0;
	u->rx_count = 0;
	u->len = 0;
	u->out = out;
	u->ctx = ctx;
}

static unsigned rx_trigger(const struct uart_emu *u)
{
	static const uint8_t level[4] = {1, 4, 8, 14};

	return u->fcr & FCR_ENABLE ? level[u->fcr >> 6] : 1;
}

/* The highest-priority pending interrupt's IIR bits 3:0 (IIR_NO_INT if none). */
static uint8_t pending(const struct uart_emu *u)
{
	if ((u->ier & IER_RLS) && u->lsr_err)
		return IIR_RLS;
	if ((u->ier & IER_RDA) && u->rx_count)
		return u->rx_count >= rx_trigger(u) ? IIR_RDA : IIR_TIMEOUT;
	if ((u->ier & IER_THRE) && u->thre_int)
		return IIR_THRE;
	if ((u->ier & IER_MS) && u->msr_delta)
		return IIR_MS;
	return IIR_NO_INT;
}

bool uart_emu_irq(const struct uart_emu *u)
{
	return (u->mcr & MCR_OUT2) && pending(u) != IIR_NO_INT;
}

bool uart_emu_rx(struct uart_emu *u, uint8_t c)
{
	if (u->rx_count == UART_EMU_RX_FIFO) {
		u->lsr_err |= LSR_OE;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_EMU_RX_FIFO] = c;
	u->rx_count++;
	return true;
}

static void transmit(struct uart_emu *u, uint8_t c)
{
	if (u->mcr & MCR_LOOP)
		uart_emu_rx(u, c);
	else
		put_byte(u, c);
	u->thre_int = true; /* sent at once: empty again */
}

static void fifo_control(struct uart_emu *u, uint8_t v)
{
	if ((v ^ u->fcr) & FCR_ENABLE)
		u->rx_count = 0; /* enabling or disabling the FIFOs clears them */
	if (v & FCR_CLEAR_RX)
		u->rx_count = 0;
	u->fcr = v & (FCR_ENABLE | FCR_TRIGGER);
}

void uart_emu_write(struct uart_emu *u, uint16_t offset, uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (offset) {
	case REG_RBR_THR:
		if (dlab)
			u->dll = v;
		else
			transmit(u, v);
		break;
	case REG_IER:
		if (dlab) {
			u->dlm = v;
			break;
		}
		if ((v & IER_THRE) && !(u->ier & IER_THRE))
			u->thre_int = true; /* enabled while THR is empty */
		u->ier = v & IER_MASK;
		break;
	case REG_IIR_FCR:
		fifo_control(u, v);
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		u->mcr = v & MCR_MASK;
		lines_changed(u);
		break;
	case REG_SCR:
		u->scr = v;
		break;
	default: /* LSR, MSR, out of range: ignored */
		break;
	}
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

/* IIR: reading it while it reports THRE clears that interrupt. */
static uint8_t iir_read(struct uart_emu *u)
{
	uint8_t id = pending(u);

	if (id == IIR_THRE)
		u->thre_int = false;
	return (uint8_t)(id | (u->fcr & FCR_ENABLE ? IIR_FIFO : 0));
}

uint8_t uart_emu_read(struct uart_emu *u, uint16_t offset)
{
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v;

	switch (offset) {
	case REG_RBR_THR:
		return dlab ? u->dll : rx_pop(u);
	case REG_IER:
		return dlab ? u->dlm : u->ier;
	case REG_IIR_FCR:
		return iir_read(u);
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		v = (uint8_t)(LSR_IDLE | u->lsr_err | (u->rx_count ? LSR_DR : 0));
		u->lsr_err = 0;
		return v;
	case REG_MSR:
		v = (uint8_t)(u->msr_lines | u->msr_delta);
		u->msr_delta = 0;
		return v;
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
