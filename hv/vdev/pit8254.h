/*
 * The VM's i8254 PIT (pure; Intel 82C54 datasheet): three 16-bit counters at
 * 1.193182 MHz behind ports 0x40-0x42, the control word at 0x43 (counter
 * programming, counter latch, read-back), and port 0x61's gate of counter 2
 * (bit 0) and its output (bit 5). Modes 0 (interrupt on terminal count), 2
 * (rate generator), 3 (square wave) and 4 (software strobe); modes 1 and 5
 * (hardware-triggered) count as 0 and 4. LSB, MSB and LSB-then-MSB access.
 * Time is the host TSC the caller passes (tsc_hz ticks per second): a
 * counter's value is computed from the TSC at which its count was loaded, so
 * it is exact at any read. Counter 0 drives IRQ 0: pit_deadline is when its
 * output next rises, pit_poll reports that it did. Periodic edges are never
 * nearer than min_period TSC ticks apart (a guest programming count 1 gets
 * fewer interrupts, not a storm); missed ones coalesce.
 */
#ifndef SABLE_HV_VDEV_PIT8254_H
#define SABLE_HV_VDEV_PIT8254_H

#include "types.h"

#define PIT_HZ        1193182u
#define PIT_PORT_BASE 0x40
#define PIT_PORT_CTRL 0x43
#define PIT_PORT_SPKR 0x61

struct pit_channel {
	uint32_t reload; /* 1-65536 (a written 0 counts as 65536) */
	uint64_t start;  /* TSC when the count was loaded (or the gate rose) */
	uint32_t frozen; /* ticks done when the gate went low */
	uint8_t mode, access, bcd;
	bool armed;    /* a count was loaded: it counts (with the gate high) */
	bool write_hi; /* LSB-then-MSB: the next write is the MSB */
	bool read_hi;  /* and the next read */
	bool latched;  /* a latched count waits to be read */
	bool status_latched;
	uint16_t latch;
	uint8_t status;
	uint8_t lsb; /* LSB written, MSB awaited */
	bool gate;
};

struct pit {
	struct pit_channel ch[3];
	uint64_t tsc_hz;
	uint64_t min_period; /* TSC ticks between IRQ 0 edges, at least */
	uint64_t irq_next;   /* TSC of the next counter 0 edge, UINT64_MAX: none */
	uint8_t port61;      /* bits 0-3 as written */
	bool refresh;        /* bit 4, toggling */
};

void pit_init(struct pit *p, uint64_t tsc_hz, uint64_t min_period);
/* Ports 0x40-0x43 and 0x61, one byte at time now. */
uint8_t pit_read(struct pit *p, uint16_t port, uint64_t now);
void pit_write(struct pit *p, uint16_t port, uint8_t val, uint64_t now);
/* TSC at which counter 0's output next rises (IRQ 0), UINT64_MAX if never. */
uint64_t pit_deadline(const struct pit *p);
/* True if counter 0's output rose (once or more, coalesced) by now. */
bool pit_poll(struct pit *p, uint64_t now);
/* Counter i's output at now (for tests and port 0x61). */
bool pit_out(const struct pit *p, unsigned i, uint64_t now);

#endif
