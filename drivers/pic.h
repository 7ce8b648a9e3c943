/* The legacy 8259A interrupt controller pair, which Sable does not use: it is
 * remapped away from the exception vectors and masked at boot. */
#ifndef SABLE_DRIVERS_PIC_H
#define SABLE_DRIVERS_PIC_H

#include "types.h"

#define PIC_VECTOR_BASE  0x20 /* IRQ 0-7 at 0x20-0x27, IRQ 8-15 at 0x28-0x2f */
#define PIC_VECTOR_COUNT 16

/* Reprograms both controllers (ICW1-ICW4) to PIC_VECTOR_BASE and masks every
 * IRQ line, so the firmware's timer tick (IRQ 0 at vector 8) cannot arrive. */
void pic_init(void);

/* True if vector lies in the range the PICs were remapped to. */
bool pic_vector(uint8_t vector);

/* Acknowledges an IRQ the PIC delivered at vector. A spurious IRQ 7 or 15 (its
 * in-service bit clear, 8259A datasheet "spurious interrupt") gets no EOI from
 * its own controller; a slave spurious one still gets one from the master.
 * Returns true if the interrupt was spurious. */
bool pic_ack(uint8_t vector);

#endif
