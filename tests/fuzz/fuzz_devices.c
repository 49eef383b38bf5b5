/*
 * Fuzz target: the PC device models with register files, on one device bus as the guest sees
 * them: the 8259A pair and its ELCR (vpic.c), the 8254 PIT and port 0x61 (vpit.c, port61.c),
 * the CMOS RTC (vrtc.c), the i8042 (i8042.c) and port 0x92 (port92.c).
 *
 * Input: a script of port writes and reads (1, 2 or 4 bytes, split by the bus as on the ISA
 * bus), steps of guest time from nanoseconds to days, IRQ line changes and interrupt
 * acknowledgements, with the wiring of guest/interrupts.c (PIT IRQ 0, i8042 IRQ 1 and 12).
 * After each step, on copies of the state so that checking perturbs nothing, it checks:
 *  - PIT: mode 0-5, access 1-3, a loaded count within 1..65536 (1..10000 in BCD), modes 2
 *    and 3 reading back 1..N (N even-rounded in mode 3); after taking IRQ 0 at now, the next
 *    one is later than now; the interrupt counters never go back;
 *  - RTC: index below 128; while the clock runs, every clock register reads a valid value in
 *    the format of register B (BCD digits, 12/24 hours, day of month within the month);
 *  - i8042: IBF never shows; a read of 0x60 empties the output buffer;
 *  - PIC: initialisation step 0-3; a pending vector is one of a chip's eight, and
 *    acknowledging returns the vector that was pending.
 */
#include "tests/fuzz/fuzz.h"

#include "guest/devices/bus.h"
#include "guest/devices/i8042.h"
#include "guest/devices/port61.h"
#include "guest/devices/port92.h"
#include "guest/devices/vpic.h"
#include "guest/devices/vpit.h"
#include "guest/devices/vrtc.h"

/* Guest time never goes past this (2^62 ns, 146 years of guest uptime). */
#define TIME_LIMIT	(1ull << 62)

static uint64_t now_ns;
static unsigned long resets;

static uint64_t clock_now(void *ctx)
{
	(void)ctx;
	return now_ns;
}

static void on_reset(void *ctx, const char *why)
{
	(void)ctx;
	FUZZ_CHECK(why && *why, "reset without a reason");
	resets++;
}

struct pc {
	struct device_bus bus;
	struct vpic pic;
	struct vpit pit;
	struct port61 p61;
	struct vrtc rtc;
	struct i8042 kbd;
	struct port92 p92;
};

static const uint16_t ports[] = {
	0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42, 0x43, 0x61,
	0x60, 0x64, 0x70, 0x71, 0x92,
};

static void pc_init(struct pc *pc)
{
	const struct dev_clock clock = { .now_ns = clock_now };

	bus_init(&pc->bus);
	vpic_init(&pc->pic);
	vpit_init(&pc->pit, clock);
	port61_init(&pc->p61, &pc->pit, clock);
	vrtc_init(&pc->rtc, clock, VRTC_DEFAULT_START, 64ull << 20);
	i8042_init(&pc->kbd, on_reset, NULL);
	port92_init(&pc->p92, on_reset, NULL);
	FUZZ_CHECK(vpic_attach(&pc->pic, &pc->bus) && vpit_attach(&pc->pit, &pc->bus) &&
		   port61_attach(&pc->p61, &pc->bus) && vrtc_attach(&pc->rtc, &pc->bus) &&
		   i8042_attach(&pc->kbd, &pc->bus) && port92_attach(&pc->p92, &pc->bus),
		   "devices do not fit on the bus");
}

/* ---- checks ---- */

static bool bcd_ok(uint8_t v, unsigned max)
{
	return (v & 0xf) <= 9 && (v >> 4) <= 9 && (v >> 4) * 10u + (v & 0xf) <= max;
}

/* A clock register's value is in range for the format (binary or BCD) of register B. */
static unsigned rtc_value(const struct vrtc *r, uint8_t v, unsigned max, bool *ok)
{
	if (r->ram[RTC_REG_B] & RTC_B_DM) {
		*ok = *ok && v <= max;
		return v;
	}
	*ok = *ok && bcd_ok(v, max);
	return (v >> 4) * 10u + (v & 0xf);
}

