// SPDX-License-Identifier: MIT
/*
 * pcplat: the PC platform devices a Linux guest uses. Programs the 8259 pair
 * and takes PIT channel 0 interrupts through it (ExtINT on LINT0, EOI to the
 * PIC), then through the IOAPIC (pin 2 by the IRQ 0 override, EOI to the
 * local APIC); a level-triggered IOAPIC pin (the i8042's IRQ 1 after its
 * self-test) whose remote IRR must be set in the handler and clear after the
 * EOI; PIT channel 2 through port 0x61 as calibration uses it; the CMOS RTC;
 * PCI configuration mechanism 1 (no devices); the UART's THRE and
 * received-data interrupts on IRQ 4. With "hostile" on its command
 * line it then writes nonsense to the IOAPIC, redirects pins to APIC IDs that
 * do not exist, storms the PIT with reprogramming and count 1, checks it
 * still works, and ends with a byte access to the IOAPIC, which stops it.
 * With "reset" it only pulses the reset line through the i8042 (0xFE).
 */
#include "guest.h"
#include "apic.h"

#define IOAPIC         0xfec00000u
#define IOAPIC_RTE(p)  (0x10 + 2 * (p))
#define RTE_LEVEL      (1u << 15)
#define RTE_RIRR       (1u << 14)
#define RTE_MASKED     (1u << 16)
#define PIC_BASE       0x20
#define VEC_PIT_PIC    (PIC_BASE + 0)
#define VEC_PIT_IOAPIC 0x31
#define VEC_KBD        0x32
#define VEC_UART       0x34
#define COM1_IER       0x3f9
#define COM1_IIR       0x3fa
#define COM1_MCR       0x3fc
#define PIT_COUNT      1193 /* 1 ms */
#define WAIT_TICKS     2000000000ull
#define IRQS           3
#define LVT_EXTINT     (7u << 8)

static volatile uint32_t pic_isr_in_handler, kbd_rirr_in_handler, kbd_byte;
static volatile uint8_t uart_iir[4], uart_rx;
static volatile uint32_t uart_irqs; /* handled so far: uart_iir[n % 4] is the nth's IIR */

static uint32_t ioapic_read(uint32_t reg)
{
	*(volatile uint32_t *)IOAPIC = reg;
	return *(volatile uint32_t *)(IOAPIC + 0x10);
}

static void ioapic_write(uint32_t reg, uint32_t val)
{
	*(volatile uint32_t *)IOAPIC = reg;
	*(volatile uint32_t *)(IOAPIC + 0x10) = val;
}

static void pic_init(uint8_t mask_master, uint8_t mask_slave)
{
	outb(0x20, 0x11);
	outb(0x21, PIC_BASE);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	outb(0xa0, 0x11);
	outb(0xa1, PIC_BASE + 8);
	outb(0xa1, 0x02);
	outb(0xa1, 0x01);
	outb(0x21, mask_master);
	outb(0xa1, mask_slave);
}

static void pit_periodic(uint16_t count)
{
	outb(0x43, 0x34); /* channel 0, LSB then MSB, mode 2 */
	outb(0x40, (uint8_t)count);
	outb(0x40, (uint8_t)(count >> 8));
}

static void pit_stop(void)
{
	outb(0x43, 0x30); /* mode 0 waiting for its count: no more edges */
}

static void on_pit_pic(uint8_t v)
{
	(void)v;
	outb(0x20, 0x0b);
	pic_isr_in_handler = inb(0x20);
	outb(0x20, 0x0a);
	outb(0x20, 0x20); /* non-specific EOI */
}

static void on_pit_ioapic(uint8_t v)
{
	(void)v;
	apic_eoi();
}

static void on_kbd(uint8_t v)
{
	(void)v;
	kbd_rirr_in_handler = ioapic_read(IOAPIC_RTE(1)) & RTE_RIRR;
	kbd_byte = inb(0x60); /* empties the output buffer: IRQ 1 deasserts */
	apic_eoi();
}

