/*
 * The ACPI fixed hardware of Umbra's platform (ACPI 6.0 4.8): the PM1a event block (PM1_STS
 * and PM1_EN), the PM1a control block and the PM timer, at the ports the FADT names
 * (guest/firmware/acpi_platform.h).
 *
 * - PM timer (4.8.2.1, 4.8.3.3): 3.579545 MHz from guest time, 24 or 32 bits (the FADT's
 *   TMR_VAL_EXT); TMR_STS is set each time the timer's top bit toggles.
 * - PM1_STS (4.8.3.1.1): status bits are cleared by writing 1; only TMR_STS is ever set (no
 *   buttons, no RTC wake, no sleep to wake from); PM1_EN (4.8.3.1.2) keeps its defined bits.
 *   No SCI is raised yet.
 * - PM1_CNT (4.8.3.2.1): SCI_EN always reads 1 (the platform has no SMI_CMD: ACPI mode only);
 *   SLP_EN with SLP_TYP = \_S5's value powers the guest off; SLP_EN and GBL_RLS read 0.
 *
 * The state is pure: every entry point takes "now" in guest nanoseconds, so a unit test drives
 * time by hand.
 */
#ifndef UMBRA_GUEST_DEVICES_ACPI_PM_H
#define UMBRA_GUEST_DEVICES_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/devices/dev_clock.h"
#include "guest/firmware/acpi_platform.h"

#define ACPI_PM_TIMER_HZ	3579545		/* 4.8.2.1: the PM timer's clock */

/* Offsets in the device's port range (ACPI_PM_BASE). */
#define ACPI_PM_STS_OFF		(ACPI_PM1A_EVT_BLK - ACPI_PM_BASE)
#define ACPI_PM_EN_OFF		(ACPI_PM_STS_OFF + ACPI_PM1_EVT_LEN / 2)
#define ACPI_PM_CNT_OFF		(ACPI_PM1A_CNT_BLK - ACPI_PM_BASE)
#define ACPI_PM_TMR_OFF		(ACPI_PM_TMR_BLK - ACPI_PM_BASE)

/* PM1_STS, 4.8.3.1.1. */
#define PM1_STS_TMR		(1u << 0)
#define PM1_STS_BM		(1u << 4)
#define PM1_STS_GBL		(1u << 5)
#define PM1_STS_PWRBTN		(1u << 8)
#define PM1_STS_SLPBTN		(1u << 9)
#define PM1_STS_RTC		(1u << 10)
#define PM1_STS_PCIEXP_WAKE	(1u << 14)
#define PM1_STS_WAK		(1u << 15)
/* PM1_EN, 4.8.3.1.2. */
#define PM1_EN_TMR		(1u << 0)
#define PM1_EN_GBL		(1u << 5)
#define PM1_EN_PWRBTN		(1u << 8)
#define PM1_EN_SLPBTN		(1u << 9)
#define PM1_EN_RTC		(1u << 10)
#define PM1_EN_PCIEXP_WAKE_DIS	(1u << 14)
#define PM1_EN_DEFINED		(PM1_EN_TMR | PM1_EN_GBL | PM1_EN_PWRBTN | PM1_EN_SLPBTN | \
				 PM1_EN_RTC | PM1_EN_PCIEXP_WAKE_DIS)
/* PM1_CNT, 4.8.3.2.1. */
#define PM1_CNT_SCI_EN		(1u << 0)
#define PM1_CNT_BM_RLD		(1u << 1)
#define PM1_CNT_GBL_RLS		(1u << 2)	/* write-only: would signal the firmware */
#define PM1_CNT_SLP_TYP_SHIFT	10
#define PM1_CNT_SLP_TYP		(7u << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN		(1u << 13)	/* write-only: enter the sleep state SLP_TYP */
#define PM1_CNT_KEPT		(PM1_CNT_BM_RLD | PM1_CNT_SLP_TYP)

struct acpi_pm {
	struct dev_clock clock;
	unsigned tmr_bits;		/* 24 or 32 */
	uint64_t tmr_sts_cleared;	/* timer clocks at the last clear of TMR_STS */
	uint16_t en;
	uint16_t cnt;			/* the PM1_CNT_KEPT bits as written */
	uint8_t types_reported;		/* bit t: SLP_EN with sleep type t was reported */
	void (*power_off)(void *ctx);	/* SLP_EN with the S5 type */
	void *ctx;
};

struct device_bus;

/* Power-on: everything clear, the timer counting from 0 at guest time 0. */
void acpi_pm_init(struct acpi_pm *pm, struct dev_clock clock, unsigned tmr_bits,
		  void (*power_off)(void *ctx), void *ctx);
bool acpi_pm_attach(struct acpi_pm *pm, struct device_bus *b);
/* The PM timer's value at guest time now. */
uint32_t acpi_pm_timer(const struct acpi_pm *pm, uint64_t now);
/* An access of size bytes (1, 2 or 4) at offset from ACPI_PM_BASE; bytes of it outside the
 * three blocks read all-ones and ignore writes, and the timer ignores writes. */
uint32_t acpi_pm_read(struct acpi_pm *pm, unsigned offset, unsigned size, uint64_t now);
void acpi_pm_write(struct acpi_pm *pm, unsigned offset, unsigned size, uint32_t value,
		   uint64_t now);

#endif
