/* 8259A programmable interrupt controller pair (Intel 8259A datasheet;
 * IBM PC/AT wiring: slave on master IRQ 2). */
#include "drivers/pic.h"
#include "x86.h"

#define PIC_MASTER_CMD  0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_CMD   0xa0
#define PIC_SLAVE_DATA  0xa1

#define ICW1_INIT     0x10 /* start initialization */
#define ICW1_ICW4     0x01 /* an ICW4 follows */
#define ICW3_MASTER   0x04 /* slave on IRQ 2 */
#define ICW3_SLAVE    0x02 /* slave identity 2 */
#define ICW4_8086     0x01 /* 8086 mode, normal EOI */
#define OCW2_EOI      0x20 /* non-specific EOI */
#define OCW3_READ_ISR 0x0b
#define MASK_ALL      0xff
#define SPURIOUS_IRQ  7
#define POST_DELAY_IO 0x80 /* a write here gives the old parts time between ICWs */

static void pic_out(uint16_t port, uint8_t v)
{
	outb(port, v);
	outb(POST_DELAY_IO, 0);
}

void pic_init(void)
{
	pic_out(PIC_MASTER_DATA, MASK_ALL);
	pic_out(PIC_SLAVE_DATA, MASK_ALL);
	pic_out(PIC_MASTER_CMD, ICW1_INIT | ICW1_ICW4);
	pic_out(PIC_SLAVE_CMD, ICW1_INIT | ICW1_ICW4);
	pic_out(PIC_MASTER_DATA, PIC_VECTOR_BASE);
	pic_out(PIC_SLAVE_DATA, PIC_VECTOR_BASE + 8);
	pic_out(PIC_MASTER_DATA, ICW3_MASTER);
	pic_out(PIC_SLAVE_DATA, ICW3_SLAVE);
	pic_out(PIC_MASTER_DATA, ICW4_8086);
	pic_out(PIC_SLAVE_DATA, ICW4_8086);
	pic_out(PIC_MASTER_DATA, MASK_ALL);
	pic_out(PIC_SLAVE_DATA, MASK_ALL);
}

bool pic_vector(uint8_t vector)
{
	return vector >= PIC_VECTOR_BASE && vector < PIC_VECTOR_BASE + PIC_VECTOR_COUNT;
}

static uint8_t read_isr(uint16_t cmd)
{
	outb(cmd, OCW3_READ_ISR);
	return inb(cmd);
}

bool pic_ack(uint8_t vector)
{
	unsigned irq = vector - PIC_VECTOR_BASE;
	bool slave = irq >= 8;
	uint16_t cmd = slave ? PIC_SLAVE_CMD : PIC_MASTER_CMD;

	if ((irq & 7) == SPURIOUS_IRQ && !(read_isr(cmd) & BIT(SPURIOUS_IRQ))) {
		if (slave)
			outb(PIC_MASTER_CMD, OCW2_EOI); /* the master saw a real IRQ 2 */
		return true;
	}
	if (slave)
		outb(PIC_SLAVE_CMD, OCW2_EOI);
	outb(PIC_MASTER_CMD, OCW2_EOI);
	return false;
}