static void check_rtc(const struct vrtc *live)
{
	struct vrtc r = *live;
	uint8_t b = r.ram[RTC_REG_B];
	bool ok = true;
	unsigned year, mon, mday, h;
	uint8_t hours;

	FUZZ_CHECK(r.index < VRTC_BYTES, "index %u", r.index);
	if ((b & RTC_B_SET) || (r.ram[RTC_REG_A] & RTC_A_DV_RESET) == RTC_A_DV_RESET)
		return;		/* stopped: the registers hold what the guest wrote */
#define RD(i) (vrtc_write(&r, 0, (i), now_ns), vrtc_read(&r, 1, now_ns))
	rtc_value(&r, RD(RTC_SECONDS), 59, &ok);
	rtc_value(&r, RD(RTC_MINUTES), 59, &ok);
	FUZZ_CHECK(ok, "seconds/minutes out of range");
	hours = RD(RTC_HOURS);
	if (b & RTC_B_24H) {
		rtc_value(&r, hours, 23, &ok);
	} else {
		h = rtc_value(&r, hours & 0x7f, 12, &ok);
		ok = ok && h >= 1;
	}
	FUZZ_CHECK(ok, "hours %#x out of range (B %#x)", hours, b);
	h = rtc_value(&r, RD(RTC_DAY_OF_WEEK), 7, &ok);
	FUZZ_CHECK(ok && h >= 1, "day of week");
	year = rtc_value(&r, RD(RTC_YEAR), 99, &ok);
	year += 100 * rtc_value(&r, RD(RTC_CENTURY), 99, &ok);
	FUZZ_CHECK(ok, "year or century out of range");
	mon = rtc_value(&r, RD(RTC_MONTH), 12, &ok);
	FUZZ_CHECK(ok && mon >= 1, "month");
	mday = rtc_value(&r, RD(RTC_DAY_OF_MONTH), 31, &ok);
	{
		static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

		FUZZ_CHECK(ok && mday >= 1 && mday <= days[mon - 1] + (mon == 2 && leap),
			   "day %u of month %u of %u", mday, mon, year);
	}
#undef RD
}

static void check_pit(struct vpit *live, uint64_t irqs_before, uint64_t coalesced_before)
{
	struct vpit p = *live;

	FUZZ_CHECK(live->irqs >= irqs_before && live->irqs_coalesced >= coalesced_before,
		   "interrupt counters went back");
	for (unsigned i = 0; i < VPIT_CHANNELS; i++) {
		struct vpit_channel *c = &p.ch[i];
		uint32_t max = c->bcd ? 10000 : 65536;

		FUZZ_CHECK(c->mode <= 5 && c->access >= 1 && c->access <= 3, "channel %u mode %u access %u",
			   i, c->mode, c->access);
		if (!c->loaded)
			continue;
		FUZZ_CHECK(c->count >= 1 && c->count <= max, "channel %u count %u (%s)", i, c->count,
			   c->bcd ? "BCD" : "binary");
		if ((c->mode == 2 || c->mode == 3) && c->counting && !c->bcd) {
			uint8_t lo, hi;
			uint32_t v;

			/* Latch (control word with RW = 00), then read as the access mode says; on
			 * the copy, forget what the guest latched or half read before. */
			c->count_latched = c->status_latched = c->read_msb = false;
			vpit_write(&p, 3, (uint8_t)(i << 6), now_ns);
			lo = vpit_read(&p, i, now_ns);
			hi = c->access == VPIT_ACCESS_WORD ? vpit_read(&p, i, now_ns) : 0;
			if (c->access == VPIT_ACCESS_MSB)
				continue;
			v = c->access == VPIT_ACCESS_WORD ? (uint32_t)(lo | hi << 8) : lo;
			if (c->access == VPIT_ACCESS_WORD) {
				uint32_t n = c->count == 65536 ? 0 : c->count;

				FUZZ_CHECK(c->count == 65536 || (v >= (c->mode == 3 ? 0u : 1u) && v <= n),
					   "channel %u mode %u count %u reads %u", i, c->mode, c->count, v);
			}
		}
	}
	{
		struct vpit q = *live;
		uint64_t next;

		(void)vpit_take_irq(&q, now_ns);
		next = vpit_next_irq(&q);
		FUZZ_CHECK(next == VPIT_NEVER || next > now_ns, "next IRQ 0 at %llu, now %llu, after taking",
			   (unsigned long long)next, (unsigned long long)now_ns);
	}
}

