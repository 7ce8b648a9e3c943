/* The VM's CMOS RTC (see rtc.h). */
#include "hv/vdev/rtc.h"

#define REG_SEC    0
#define REG_MIN    2
#define REG_HOUR   4
#define REG_WDAY   6
#define REG_MDAY   7
#define REG_MONTH  8
#define REG_YEAR   9
#define HOUR_PM    0x80
#define A_WRITABLE 0x7f
#define B_WRITABLE 0xff
#define SECS_DAY   86400u
#define EPOCH_YEAR 1970
#define EPOCH_WDAY 5 /* 1970-01-01 was a Thursday: day 5 counting Sunday as 1 */

struct civil {
	unsigned year, month, mday, wday, hour, min, sec;
};

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
	static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

static void to_civil(uint64_t t, struct civil *c)
{
	uint64_t days = t / SECS_DAY;
	uint32_t s = (uint32_t)(t % SECS_DAY);

	c->sec = s % 60;
	c->min = s / 60 % 60;
	c->hour = s / 3600;
	c->wday = (unsigned)((days + EPOCH_WDAY - 1) % 7) + 1;
	c->year = EPOCH_YEAR;
	while (days >= (leap(c->year) ? 366u : 365u))
		days -= leap(c->year++) ? 366 : 365;
	c->month = 1;
	while (days >= month_days(c->year, c->month))
		days -= month_days(c->year, c->month++);
	c->mday = (unsigned)days + 1;
}

static uint64_t from_civil(const struct civil *c)
{
	uint64_t days = 0;

	for (unsigned y = EPOCH_YEAR; y < c->year; y++)
		days += leap(y) ? 366 : 365;
	for (unsigned m = 1; m < c->month && m <= 12; m++)
		days += month_days(c->year, m);
	days += c->mday ? c->mday - 1 : 0;
	return days * SECS_DAY + c->hour * 3600u + c->min * 60u + c->sec;
}

uint64_t rtc_time(const struct rtc *r, uint64_t now)
{
	return r->base_secs + (now > r->base_tsc ? (now - r->base_tsc) / r->tsc_hz : 0);
}

void rtc_init(struct rtc *r, uint64_t epoch_secs, uint64_t now, uint64_t tsc_hz)
{
	*r = (struct rtc){.base_secs = epoch_secs, .base_tsc = now, .tsc_hz = tsc_hz ? tsc_hz : 1};
	r->cmos[RTC_REG_A] = 0x26; /* 32.768 kHz time base, 1.024 kHz rate */
	r->cmos[RTC_REG_B] = RTC_B_24H;
}

static bool binary(const struct rtc *r)
{
	return r->cmos[RTC_REG_B] & RTC_B_BINARY;
}

static uint8_t enc(const struct rtc *r, unsigned v)
{
	return binary(r) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned dec(const struct rtc *r, uint8_t v)
{
	return binary(r) ? v : (v >> 4) * 10u + (v & 0xf);
}

static uint8_t hour_enc(const struct rtc *r, unsigned h)
{
	unsigned h12;

	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return enc(r, h);
	h12 = h % 12 ? h % 12 : 12;
	return (uint8_t)(enc(r, h12) | (h >= 12 ? HOUR_PM : 0));
}

static unsigned hour_dec(const struct rtc *r, uint8_t v)
{
	unsigned h;

	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return dec(r, v);
	h = dec(r, v & ~HOUR_PM) % 12;
	return v & HOUR_PM ? h + 12 : h;
}

/* Register A with UIP during the last 244 us of the current second. */
static uint8_t reg_a(const struct rtc *r, uint64_t now)
{
	uint64_t frac = now > r->base_tsc ? (now - r->base_tsc) % r->tsc_hz : 0;
	uint64_t window = r->tsc_hz / 1000000 * RTC_UIP_US;

	return (uint8_t)(r->cmos[RTC_REG_A] | (frac >= r->tsc_hz - window ? RTC_A_UIP : 0));
}

static uint8_t reg_read(struct rtc *r, uint8_t idx, uint64_t now)
{
	struct civil c;

	if (idx > REG_YEAR && idx != RTC_CENTURY) {
		switch (idx) {
		case RTC_REG_A:
			return reg_a(r, now);
		case RTC_REG_C:
			return 0;
		case RTC_REG_D:
			return RTC_D_VRT;
		}
		return r->cmos[idx];
	}
	to_civil(rtc_time(r, now), &c);
	switch (idx) {
	case REG_SEC:
		return enc(r, c.sec);
	case REG_MIN:
		return enc(r, c.min);
	case REG_HOUR:
		return hour_enc(r, c.hour);
	case REG_WDAY:
		return enc(r, c.wday);
	case REG_MDAY:
		return enc(r, c.mday);
	case REG_MONTH:
		return enc(r, c.month);
	case REG_YEAR:
		return enc(r, c.year % 100);
	case RTC_CENTURY:
		return enc(r, c.year / 100);
	}
	return r->cmos[idx]; /* the alarms: plain memory */
}

/* A write to a time register sets the clock: the other fields keep their values. */
static bool time_write(struct rtc *r, uint8_t idx, uint8_t val, uint64_t now)
{
	struct civil c;
	unsigned v = dec(r, val);

	to_civil(rtc_time(r, now), &c);
	switch (idx) {
	case REG_SEC:
		c.sec = MIN(v, 59u);
		break;
	case REG_MIN:
		c.min = MIN(v, 59u);
		break;
	case REG_HOUR:
		c.hour = MIN(hour_dec(r, val), 23u);
		break;
	case REG_MDAY:
		c.mday = v ? MIN(v, 31u) : 1;
		break;
	case REG_MONTH:
		c.month = v ? MIN(v, 12u) : 1;
		break;
	case REG_YEAR:
		c.year = c.year / 100 * 100 + v % 100;
		break;
	case RTC_CENTURY:
		c.year = MAX(v, 19u) * 100 + c.year % 100;
		break;
	default:
		return false; /* day of week follows the date */
	}
	c.mday = MIN(c.mday, month_days(c.year, c.month));
	r->base_secs = from_civil(&c);
	r->base_tsc = now;
	return true;
}

uint8_t rtc_read(struct rtc *r, uint16_t port, uint64_t now)
{
	if (port == RTC_PORT_DATA)
		return reg_read(r, r->index, now);
	return 0xff; /* the index register is write-only */
}

void rtc_write(struct rtc *r, uint16_t port, uint8_t val, uint64_t now)
{
	uint8_t idx = r->index;

	if (port == RTC_PORT_INDEX) {
		r->index = val & 0x7f;
		r->nmi_masked = val & 0x80;
		return;
	}
	if (port != RTC_PORT_DATA)
		return;
	if (idx == RTC_REG_A)
		r->cmos[idx] = val & A_WRITABLE;
	else if (idx == RTC_REG_C || idx == RTC_REG_D)
		return; /* read-only */
	else if ((idx <= REG_YEAR || idx == RTC_CENTURY) && time_write(r, idx, val, now))
		return;
	else
		r->cmos[idx] = val & (idx == RTC_REG_B ? B_WRITABLE : 0xff);
}