/* COM1's interrupt: IIR says why; a received byte is read (which ends it). */
static void on_uart(uint8_t v)
{
	uint8_t iir = inb(COM1_IIR);

	(void)v;
	uart_iir[uart_irqs++ % 4] = iir;
	if ((iir & 0x0f) == 0x04 || (iir & 0x0f) == 0x0c)
		uart_rx = inb(0x3f8);
	apic_eoi();
}

static bool take(uint8_t vec, unsigned n, uint64_t *first, uint64_t *last)
{
	uint32_t seen = irq_count[vec];

	for (unsigned i = 0; i < n; i++) {
		if (!irq_wait(vec, seen + i, WAIT_TICKS))
			return false;
		if (i == 0)
			*first = irq_entry_tsc;
		*last = irq_entry_tsc;
	}
	return true;
}

/* VEC_PIT_PIC interrupts taken when test_pit_through_pic masked the PIC. */
static uint32_t pic_irqs_masked;

static void test_pit_through_pic(void)
{
	uint64_t a = 0, b = 0;
	bool ok;

	test_begin("pcplat-pit-pic");
	pic_init(0xfe, 0xff);
	CHECK(inb(0x21) == 0xfe, "IMR 0x%x", inb(0x21));
	apic_write(APIC_LVT0, LVT_EXTINT); /* virtual wire */
	pit_periodic(PIT_COUNT);
	ok = take(VEC_PIT_PIC, IRQS, &a, &b);
	/* stopped before printing: a vCPU sharing its core takes long to print,
	 * and the PIT would go on interrupting meanwhile */
	pit_stop();
	if (CHECK(ok, "no IRQ 0 through the PIC (%u taken)", irq_count[VEC_PIT_PIC]))
		info("pcplat: %u PIT interrupts through the PIC, %llu TSC ticks apart", IRQS,
		     (b - a) / (IRQS - 1));
	CHECK(pic_isr_in_handler == 0x01, "ISR in the handler 0x%x", pic_isr_in_handler);
	outb(0x20, 0x0b);
	CHECK(inb(0x20) == 0, "ISR 0x%x after the EOI", inb(0x20));
	outb(0x20, 0x0a);
	outb(0x21, 0xff);
	apic_write(APIC_LVT0, APIC_LVT_MASKED | LVT_EXTINT);
	pic_irqs_masked = irq_count[VEC_PIT_PIC];
	test_end();
}

static void test_pit_through_ioapic(void)
{
	uint32_t ver = ioapic_read(1), id = apic_id();
	uint64_t a = 0, b = 0;

	test_begin("pcplat-pit-ioapic");
	CHECK(ver == 0x00170020, "IOAPIC version register 0x%x", ver);
	CHECK(ioapic_read(IOAPIC_RTE(2)) & RTE_MASKED, "pin 2 not masked at reset");
	ioapic_write(IOAPIC_RTE(2) + 1, id << 24);
	ioapic_write(IOAPIC_RTE(2), VEC_PIT_IOAPIC);
	CHECK(ioapic_read(IOAPIC_RTE(2)) == VEC_PIT_IOAPIC, "RTE 2 reads 0x%x",
	      ioapic_read(IOAPIC_RTE(2)));
	pit_periodic(PIT_COUNT);
	if (CHECK(take(VEC_PIT_IOAPIC, IRQS, &a, &b), "no IRQ 0 on IOAPIC pin 2 (%u taken)",
	          irq_count[VEC_PIT_IOAPIC]))
		info("pcplat: %u PIT interrupts through the IOAPIC, %llu TSC ticks apart", IRQS,
		     (b - a) / (IRQS - 1));
	/* logical flat destination, lowest priority, as older kernels program it */
	ioapic_write(IOAPIC_RTE(2), RTE_MASKED);
	apic_write(APIC_DFR, 0xffffffffu);
	apic_write(APIC_LDR, 0x02u << 24);
	ioapic_write(IOAPIC_RTE(2) + 1, 0x02u << 24);
	ioapic_write(IOAPIC_RTE(2), VEC_PIT_IOAPIC | 1u << 8 | 1u << 11);
	CHECK(take(VEC_PIT_IOAPIC, 2, &a, &b), "no IRQ 0 to logical destination 0x02");
	ioapic_write(IOAPIC_RTE(2), RTE_MASKED);
	pit_stop();
	/* the count when the PIC was masked: a vCPU sharing its core may have
	 * taken more than IRQS before (the PIT goes on in real time), none after
	 * (one acknowledged just before the mask may still arrive) */
	CHECK(irq_count[VEC_PIT_PIC] - pic_irqs_masked <= 1,
	      "the masked PIC delivered too (%u after the mask)",
	      irq_count[VEC_PIT_PIC] - pic_irqs_masked);
	test_end();
}