static void check_kbd(const struct i8042 *live)
{
	struct i8042 k = *live;
	uint8_t st = i8042_read(&k, 4);

	FUZZ_CHECK(!(st & I8042_STATUS_IBF), "IBF shows (%#x)", st);
	(void)i8042_read(&k, 0);
	FUZZ_CHECK(!(i8042_read(&k, 4) & I8042_STATUS_OBF), "OBF after reading the data port");
}

static void check_pic(const struct vpic *live)
{
	struct vpic p = *live;
	int v = vpic_pending(&p), a;

	for (int c = 0; c < 2; c++)
		FUZZ_CHECK(p.chip[c].init_step <= 3, "chip %d init step %u", c, p.chip[c].init_step);
	FUZZ_CHECK(v == -1 || (unsigned)(v - p.chip[0].vector_base) < 8 ||
		   (unsigned)(v - p.chip[1].vector_base) < 8, "pending vector %d", v);
	a = vpic_acknowledge(&p);
	FUZZ_CHECK(a == v, "acknowledged %d, pending was %d", a, v);
}

/* ---- the script ---- */

static void irq_wiring(struct pc *pc)
{
	if (vpit_take_irq(&pc->pit, now_ns)) {
		vpic_set_line(&pc->pic, 0, true);
		vpic_set_line(&pc->pic, 0, false);
	}
	vpic_set_line(&pc->pic, 1, i8042_kbd_irq(&pc->kbd));
	vpic_set_line(&pc->pic, 12, i8042_aux_irq(&pc->kbd));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pc pc;
	struct fuzz_in in = { data, size };

	now_ns = fuzz_u32(&in);
	resets = 0;
	pc_init(&pc);
	while (in.n) {
		uint8_t op = fuzz_u8(&in);
		uint64_t irqs = pc.pit.irqs, coalesced = pc.pit.irqs_coalesced, value;
		uint16_t port = 0;
		unsigned width = (op >> 6) == 3 ? 4 : 1u << (op >> 6);	/* 1, 2, 4, 4 */

		switch (op & 7) {
		case 0: case 1: case 2:		/* write */
		case 3:				/* read */
			/* One of the devices' ports, or (rarely) any port. */
			port = (op & 0x38) == 0x38 ? fuzz_u16(&in)
						   : ports[fuzz_u8(&in) % (sizeof(ports) / sizeof(ports[0]))];
			if ((op & 7) == 3) {
				(void)bus_read(&pc.bus, BUS_PORT, port, width, &value);
				FUZZ_CHECK(width == 4 || value >> (8 * width) == 0, "read wider than %u", width);
			} else {
				(void)bus_write(&pc.bus, BUS_PORT, port, width, fuzz_take(&in, width));
			}
			break;
		case 4: {			/* time step: mantissa << exponent ns */
			uint8_t e = fuzz_u8(&in);
			uint64_t d = (uint64_t)fuzz_u16(&in) << (e % 48);

			now_ns = d > TIME_LIMIT - now_ns ? TIME_LIMIT : now_ns + d;
			break;
		}
		case 5: {			/* an IRQ line of a device Umbra has (not the cascade) */
			uint8_t v = fuzz_u8(&in);
			unsigned irq = v & 15;

			if (irq != 2)
				vpic_set_line(&pc.pic, irq, v & 0x80);
			break;
		}
		case 6: {			/* the CPU takes the interrupt */
			int p = vpic_pending(&pc.pic);

			FUZZ_CHECK(vpic_acknowledge(&pc.pic) == p, "acknowledge differs from pending");
			break;
		}
		default:			/* the PIT's gate 2 directly, as port 0x61 bit 0 does */
			vpit_set_gate(&pc.pit, 2, fuzz_u8(&in) & 1, now_ns);
			break;
		}
		irq_wiring(&pc);
		check_pit(&pc.pit, irqs, coalesced);
		/* The RTC's check reads every clock register (each a calendar computation): only
		 * after what can change them, time and its own ports. */
		if ((op & 7) == 4 || port == 0x70 || port == 0x71)
			check_rtc(&pc.rtc);
		check_kbd(&pc.kbd);
		check_pic(&pc.pic);
	}
	return 0;
}
