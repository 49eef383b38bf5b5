/*
 * The guest's virtual 8254 PIT at 0x40-0x43 (Intel 8254 data sheet). Three channels, modes 0,
 * 2, 3 and 4 (6 and 7 are 2 and 3), binary or BCD counting, LSB/MSB/word access, the counter
 * latch and read-back commands. Channel 0 drives IRQ 0; channel 2's gate and OUT are wired to
 * port 0x61 (port61.h); channel 1 counts but drives nothing.
 *
 * The counters are computed from time, never from events: every entry point takes "now", in
 * guest nanoseconds, and derives the input clock (1.193182 MHz) from it. The state is pure, so
 * a unit test drives time by hand.
 */
#ifndef UMBRA_GUEST_DEVICES_VPIT_H
#define UMBRA_GUEST_DEVICES_VPIT_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/devices/dev_clock.h"

#define VPIT_BASE	0x40		/* counters 0-2 at 0x40-0x42, control word at 0x43 */
#define VPIT_CHANNELS	3
#define VPIT_NEVER	UINT64_MAX	/* no interrupt to come */

/* The read/write field of the control word (RW1 RW0). */
enum vpit_access {
	VPIT_ACCESS_LATCH = 0,		/* not an access mode: the counter latch command */
	VPIT_ACCESS_LSB = 1,
	VPIT_ACCESS_MSB = 2,
	VPIT_ACCESS_WORD = 3,		/* LSB, then MSB */
};

struct vpit_channel {
	uint32_t count;			/* initial count in binary, 1..65536 (1..10000 in BCD) */
	uint16_t written;		/* the count register as written (BCD digits in BCD) */
	uint8_t mode;			/* 0-5 */
	uint8_t access;			/* enum vpit_access */
	bool bcd;
	bool gate;
	bool loaded;			/* a whole count was written since the control word */
	bool counting;			/* the gate lets the counter run */
	bool write_msb, read_msb;	/* word access: the next write / read is the MSB */
	bool count_latched, status_latched;
	uint16_t latch;			/* the latched count, as it reads */
	uint8_t status;			/* the latched status byte */
	uint16_t held;			/* the counter while it does not count, in binary */
	uint64_t load_clock;		/* input clock at which the count reached the counter */
	uint64_t start;			/* input clock at which the current run of counting began */
	uint64_t counted;		/* clocks counted before that run (modes 0 and 4 pause) */
	uint64_t edges_taken;		/* OUT rising edges since the count was loaded, raised */
};

struct vpit {
	struct vpit_channel ch[VPIT_CHANNELS];
	struct dev_clock clock;
	uint8_t modes_reported;		/* bit m: mode m was reported as not emulated */
	uint64_t irqs;			/* interrupts raised on IRQ 0 */
	uint64_t irqs_coalesced;	/* periods that ended while an earlier one was not raised */
};

struct device_bus;

/* Power-on: every channel unprogrammed; gates 0 and 1 high (as the PC wires them), gate 2 low. */
void vpit_init(struct vpit *p, struct dev_clock clock);
bool vpit_attach(struct vpit *p, struct device_bus *b);
/* Register access at offset 0-3 from VPIT_BASE, at guest time now (ns). */
uint8_t vpit_read(struct vpit *p, unsigned offset, uint64_t now);
void vpit_write(struct vpit *p, unsigned offset, uint8_t value, uint64_t now);
/* The GATE input of channel ch (port 0x61 bit 0 drives channel 2's). */
void vpit_set_gate(struct vpit *p, unsigned ch, bool level, uint64_t now);
/* The OUT pin of channel ch. */
bool vpit_out(const struct vpit *p, unsigned ch, uint64_t now);
/* True when OUT 0 rose since the last call: one interrupt for IRQ 0, however many periods
 * passed meanwhile (the 8259A's edge latch holds one request; the rest are counted as
 * coalesced). */
bool vpit_take_irq(struct vpit *p, uint64_t now);
/* The guest time at which OUT 0 rises next (in the past if one is not taken yet), or
 * VPIT_NEVER. */
uint64_t vpit_next_irq(const struct vpit *p);

#endif