static void test_level_pin_i8042(void)
{
	uint32_t seen = irq_count[VEC_KBD];
	uint64_t a = 0, b = 0;

	test_begin("pcplat-ioapic-level-i8042");
	ioapic_write(IOAPIC_RTE(1) + 1, apic_id() << 24);
	ioapic_write(IOAPIC_RTE(1), VEC_KBD | RTE_LEVEL);
	outb(0x64, 0xaa); /* self-test: 0x55 in the output buffer, IRQ 1 up */
	if (CHECK(take(VEC_KBD, 1, &a, &b), "no level interrupt from the i8042")) {
		CHECK(kbd_byte == 0x55, "self-test answered 0x%x", kbd_byte);
		CHECK(kbd_rirr_in_handler, "remote IRR clear in the handler");
	}
	CHECK(!(ioapic_read(IOAPIC_RTE(1)) & RTE_RIRR), "remote IRR still set after the EOI");
	CHECK(irq_count[VEC_KBD] == seen + 1, "%u interrupts for one assertion",
	      irq_count[VEC_KBD] - seen);
	CHECK(inb(0x64) & 0x04, "system flag not set after the self-test");
	ioapic_write(IOAPIC_RTE(1), RTE_MASKED);
	test_end();
}

static void test_pit_channel2(void)
{
	uint64_t t0, t1;
	uint16_t c1, c2;
	bool out = false;

	test_begin("pcplat-pit-ch2-port61");
	outb(0x61, (inb(0x61) & ~0x02) | 0x01); /* gate 2 high, speaker off */
	outb(0x43, 0xb0);                       /* channel 2, LSB/MSB, mode 0 */
	outb(0x42, 0xff);
	outb(0x42, 0xff);
	outb(0x43, 0x80); /* latch */
	c1 = inb(0x42);
	c1 |= (uint16_t)(inb(0x42) << 8);
	t0 = rdtsc();
	while (rdtsc() - t0 < 200000)
		cpu_relax();
	outb(0x43, 0x80);
	c2 = inb(0x42);
	c2 |= (uint16_t)(inb(0x42) << 8);
	CHECK(c2 < c1, "channel 2 not counting down: 0x%x then 0x%x", c1, c2);
	CHECK(!(inb(0x61) & 0x20), "OUT2 high before terminal count");
	outb(0x42, (uint8_t)PIT_COUNT);
	outb(0x42, (uint8_t)(PIT_COUNT >> 8));
	t0 = rdtsc();
	while (!(out = inb(0x61) & 0x20) && rdtsc() - t0 < WAIT_TICKS)
		cpu_relax();
	t1 = rdtsc();
	if (CHECK(out, "OUT2 never rose"))
		info("pcplat: PIT channel 2 counted %u ticks in %llu TSC ticks", PIT_COUNT,
		     t1 - t0);
	test_end();
}

/* The 16550's THRE interrupt (IER bit 1) on IRQ 4 through IOAPIC pin 4, as
 * Linux's 8250 driver uses it, then a received-data interrupt in loopback.
 * Nothing is printed while it runs: each byte sent would interrupt. */
