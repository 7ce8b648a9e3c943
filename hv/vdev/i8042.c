/* The VM's i8042 keyboard controller (see i8042.h). */
#include "hv/vdev/i8042.h"

#define ST_OBF       0x01
#define ST_SYS       0x04
#define ST_CMD       0x08 /* the last write was to the command port */
#define CB_KBD_INT   0x01
#define CB_SYS       0x04
#define CB_KBD_OFF   0x10
#define CB_AUX_OFF   0x20
#define OUT_RESET_N  0x01 /* output port bit 0: CPU reset, active low */
#define OUT_A20      0x02
#define SELF_TEST_OK 0x55
#define KBD_ACK      0xfa
#define KBD_RESET    0xff
#define KBD_TEST_OK  0xaa

enum {
	CMD_READ_CB = 0x20,
	CMD_WRITE_CB = 0x60,
	CMD_AUX_OFF = 0xa7,
	CMD_AUX_ON = 0xa8,
	CMD_AUX_TEST = 0xa9,
	CMD_SELF_TEST = 0xaa,
	CMD_KBD_TEST = 0xab,
	CMD_KBD_OFF = 0xad,
	CMD_KBD_ON = 0xae,
	CMD_READ_OUT = 0xd0,
	CMD_WRITE_OUT = 0xd1,
	CMD_PULSE = 0xf0,
};

void i8042_init(struct i8042 *k)
{
	*k = (struct i8042){.cmd_byte = CB_KBD_INT | CB_SYS, .out_port = OUT_RESET_N | OUT_A20};
}

static void push(struct i8042 *k, uint8_t b)
{
	if (k->out_count == I8042_OUT_MAX)
		return;
	k->out[(k->out_head + k->out_count) % I8042_OUT_MAX] = b;
	k->out_count++;
}

bool i8042_irq(const struct i8042 *k)
{
	return k->out_count && (k->cmd_byte & CB_KBD_INT);
}

uint8_t i8042_read(struct i8042 *k, uint16_t port)
{
	uint8_t b;

	if (port == I8042_PORT_CMD)
		return (uint8_t)(k->status | (k->out_count ? ST_OBF : 0));
	if (port != I8042_PORT_DATA || !k->out_count)
		return 0;
	b = k->out[k->out_head];
	k->out_head = (uint8_t)((k->out_head + 1) % I8042_OUT_MAX);
	k->out_count--;
	return b;
}

static enum i8042_effect command(struct i8042 *k, uint8_t c)
{
	if (c >= CMD_PULSE)
		return c & OUT_RESET_N ? I8042_NONE : I8042_RESET;
	switch (c) {
	case CMD_READ_CB:
		push(k, k->cmd_byte);
		break;
	case CMD_WRITE_CB:
	case CMD_WRITE_OUT:
		k->pending = c;
		break;
	case CMD_SELF_TEST:
		k->status |= ST_SYS;
		push(k, SELF_TEST_OK);
		break;
	case CMD_KBD_TEST:
	case CMD_AUX_TEST:
		push(k, 0x00);
		break;
	case CMD_KBD_OFF:
		k->cmd_byte |= CB_KBD_OFF;
		break;
	case CMD_KBD_ON:
		k->cmd_byte &= (uint8_t)~CB_KBD_OFF;
		break;
	case CMD_AUX_OFF:
		k->cmd_byte |= CB_AUX_OFF;
		break;
	case CMD_AUX_ON:
		k->cmd_byte &= (uint8_t)~CB_AUX_OFF;
		break;
	case CMD_READ_OUT:
		push(k, k->out_port);
		break;
	default:
		break; /* unknown commands do nothing */
	}
	return I8042_NONE;
}

/* A data byte: a pending command's argument, else a byte for the keyboard. */
static enum i8042_effect data(struct i8042 *k, uint8_t b)
{
	uint8_t c = k->pending;

	k->pending = 0;
	if (c == CMD_WRITE_CB) {
		k->cmd_byte = b;
		k->status = (uint8_t)((k->status & ~ST_SYS) | (b & CB_SYS));
		return I8042_NONE;
	}
	if (c == CMD_WRITE_OUT) {
		k->out_port = b;
		return b & OUT_RESET_N ? I8042_NONE : I8042_RESET;
	}
	push(k, KBD_ACK);
	if (b == KBD_RESET)
		push(k, KBD_TEST_OK);
	return I8042_NONE;
}

enum i8042_effect i8042_write(struct i8042 *k, uint16_t port, uint8_t val)
{
	if (port == I8042_PORT_CMD) {
		k->status |= ST_CMD;
		k->pending = 0;
		return command(k, val);
	}
	if (port != I8042_PORT_DATA)
		return I8042_NONE;
	k->status &= (uint8_t)~ST_CMD;
	return data(k, val);
}
