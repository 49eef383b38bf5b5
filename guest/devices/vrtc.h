/*
 * The guest's CMOS RTC at 0x70/0x71, modelled on the Motorola MC146818A / Dallas DS12887 data
 * sheets with the PC/AT's CMOS layout (IBM PC/AT technical reference, "CMOS RAM address map").
 *
 * Port 0x70 selects one of 128 bytes (bit 7 is the NMI mask, kept); port 0x71 reads and writes
 * it. The clock registers (seconds to year, and the century at 0x32) are computed from the
 * guest's time: a start time plus the guest nanoseconds since power-on, in BCD or binary and
 * 12 or 24 hours as register B says. Registers A-D behave as the data sheet says: UIP is set
 * from 244 us before each update to the end of its 1984 us cycle, C reports the update, alarm and periodic flags and
 * clears on read (no IRQ 8 yet), D reads VRT=1. Setting B.SET (or resetting the divider in A)
 * freezes the clock registers so the guest can write a new time; clearing it starts the clock
 * from that time. The memory-size bytes describe guest RAM; every other byte is plain CMOS RAM.
 */
#ifndef UMBRA_GUEST_DEVICES_VRTC_H
#define UMBRA_GUEST_DEVICES_VRTC_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/devices/dev_clock.h"

#define VRTC_BASE		0x70	/* index at 0x70, data at 0x71 */
#define VRTC_BYTES		128
#define VRTC_DEFAULT_START	1577836800ULL	/* 2020-01-01 00:00:00 UTC, seconds since 1970 */

/* Register indexes (MC146818A data sheet, "Address map"; 0x32 from the PC/AT). */
#define RTC_SECONDS		0x00
#define RTC_SECONDS_ALARM	0x01
#define RTC_MINUTES		0x02
#define RTC_MINUTES_ALARM	0x03
#define RTC_HOURS		0x04
#define RTC_HOURS_ALARM		0x05
#define RTC_DAY_OF_WEEK		0x06	/* 1-7, Sunday is 1 */
#define RTC_DAY_OF_MONTH	0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09	/* 0-99 */
#define RTC_REG_A		0x0a
#define  RTC_A_UIP		0x80	/* update in progress (read only) */
#define  RTC_A_DV		0x70	/* divider: 010 runs on a 32.768 kHz crystal */
#define  RTC_A_DV_RUN		0x20
#define  RTC_A_DV_RESET		0x60	/* 11x holds the divider in reset */
#define  RTC_A_RS		0x0f	/* periodic interrupt rate */
#define RTC_REG_B		0x0b
#define  RTC_B_SET		0x80	/* updates stop; the time may be written */
#define  RTC_B_PIE		0x40
#define  RTC_B_AIE		0x20
#define  RTC_B_UIE		0x10
#define  RTC_B_DM		0x04	/* 1: binary, 0: BCD */
#define  RTC_B_24H		0x02	/* 1: 24 hours, 0: 12 hours with PM in bit 7 of the hours */
#define RTC_REG_C		0x0c
#define  RTC_C_IRQF		0x80
#define  RTC_C_PF		0x40
#define  RTC_C_AF		0x20
#define  RTC_C_UF		0x10
#define RTC_REG_D		0x0d
#define  RTC_D_VRT		0x80	/* valid RAM and time */
#define RTC_CENTURY		0x32
/* Memory sizes in the PC's CMOS layout (the BIOS fills them at POST). */
#define CMOS_BASE_MEM_LO	0x15	/* conventional memory in KiB */
#define CMOS_EXT_MEM_LO		0x17	/* memory above 1 MiB in KiB (at most 0xffff) */
#define CMOS_CHECKSUM_HI	0x2e	/* sum of bytes 0x10-0x2d, high byte first */
#define CMOS_EXT_MEM2_LO	0x30	/* memory above 1 MiB in KiB, as POST found it */
#define CMOS_HIGH_MEM_LO	0x34	/* memory above 16 MiB in 64 KiB units */

struct vrtc {
	uint8_t ram[VRTC_BYTES];	/* registers A-D and CMOS RAM; the clock registers while
					 * the clock is stopped (B.SET) */
	uint8_t index;
	bool nmi_disabled;		/* bit 7 of the last index written (Umbra raises no NMI) */
	uint64_t epoch_seconds;		/* calendar time, seconds since 1970, at guest time epoch_ns */
	uint64_t epoch_ns;
	uint64_t flags_read_ns;		/* guest time of the last read of register C */
	struct dev_clock clock;
};

struct device_bus;

/* Power-on: the clock at start_seconds (since 1970, UTC) at guest time 0, 24-hour BCD mode,
 * the memory-size bytes for ram_bytes of guest RAM (640 KiB below 1 MiB, the rest above). */
void vrtc_init(struct vrtc *r, struct dev_clock clock, uint64_t start_seconds, uint64_t ram_bytes);
bool vrtc_attach(struct vrtc *r, struct device_bus *b);
/* Port access at offset 0 (index) or 1 (data), at guest time now (ns). */
uint8_t vrtc_read(struct vrtc *r, unsigned offset, uint64_t now);
void vrtc_write(struct vrtc *r, unsigned offset, uint8_t value, uint64_t now);

#endif
