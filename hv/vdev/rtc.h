/*
 * The VM's CMOS RTC (pure; Motorola MC146818A data sheet): index port 0x70
 * (bit 7 is the NMI mask, kept for the guest but masking nothing, as Sable
 * injects no platform NMI), data port 0x71, 128 bytes of CMOS. Registers 0-9
 * give the wall time, counted from a start time (seconds since 1970-01-01
 * UTC) at the TSC the model was made, in BCD or binary and 12- or 24-hour
 * format per register B; writes to them set the clock. Register A's
 * update-in-progress bit is set in the last 244 us of every second, register D
 * reads "valid RAM and time", register C reads 0 (no RTC interrupts are
 * raised: periodic, alarm and update interrupts are not modelled). Byte 0x32
 * is the century.
 */
#ifndef SABLE_HV_VDEV_RTC_H
#define SABLE_HV_VDEV_RTC_H

#include "types.h"

#define RTC_PORT_INDEX 0x70
#define RTC_PORT_DATA  0x71
#define RTC_CMOS_SIZE  128
#define RTC_REG_A      0x0a
#define RTC_REG_B      0x0b
#define RTC_REG_C      0x0c
#define RTC_REG_D      0x0d
#define RTC_CENTURY    0x32
#define RTC_A_UIP      0x80
#define RTC_B_24H      0x02
#define RTC_B_BINARY   0x04
#define RTC_B_SET      0x80
#define RTC_D_VRT      0x80
#define RTC_UIP_US     244

struct rtc {
	uint8_t cmos[RTC_CMOS_SIZE];
	uint8_t index;
	bool nmi_masked;
	uint64_t base_secs; /* wall time at base_tsc */
	uint64_t base_tsc;
	uint64_t tsc_hz;
};

/* Power-on state: 24-hour BCD (register B 0x02), register A 0x26. */
void rtc_init(struct rtc *r, uint64_t epoch_secs, uint64_t now, uint64_t tsc_hz);
uint8_t rtc_read(struct rtc *r, uint16_t port, uint64_t now);
void rtc_write(struct rtc *r, uint16_t port, uint8_t val, uint64_t now);
/* The wall time at now, in seconds since 1970 (for tests). */
uint64_t rtc_time(const struct rtc *r, uint64_t now);

#endif