static void test_uart_irq(void)
{
	uint64_t a = 0, b = 0;
	uint32_t seen = uart_irqs;
	bool thre, again, rx;
	uint8_t iir_after;

	test_begin("pcplat-uart-irq4");
	serial_flush();
	ioapic_write(IOAPIC_RTE(4) + 1, apic_id() << 24);
	ioapic_write(IOAPIC_RTE(4), VEC_UART);
	outb(COM1_MCR, 0x0b); /* DTR, RTS, OUT2: the IRQ line is connected */
	outb(COM1_IER, 0x02); /* THRE: pending at once, the transmitter is empty */
	thre = take(VEC_UART, 1, &a, &b);
	iir_after = inb(COM1_IIR);
	outb(0x3f8, '\r'); /* sent at once: THRE again (the console drops a lone CR) */
	again = take(VEC_UART, 1, &a, &b);
	outb(COM1_IER, 0x01); /* received data only */
	outb(COM1_MCR, 0x18); /* loopback (and OUT2): what is sent is received */
	outb(0x3f8, 'Z');
	rx = take(VEC_UART, 1, &a, &b);
	outb(COM1_IER, 0x00);
	outb(COM1_MCR, 0x03);
	ioapic_write(IOAPIC_RTE(4), RTE_MASKED);
	if (CHECK(thre, "no THRE interrupt when IER bit 1 was set")) {
		CHECK((uart_iir[seen % 4] & 0x0f) == 0x02, "IIR 0x%x in the THRE handler",
		      uart_iir[seen % 4]);
		CHECK((iir_after & 0x0f) == 0x01, "IIR 0x%x after the THRE was identified",
		      iir_after);
	}
	if (CHECK(again, "no THRE interrupt after a THR write"))
		CHECK((uart_iir[(seen + 1) % 4] & 0x0f) == 0x02, "IIR 0x%x",
		      uart_iir[(seen + 1) % 4]);
	if (CHECK(rx, "no received-data interrupt in loopback")) {
		CHECK((uart_iir[(seen + 2) % 4] & 0x07) == 0x04, "IIR 0x%x for received data",
		      uart_iir[(seen + 2) % 4]);
		CHECK(uart_rx == 'Z', "received 0x%x", uart_rx);
	}
	CHECK(uart_irqs == seen + 3, "%u UART interrupts, want 3", uart_irqs - seen);
	test_end();
}

static unsigned bcd(uint8_t v)
{
	return (v >> 4) * 10u + (v & 0xf);
}

static uint8_t cmos(uint8_t i)
{
	outb(0x70, 0x80 | i); /* with NMIs masked, as BIOSes do */
	return inb(0x71);
}

static void test_rtc(void)
{
	uint8_t s, m, h, d, mo, y, c;
	uint64_t t0 = rdtsc();

	test_begin("pcplat-rtc");
	while ((cmos(0x0a) & 0x80) && rdtsc() - t0 < WAIT_TICKS)
		cpu_relax();
	s = cmos(0);
	m = cmos(2);
	h = cmos(4);
	d = cmos(7);
	mo = cmos(8);
	y = cmos(9);
	c = cmos(0x32);
	info("pcplat: RTC 20%02x-%02x-%02x %02x:%02x:%02x (century 0x%x)", y, mo, d, h, m, s, c);
	CHECK(cmos(0x0d) == 0x80, "register D 0x%x", cmos(0x0d));
	CHECK((cmos(0x0b) & 0x06) == 0x02, "register B 0x%x: not BCD 24-hour", cmos(0x0b));
	CHECK(c == 0x20 && bcd(y) >= 26, "year %x%02x", c, y);
	CHECK(bcd(mo) >= 1 && bcd(mo) <= 12 && bcd(d) >= 1 && bcd(d) <= 31, "date %x-%x", mo, d);
	CHECK(bcd(h) < 24 && bcd(m) < 60 && bcd(s) < 60, "time %x:%x:%x", h, m, s);
	outb(0x70, 0x0b);
	outb(0x71, 0x06); /* binary, 24-hour */
	CHECK(cmos(4) == bcd(h) || cmos(4) == (bcd(h) + 1) % 24, "binary hour %u, BCD 0x%x",
	      cmos(4), h);
	outb(0x70, 0x0b);
	outb(0x71, 0x02);
	outb(0x70, 0x40);
	outb(0x71, 0x5a);
	CHECK(cmos(0x40) == 0x5a, "CMOS byte 0x40 reads 0x%x", cmos(0x40));
	test_end();
}

