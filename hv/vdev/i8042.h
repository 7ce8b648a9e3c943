/*
 * The VM's i8042 keyboard controller (pure), enough for a guest to probe it
 * and to reset through it: data port 0x60, status/command port 0x64.
 * Controller commands: 0x20 read / 0x60 write the command byte, 0xAA
 * self-test (answers 0x55, sets the system flag), 0xAB / 0xA9 interface tests
 * (0x00), 0xAD / 0xAE and 0xA7 / 0xA8 disable / enable the ports, 0xD0 / 0xD1
 * read / write the output port, 0xFE and the other pulse commands 0xF0-0xFF
 * with bit 0 clear (pulse the reset line). Bytes to the keyboard are answered
 * with ACK (0xFA; reset 0xFF also with 0xAA); no keyboard input ever comes.
 * IRQ 1 is the output buffer full with command byte bit 0 set.
 */
#ifndef SABLE_HV_VDEV_I8042_H
#define SABLE_HV_VDEV_I8042_H

#include "types.h"

#define I8042_PORT_DATA 0x60
#define I8042_PORT_CMD  0x64
#define I8042_OUT_MAX   4

struct i8042 {
	uint8_t cmd_byte;
	uint8_t status; /* system flag, command/data */
	uint8_t out_port;
	uint8_t pending; /* controller command waiting for its data byte, or 0 */
	uint8_t out[I8042_OUT_MAX];
	uint8_t out_head, out_count;
};

enum i8042_effect {
	I8042_NONE = 0,
	I8042_RESET, /* the guest pulsed the CPU reset line */
};

void i8042_init(struct i8042 *k);
uint8_t i8042_read(struct i8042 *k, uint16_t port);
enum i8042_effect i8042_write(struct i8042 *k, uint16_t port, uint8_t val);
/* The level of IRQ 1. */
bool i8042_irq(const struct i8042 *k);

#endif
