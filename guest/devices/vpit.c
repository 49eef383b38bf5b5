/*
 * The virtual 8254 (see vpit.h). Each channel keeps when its counter was loaded and how far it
 * had counted when the gate last paused it; its count, OUT level and interrupt edges at any
 * instant follow from the mode's waveform (Intel 8254 data sheet, "Mode definitions").
 */
#include "guest/devices/vpit.h"
#include "guest/devices/bus.h"
#include "arch/pit.h"
#include "lib/muldiv.h"
#include "lib/printk.h"
#include "lib/string.h"

#define CW_SELECT(v)	((v) >> 6)		/* SC1 SC0: counter, or 3 for read-back */
#define CW_ACCESS(v)	(((v) >> 4) & 3)	/* RW1 RW0 */
#define CW_MODE(v)	(((v) >> 1) & 7)	/* M2 M1 M0 */
#define CW_BCD		0x01
#define CW_READ_BACK	3
#define RB_NO_COUNT	0x20			/* read-back: bit clear latches the count */
#define RB_NO_STATUS	0x10			/* read-back: bit clear latches the status */
#define RB_COUNTER(i)	(0x02u << (i))		/* read-back: counter i selected */
#define STATUS_OUT	0x80
#define STATUS_NULL	0x40			/* the last count written is not loaded yet */
#define CONTROL_OFFSET	3

static uint64_t clock_at(uint64_t now_ns)
{
	return mul_div_u64(now_ns, PIT_HZ, NS_PER_SECOND);
}

/* The first guest nanosecond at which the input clock has reached clk. */
static uint64_t ns_at(uint64_t clk)
{
	return mul_div_u64(clk, NS_PER_SECOND, PIT_HZ) + 1;
}

