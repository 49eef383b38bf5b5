/* The virtual CMOS RTC (see vrtc.h). */
#include "guest/devices/vrtc.h"
#include "guest/devices/bus.h"
#include "lib/muldiv.h"
#include "lib/string.h"

#define SECONDS_PER_DAY		86400u
/* MC146818A: UIP rises 244 us before an update (tBUC) and stays up through the update cycle,
 * 1984 us with the 32.768 kHz time base (tUC); with UIP clear no update starts for 244 us. */
#define UIP_BEFORE_NS		244000u
#define UIP_AFTER_NS		1984000u
#define ALARM_DONT_CARE		0xc0	/* an alarm byte of 11xxxxxx matches every value */
#define EPOCH_YEAR		1970
#define EPOCH_WEEKDAY		4	/* 1970-01-01 was a Thursday (Sunday = 0) */
#define INDEX_NMI_DISABLE	0x80
#define KIB			1024ULL
#define MIB			(1024 * KIB)
#define BASE_MEM_KIB		640

struct rtc_time {
	unsigned sec, min, hour, wday, mday, mon, year;	/* wday 0-6 from Sunday, mon 1-12 */
};

static bool leap_year(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return days[m - 1] + (m == 2 && leap_year(y));
}

static void time_of(uint64_t secs, struct rtc_time *t)
{
	uint64_t days = secs / SECONDS_PER_DAY;
	unsigned rest = (unsigned)(secs % SECONDS_PER_DAY);

	t->sec = rest % 60;
	t->min = rest / 60 % 60;
	t->hour = rest / 3600;
	t->wday = (unsigned)((days + EPOCH_WEEKDAY) % 7);
	for (t->year = EPOCH_YEAR; days >= 365u + leap_year(t->year); t->year++)
		days -= 365u + leap_year(t->year);
	for (t->mon = 1; days >= days_in_month(t->year, t->mon); t->mon++)
		days -= days_in_month(t->year, t->mon);
	t->mday = (unsigned)days + 1;
}

/* Out-of-range fields are clamped: a guest writing nonsense gets a valid time. */
static uint64_t seconds_of(struct rtc_time t)
{
	uint64_t days = 0;

	t.year = t.year < EPOCH_YEAR ? EPOCH_YEAR : t.year;
	t.mon = t.mon < 1 ? 1 : t.mon > 12 ? 12 : t.mon;
	t.mday = t.mday < 1 ? 1 : t.mday > days_in_month(t.year, t.mon) ?
		 days_in_month(t.year, t.mon) : t.mday;
	for (unsigned y = EPOCH_YEAR; y < t.year; y++)
		days += 365u + leap_year(y);
	for (unsigned m = 1; m < t.mon; m++)
		days += days_in_month(t.year, m);
	days += t.mday - 1;
	return days * SECONDS_PER_DAY + (t.hour > 23 ? 23 : t.hour) * 3600u +
	       (t.min > 59 ? 59 : t.min) * 60u + (t.sec > 59 ? 59 : t.sec);
}

static bool binary_mode(const struct vrtc *r)
{
	return r->ram[RTC_REG_B] & RTC_B_DM;
}