static void test_pci(void)
{
	test_begin("pcplat-pci-cfg");
	outl(0xcf8, 0x80000000u);
	CHECK(inl(0xcf8) == 0x80000000u, "address register reads 0x%x", inl(0xcf8));
	CHECK(inl(0xcfc) == 0xffffffffu, "00:00.0 vendor/device 0x%x: expected no device",
	      inl(0xcfc));
	outl(0xcf8, 0x80000800u); /* 00:01.0 */
	CHECK(inw(0xcfe) == 0xffff, "00:01.0 device id 0x%x", inw(0xcfe));
	outl(0xcf8, 0);
	test_end();
}

/* Nonsense for the IOAPIC and the PIT: the VM must keep working (and the
 * others with it); then a byte access, which Sable refuses: this VM stops. */
static void hostile(void)
{
	uint64_t a = 0, b = 0, t0;

	test_begin("pcplat-hostile");
	ioapic_write(1, 0);      /* version: read-only */
	ioapic_write(0x7f, ~0u); /* past the table */
	ioapic_write(0xff, ~0u);
	*(volatile uint32_t *)(IOAPIC + 0x20) = 0x1234; /* no register there */
	CHECK(ioapic_read(1) == 0x00170020, "version changed to 0x%x", ioapic_read(1));
	for (unsigned p = 3; p < 24; p++) { /* to APIC IDs nobody has, every mode */
		ioapic_write(IOAPIC_RTE(p) + 1, (0x40u + p) << 24);
		ioapic_write(IOAPIC_RTE(p), (p & 7) << 8 | (p & 1 ? RTE_LEVEL : 0) | p);
	}
	ioapic_write(IOAPIC_RTE(2) + 1, 0x77u << 24);
	ioapic_write(IOAPIC_RTE(2), 0x40); /* the PIT to nobody */
	t0 = rdtsc();
	for (unsigned i = 0; i < 2000; i++)
		pit_periodic((uint16_t)(1 + (i & 1)));
	while (rdtsc() - t0 < 20000000)
		cpu_relax();
	for (unsigned p = 2; p < 24; p++) /* masked before retargeting: the PIT still runs */
		ioapic_write(IOAPIC_RTE(p), RTE_MASKED);
	ioapic_write(IOAPIC_RTE(2) + 1, apic_id() << 24);
	ioapic_write(IOAPIC_RTE(2), VEC_PIT_IOAPIC);
	CHECK(take(VEC_PIT_IOAPIC, IRQS, &a, &b), "PIT through the IOAPIC dead after the storm");
	pit_periodic(1); /* count 1: the floor keeps this a trickle */
	CHECK(take(VEC_PIT_IOAPIC, 20, &a, &b), "no interrupts at count 1");
	info("pcplat: count 1 gives an interrupt every %llu TSC ticks", (b - a) / 19);
	pit_stop();
	ioapic_write(IOAPIC_RTE(2), RTE_MASKED);
	test_end();
	info("pcplat: byte access to the IOAPIC next: this VM should stop");
	serial_flush();
	*(volatile uint8_t *)(IOAPIC + 0x10) = 1;
	info("pcplat: survived a byte write to the IOAPIC");
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *cmd = (mbi->flags & MBI_FLAG_CMDLINE) ? (const char *)mbi->cmdline : "";
	bool bad = false, reset = false;

	(void)magic;
	for (const char *p = cmd; *p; p++) {
		if (!strncmp(p, "hostile", 7))
			bad = true;
		if (!strncmp(p, "reset", 5))
			reset = true;
	}
	if (reset) { /* reboot=k as Linux does it: wait for the input buffer, pulse reset */
		info("pcplat: resetting through the i8042");
		serial_flush();
		while (inb(0x64) & 0x02)
			cpu_relax();
		outb(0x64, 0xfe);
		info("pcplat: survived the i8042 reset");
		tests_finish();
	}
	apic_enable();
	irq_set_handler(VEC_PIT_PIC, on_pit_pic);
	irq_set_handler(VEC_PIT_IOAPIC, on_pit_ioapic);
	irq_set_handler(VEC_KBD, on_kbd);
	irq_set_handler(VEC_UART, on_uart);
	test_pit_through_pic();
	test_pit_through_ioapic();
	test_level_pin_i8042();
	test_pit_channel2();
	test_rtc();
	test_pci();
	test_uart_irq();
	if (bad)
		hostile();
	tests_finish();
}