static uint32_t modulus(const struct vpit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

static uint32_t bcd_decode(uint16_t v)
{
	return ((v >> 12) & 0xf) * 1000 + ((v >> 8) & 0xf) * 100 + ((v >> 4) & 0xf) * 10 + (v & 0xf);
}

static uint16_t bcd_encode(uint32_t v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

/* Modes 1 and 5 need a gate trigger the PC never gives channels 0 and 2. */
static bool mode_supported(unsigned mode)
{
	return mode != 1 && mode != 5;
}

/* Clocks the counter has counted since its count was loaded. */
static uint64_t counted(const struct vpit_channel *c, uint64_t clk)
{
	if (!c->counting || clk <= c->start)
		return c->counted;
	return c->counted + (clk - c->start);
}

/* The counter's contents in binary. Mode 2 counts N..1 and reloads; mode 3 counts down by two
 * through each half of the period (an odd N spends one clock more in the high half). */
static uint32_t counter_value(const struct vpit_channel *c, uint64_t clk)
{
	uint32_t n = c->count, m = modulus(c);
	uint64_t k = counted(c, clk);
	uint32_t phase, half;

	if (!c->loaded || (!c->counting && (c->mode == 2 || c->mode == 3)))
		return c->held;
	switch (c->mode) {
	case 2:
		return n - (uint32_t)(k % n);
	case 3:
		phase = (uint32_t)(k % n);
		half = (n + 1) / 2;
		if (phase >= half)
			phase -= half;
		return ((n & ~1u) - 2 * phase) % m;
	default:			/* 0 and 4 count down once and wrap */
		return (n + m - (uint32_t)(k % m)) % m;
	}
}

static bool out_level(const struct vpit_channel *c, uint64_t clk)
{
	uint32_t n = c->count;
	uint64_t k = counted(c, clk);

	if (!c->loaded || !mode_supported(c->mode))
		return c->mode != 0;	/* mode 0 starts low, the others high */
	switch (c->mode) {
	case 0:
		return k >= n;		/* high at terminal count, until the next count */
	case 2:
		return !c->counting || k % n != n - 1;	/* low for the clock at count 1 */
	case 3:
		return !c->counting || k % n < (n + 1) / 2;
	default:
		return k != n;		/* mode 4: one clock low at terminal count */
	}
}

/* How many times OUT has risen since the count was loaded. */
static uint64_t out_edges(const struct vpit_channel *c, uint64_t clk)
{
	uint64_t k = counted(c, clk);

	if (!c->loaded || !mode_supported(c->mode))
		return 0;
	switch (c->mode) {
	case 0:
		return k >= c->count;
	case 4:
		return k >= (uint64_t)c->count + 1;
	default:
		return c->counting ? k / c->count : 0;
	}
}

/* The input clock of OUT's next rising edge after the edges already taken, or VPIT_NEVER. */
static uint64_t next_edge_clock(const struct vpit_channel *c)
{
	uint64_t target;

	if (!c->loaded || !c->counting || !mode_supported(c->mode))
		return VPIT_NEVER;
	if (c->mode == 2 || c->mode == 3)
		return c->start + (c->edges_taken + 1) * c->count;
	/* Modes 0 and 4 rise once: at terminal count, or one clock after it. */
	target = c->count + (c->mode == 4);
	if (c->edges_taken)
		return VPIT_NEVER;
	return c->counted >= target ? c->start : c->start + target - c->counted;
}

static uint16_t value_as_read(const struct vpit_channel *c, uint64_t clk)
{
	uint32_t v = counter_value(c, clk);

	return c->bcd ? bcd_encode(v) : (uint16_t)v;
}

static uint8_t status_byte(const struct vpit_channel *c, uint64_t clk)
{
	bool null = !c->loaded || clk < c->load_clock;

	return (out_level(c, clk) ? STATUS_OUT : 0) | (null ? STATUS_NULL : 0) |
	       (uint8_t)(c->access << 4) | (uint8_t)(c->mode << 1) | (c->bcd ? CW_BCD : 0);
}

/* Counter latch command: the count is held for reading until read in full; a second latch
 * before then is ignored (data sheet). */
static void latch_count(struct vpit_channel *c, uint64_t clk)
{
	if (c->count_latched)
		return;
	c->latch = value_as_read(c, clk);
	c->count_latched = true;
}

static void latch_status(struct vpit_channel *c, uint64_t clk)
{
	if (c->status_latched)
		return;
	c->status = status_byte(c, clk);
	c->status_latched = true;
}

static void read_back(struct vpit *p, uint8_t v, uint64_t clk)
{
	for (unsigned i = 0; i < VPIT_CHANNELS; i++) {
		if (!(v & RB_COUNTER(i)))
			continue;
		if (!(v & RB_NO_COUNT))
			latch_count(&p->ch[i], clk);
		if (!(v & RB_NO_STATUS))
			latch_status(&p->ch[i], clk);
	}
}

static void report_mode(struct vpit *p, unsigned ch, unsigned mode)
{
	if (p->modes_reported & (1u << mode))
		return;
	p->modes_reported |= 1u << mode;
	pr_info("umbra: guest: pit channel %u: mode %u not emulated (the counter does not count)\n",
		ch, mode);
}

/* A control word resets the channel's logic: it stops until a new count is written. */
static void control_write(struct vpit *p, uint8_t v, uint64_t clk)
{
	struct vpit_channel *c;
	unsigned mode = CW_MODE(v);

	if (CW_SELECT(v) == CW_READ_BACK) {
		read_back(p, v, clk);
		return;
	}
	c = &p->ch[CW_SELECT(v)];
	if (CW_ACCESS(v) == VPIT_ACCESS_LATCH) {
		latch_count(c, clk);
		return;
	}
	c->held = counter_value(c, clk);
	c->mode = (uint8_t)(mode > 5 ? mode - 4 : mode);
	c->access = CW_ACCESS(v);
	c->bcd = v & CW_BCD;
	c->loaded = c->counting = false;
	c->write_msb = c->read_msb = false;
	c->count_latched = c->status_latched = false;
	if (!mode_supported(c->mode))
		report_mode(p, CW_SELECT(v), c->mode);
}

/* The count reaches the counter on the next input clock and counting starts there, gate
 * permitting. A new count in mode 2 or 3 starts a new period at once (the data sheet lets the
 * current one end first; guests write a control word before a new rate anyway). */
static void load_count(struct vpit_channel *c, uint64_t clk)
{
	uint32_t n = c->bcd ? bcd_decode(c->written) : c->written;

	/* A BCD count with a digit above 9 (0xA000 decodes to 10000 and up) is not a BCD number;
	 * the data sheet leaves it undefined. Taking it modulo 10^4 keeps the count in 1..10000,
	 * which counter_value() and bcd_encode() rely on. */
	n %= modulus(c);
	c->count = n ? n : modulus(c);
	c->loaded = true;
	c->load_clock = clk + 1;
	c->start = clk + 1;
	c->counted = 0;
	c->edges_taken = 0;
	c->counting = c->gate && mode_supported(c->mode);
}

static void count_write(struct vpit_channel *c, uint8_t v, uint64_t clk)
{
	switch (c->access) {
	case VPIT_ACCESS_LSB:
		c->written = v;
		break;
	case VPIT_ACCESS_MSB:
		c->written = (uint16_t)(v << 8);
		break;
	default:
		if (!c->write_msb) {
			c->written = (c->written & 0xff00) | v;
			c->write_msb = true;
			/* Mode 0: writing the first byte stops counting and sets OUT low. */
			if (c->mode == 0) {
				c->held = counter_value(c, clk);
				c->loaded = c->counting = false;
			}
			return;
		}
		c->written = (uint16_t)((c->written & 0x00ff) | v << 8);
		c->write_msb = false;
		break;
	}
	load_count(c, clk);
}

/* A read gives the latched status first, then the latched count, else the live count, one
 * byte at a time as the access mode says. */
static uint8_t count_read(struct vpit_channel *c, uint64_t clk)
{
	uint16_t v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	v = c->count_latched ? c->latch : value_as_read(c, clk);
	switch (c->access) {
	case VPIT_ACCESS_LSB:
		c->count_latched = false;
		return v & 0xff;
	case VPIT_ACCESS_MSB:
		c->count_latched = false;
		return v >> 8;
	default:
		if (!c->read_msb) {
			c->read_msb = true;
			return v & 0xff;
		}
		c->read_msb = false;
		c->count_latched = false;
		return v >> 8;
	}
}

void vpit_init(struct vpit *p, struct dev_clock clock)
{
	memset(p, 0, sizeof(*p));
	p->clock = clock;
	for (unsigned i = 0; i < VPIT_CHANNELS; i++)
		p->ch[i].access = VPIT_ACCESS_WORD;
	p->ch[0].gate = p->ch[1].gate = true;
}

uint8_t vpit_read(struct vpit *p, unsigned offset, uint64_t now)
{
	if (offset >= CONTROL_OFFSET)
		return 0xff;		/* the control word register cannot be read */
	return count_read(&p->ch[offset], clock_at(now));
}

void vpit_write(struct vpit *p, unsigned offset, uint8_t value, uint64_t now)
{
	if (offset == CONTROL_OFFSET)
		control_write(p, value, clock_at(now));
	else if (offset < CONTROL_OFFSET)
		count_write(&p->ch[offset], value, clock_at(now));
}

/* Modes 0 and 4: a low gate pauses counting. Modes 2 and 3: a low gate stops the counter (OUT
 * high) and a rising gate reloads it, counting from the next clock. */
void vpit_set_gate(struct vpit *p, unsigned ch, bool level, uint64_t now)
{
	struct vpit_channel *c = &p->ch[ch];
	uint64_t clk = clock_at(now);

	if (c->gate == level)
		return;
	c->gate = level;
	if (!c->loaded || !mode_supported(c->mode))
		return;
	if (c->mode == 0 || c->mode == 4) {
		c->counted = counted(c, clk);
		c->start = clk > c->start ? clk : c->start;
		c->counting = level;
	} else if (!level) {
		c->held = counter_value(c, clk);
		c->counting = false;
	} else {
		c->start = clk + 1;
		c->counted = 0;
		c->edges_taken = 0;
		c->counting = true;
	}
}

bool vpit_out(const struct vpit *p, unsigned ch, uint64_t now)
{
	return out_level(&p->ch[ch], clock_at(now));
}

bool vpit_take_irq(struct vpit *p, uint64_t now)
{
	struct vpit_channel *c = &p->ch[0];
	uint64_t edges = out_edges(c, clock_at(now));

	if (edges <= c->edges_taken)
		return false;
	p->irqs++;
	p->irqs_coalesced += edges - c->edges_taken - 1;
	c->edges_taken = edges;
	return true;
}

uint64_t vpit_next_irq(const struct vpit *p)
{
	uint64_t clk = next_edge_clock(&p->ch[0]);

	return clk == VPIT_NEVER ? VPIT_NEVER : ns_at(clk);
}

static uint64_t vpit_bus_read(void *dev, uint64_t offset, unsigned size)
{
	struct vpit *p = dev;

	(void)size;	/* bytewise: always 1 */
	return vpit_read(p, (unsigned)offset, dev_clock_now(&p->clock));
}

static void vpit_bus_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	struct vpit *p = dev;

	(void)size;
	vpit_write(p, (unsigned)offset, (uint8_t)value, dev_clock_now(&p->clock));
}

bool vpit_attach(struct vpit *p, struct device_bus *b)
{
	return bus_register(b, &(struct bus_range){ BUS_PORT, VPIT_BASE, 4, "pit", vpit_bus_read,
						    vpit_bus_write, p, true });
}