static uint8_t encode(const struct vrtc *r, unsigned v)
{
	return binary_mode(r) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned decode(const struct vrtc *r, uint8_t v)
{
	return binary_mode(r) ? v : (v >> 4) * 10u + (v & 0xf);
}

/* 12-hour mode counts 12, 1, ..., 11 with the PM flag in bit 7 (MC146818A, "Hours"). */
static uint8_t encode_hour(const struct vrtc *r, unsigned h)
{
	if (r->ram[RTC_REG_B] & RTC_B_24H)
		return encode(r, h);
	return encode(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0);
}

static unsigned decode_hour(const struct vrtc *r, uint8_t v)
{
	unsigned h;

	if (r->ram[RTC_REG_B] & RTC_B_24H)
		return decode(r, v);
	h = decode(r, v & 0x7f) % 12;
	return (v & 0x80) ? h + 12 : h;
}

static bool is_clock_register(unsigned index)
{
	return index == RTC_SECONDS || index == RTC_MINUTES || index == RTC_HOURS ||
	       (index >= RTC_DAY_OF_WEEK && index <= RTC_YEAR) || index == RTC_CENTURY;
}

/* The clock runs unless B.SET holds it or register A holds the divider in reset. */
static bool clock_running(const struct vrtc *r)
{
	return !(r->ram[RTC_REG_B] & RTC_B_SET) &&
	       (r->ram[RTC_REG_A] & RTC_A_DV_RESET) != RTC_A_DV_RESET;
}

static uint64_t since_epoch_ns(const struct vrtc *r, uint64_t now)
{
	return now > r->epoch_ns ? now - r->epoch_ns : 0;
}

static uint64_t seconds_now(const struct vrtc *r, uint64_t now)
{
	return r->epoch_seconds + since_epoch_ns(r, now) / NS_PER_SECOND;
}

static uint8_t clock_register(const struct vrtc *r, unsigned index, const struct rtc_time *t)
{
	switch (index) {
	case RTC_SECONDS: return encode(r, t->sec);
	case RTC_MINUTES: return encode(r, t->min);
	case RTC_HOURS: return encode_hour(r, t->hour);
	case RTC_DAY_OF_WEEK: return encode(r, t->wday + 1);
	case RTC_DAY_OF_MONTH: return encode(r, t->mday);
	case RTC_MONTH: return encode(r, t->mon);
	case RTC_YEAR: return encode(r, t->year % 100);
	/* RTC_CENTURY: two digits, like the year's. A guest that set 99xx sees 9999 roll over
	 * to 0000, not a century of 100 that is no BCD value (found by fuzzing). */
	default: return encode(r, t->year / 100 % 100);
	}
}

/* The clock stops: its registers keep the time of now for the guest to read or overwrite. */
static void clock_freeze(struct vrtc *r, uint64_t now)
{
	static const uint8_t regs[] = { RTC_SECONDS, RTC_MINUTES, RTC_HOURS, RTC_DAY_OF_WEEK,
					RTC_DAY_OF_MONTH, RTC_MONTH, RTC_YEAR, RTC_CENTURY };
	struct rtc_time t;

	time_of(seconds_now(r, now), &t);
	for (unsigned i = 0; i < sizeof(regs); i++)
		r->ram[regs[i]] = clock_register(r, regs[i], &t);
}

/* The clock starts again from the time in its registers, the next second a second from now. */
static void clock_thaw(struct vrtc *r, uint64_t now)
{
	unsigned yy = decode(r, r->ram[RTC_YEAR]), century = decode(r, r->ram[RTC_CENTURY]);
	struct rtc_time t = {
		.sec = decode(r, r->ram[RTC_SECONDS]), .min = decode(r, r->ram[RTC_MINUTES]),
		.hour = decode_hour(r, r->ram[RTC_HOURS]), .mday = decode(r, r->ram[RTC_DAY_OF_MONTH]),
		.mon = decode(r, r->ram[RTC_MONTH]),
	};

	if (century < 19 || century > 99)
		century = yy < 70 ? 20 : 19;	/* no century written: the PC's usual window */
	t.year = century * 100 + yy % 100;
	r->epoch_seconds = seconds_of(t);
	r->epoch_ns = now;
}

/* The registers change at each second boundary, inside the UIP window around it; the first
 * update comes a second after the clock starts. */
static bool uip(const struct vrtc *r, uint64_t now)
{
	uint64_t since = since_epoch_ns(r, now), phase = since % NS_PER_SECOND;

	return clock_running(r) && (phase >= NS_PER_SECOND - UIP_BEFORE_NS ||
				    (since >= NS_PER_SECOND && phase < UIP_AFTER_NS));
}

/* The periodic rate of RS with the 32.768 kHz time base (MC146818A table 5), 0 for none. */
static uint64_t periodic_hz(const struct vrtc *r)
{
	unsigned rs = r->ram[RTC_REG_A] & RTC_A_RS;

	if (!rs)
		return 0;
	return rs <= 2 ? 256u >> (rs - 1) : 65536u >> rs;
}

static bool alarm_matches(const struct vrtc *r, const struct rtc_time *t)
{
	static const uint8_t pairs[3][2] = { { RTC_SECONDS_ALARM, RTC_SECONDS },
					     { RTC_MINUTES_ALARM, RTC_MINUTES },
					     { RTC_HOURS_ALARM, RTC_HOURS } };

	for (unsigned i = 0; i < 3; i++) {
		uint8_t alarm = r->ram[pairs[i][0]];

		if ((alarm & ALARM_DONT_CARE) != ALARM_DONT_CARE &&
		    alarm != clock_register(r, pairs[i][1], t))
			return false;
	}
	return true;
}

/* Register C: the events since it was last read. An update passed if a second boundary did;
 * the alarm is compared with the time of the latest update only. */
static uint8_t flags_since_read(const struct vrtc *r, uint64_t now)
{
	uint64_t hz = periodic_hz(r), before = since_epoch_ns(r, r->flags_read_ns);
	uint8_t f = 0;
	struct rtc_time t;

	if (clock_running(r) && since_epoch_ns(r, now) / NS_PER_SECOND > before / NS_PER_SECOND) {
		f |= RTC_C_UF;
		time_of(seconds_now(r, now), &t);
		if (alarm_matches(r, &t))
			f |= RTC_C_AF;
	}
	if (hz && mul_div_u64(now, hz, NS_PER_SECOND) >
		  mul_div_u64(r->flags_read_ns, hz, NS_PER_SECOND))
		f |= RTC_C_PF;
	/* PF, AF and UF sit at the bit positions of their enables PIE, AIE and UIE in B. */
	if (f & r->ram[RTC_REG_B])
		f |= RTC_C_IRQF;
	return f;
}

static uint8_t data_read(struct vrtc *r, uint64_t now)
{
	unsigned i = r->index;
	struct rtc_time t;
	uint8_t v;

	if (is_clock_register(i) && clock_running(r)) {
		time_of(seconds_now(r, now), &t);
		return clock_register(r, i, &t);
	}
	switch (i) {
	case RTC_REG_A:
		return (r->ram[i] & ~RTC_A_UIP) | (uip(r, now) ? RTC_A_UIP : 0);
	case RTC_REG_C:
		v = flags_since_read(r, now);
		r->flags_read_ns = now;
		return v;
	case RTC_REG_D:
		return RTC_D_VRT;
	}
	return r->ram[i];
}

/* A write to A or B may stop the clock (its registers then hold the time) or start it again
 * from them; a clock register written while the clock runs sets the time at once. */
static void data_write(struct vrtc *r, uint8_t v, uint64_t now)
{
	unsigned i = r->index;
	bool was_running = clock_running(r);

	if (i == RTC_REG_C || i == RTC_REG_D)
		return;			/* read only */
	if (i == RTC_REG_A)
		v &= ~RTC_A_UIP;
	if (was_running && (is_clock_register(i) || i == RTC_REG_A || i == RTC_REG_B))
		clock_freeze(r, now);
	r->ram[i] = v;
	if (clock_running(r) && (is_clock_register(i) || !was_running))
		clock_thaw(r, now);
}

static void store16(struct vrtc *r, unsigned lo, uint64_t v)
{
	v = v > 0xffff ? 0xffff : v;
	r->ram[lo] = (uint8_t)v;
	r->ram[lo + 1] = (uint8_t)(v >> 8);
}

static void cmos_memory_sizes(struct vrtc *r, uint64_t ram_bytes)
{
	uint64_t below_4g = ram_bytes < (4096 * MIB) ? ram_bytes : 4096 * MIB;
	unsigned sum = 0;

	store16(r, CMOS_BASE_MEM_LO, BASE_MEM_KIB);
	store16(r, CMOS_EXT_MEM_LO, ram_bytes > MIB ? (ram_bytes - MIB) / KIB : 0);
	store16(r, CMOS_EXT_MEM2_LO, ram_bytes > MIB ? (ram_bytes - MIB) / KIB : 0);
	store16(r, CMOS_HIGH_MEM_LO, below_4g > 16 * MIB ? (below_4g - 16 * MIB) / (64 * KIB) : 0);
	for (unsigned i = 0x10; i < CMOS_CHECKSUM_HI; i++)
		sum += r->ram[i];
	r->ram[CMOS_CHECKSUM_HI] = (uint8_t)(sum >> 8);
	r->ram[CMOS_CHECKSUM_HI + 1] = (uint8_t)sum;
}

void vrtc_init(struct vrtc *r, struct dev_clock clock, uint64_t start_seconds, uint64_t ram_bytes)
{
	memset(r, 0, sizeof(*r));
	r->clock = clock;
	r->epoch_seconds = start_seconds;
	r->ram[RTC_REG_A] = RTC_A_DV_RUN | 0x06;	/* 32.768 kHz, 1024 Hz periodic rate */
	r->ram[RTC_REG_B] = RTC_B_24H;			/* BCD, 24 hours, no interrupts */
	r->ram[RTC_REG_D] = RTC_D_VRT;
	cmos_memory_sizes(r, ram_bytes);
}

uint8_t vrtc_read(struct vrtc *r, unsigned offset, uint64_t now)
{
	return offset ? data_read(r, now) : 0xff;	/* the index register is write only */
}

void vrtc_write(struct vrtc *r, unsigned offset, uint8_t value, uint64_t now)
{
	if (offset) {
		data_write(r, value, now);
		return;
	}
	r->index = value & (VRTC_BYTES - 1);
	r->nmi_disabled = value & INDEX_NMI_DISABLE;
}

static uint64_t vrtc_bus_read(void *dev, uint64_t offset, unsigned size)
{
	struct vrtc *r = dev;

	(void)size;
	return vrtc_read(r, (unsigned)offset, dev_clock_now(&r->clock));
}

static void vrtc_bus_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	struct vrtc *r = dev;

	(void)size;
	vrtc_write(r, (unsigned)offset, (uint8_t)value, dev_clock_now(&r->clock));
}

bool vrtc_attach(struct vrtc *r, struct device_bus *b)
{
	return bus_register(b, &(struct bus_range){ BUS_PORT, VRTC_BASE, 2, "rtc", vrtc_bus_read,
						    vrtc_bus_write, r, true });
}
