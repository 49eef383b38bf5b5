/* The ACPI PM1a blocks and the PM timer (see acpi_pm.h). */
#include "guest/devices/acpi_pm.h"
#include "guest/devices/bus.h"
#include "lib/muldiv.h"
#include "lib/printk.h"

_Static_assert(ACPI_PM_BASE + ACPI_PM_PORTS == ACPI_PM_TMR_BLK + ACPI_PM_TMR_LEN &&
	       ACPI_PM_EN_OFF + 2 <= ACPI_PM_CNT_OFF &&
	       ACPI_PM_CNT_OFF + ACPI_PM1_CNT_LEN <= ACPI_PM_TMR_OFF,
	       "the three blocks lie in the device's range, in this order");

void acpi_pm_init(struct acpi_pm *pm, struct dev_clock clock, unsigned tmr_bits,
		  void (*power_off)(void *ctx), void *ctx)
{
	*pm = (struct acpi_pm){ .clock = clock, .tmr_bits = tmr_bits == 24 ? 24 : 32,
				.power_off = power_off, .ctx = ctx };
}

/* Timer clocks since power-on, not wrapped. */
static uint64_t clocks(uint64_t now)
{
	return mul_div_u64(now, ACPI_PM_TIMER_HZ, NS_PER_SECOND);
}

uint32_t acpi_pm_timer(const struct acpi_pm *pm, uint64_t now)
{
	uint64_t mask = (1ULL << pm->tmr_bits) - 1;

	return (uint32_t)(clocks(now) & mask);
}

/* 4.8.3.3: TMR_STS is set when the timer's last bit toggles, i.e. every half period, so it is
 * set when a half period boundary passed since the status was last cleared. */
static uint16_t status(const struct acpi_pm *pm, uint64_t now)
{
	unsigned half = pm->tmr_bits - 1;
	bool tmr = clocks(now) >> half != pm->tmr_sts_cleared >> half;

	return tmr ? PM1_STS_TMR : 0;
}

/* The twelve bytes of the range as they read now: STS, EN, CNT, two unused bytes, TMR. */
static void snapshot(const struct acpi_pm *pm, uint64_t now, uint8_t r[ACPI_PM_PORTS])
{
	uint16_t sts = status(pm, now), cnt = PM1_CNT_SCI_EN | pm->cnt;
	uint32_t tmr = acpi_pm_timer(pm, now);

	for (unsigned i = 0; i < ACPI_PM_PORTS; i++)
		r[i] = 0xff;
	r[ACPI_PM_STS_OFF] = (uint8_t)sts;
	r[ACPI_PM_STS_OFF + 1] = (uint8_t)(sts >> 8);
	r[ACPI_PM_EN_OFF] = (uint8_t)pm->en;
	r[ACPI_PM_EN_OFF + 1] = (uint8_t)(pm->en >> 8);
	r[ACPI_PM_CNT_OFF] = (uint8_t)cnt;
	r[ACPI_PM_CNT_OFF + 1] = (uint8_t)(cnt >> 8);
	for (unsigned i = 0; i < 4; i++)
		r[ACPI_PM_TMR_OFF + i] = (uint8_t)(tmr >> (8 * i));
}

uint32_t acpi_pm_read(struct acpi_pm *pm, unsigned offset, unsigned size, uint64_t now)
{
	uint8_t r[ACPI_PM_PORTS];
	uint32_t v = 0;

	snapshot(pm, now, r);
	for (unsigned i = 0; i < size && i < 4; i++)
		v |= (uint32_t)(offset + i < ACPI_PM_PORTS ? r[offset + i] : 0xff) << (8 * i);
	return v;
}

/* SLP_EN: S5 powers off; S0 is where the guest already is; any other type names no state of
 * the DSDT and is reported once and ignored, as a chipset without that state would. */
static void sleep_enter(struct acpi_pm *pm, unsigned type)
{
	if (type == ACPI_SLP_TYP_S5) {
		pm->power_off(pm->ctx);
		return;
	}
	if (type == ACPI_SLP_TYP_S0 || pm->types_reported & (1u << type))
		return;
	pm->types_reported |= 1u << type;
	pr_info("umbra: guest: acpi: SLP_EN with sleep type %u, which is no state of the DSDT "
		"(ignored)\n", type);
}

/* One byte of a write at offset. The status bits are write-1-to-clear (TMR_STS restarts from
 * now); PM1_EN keeps its defined bits; PM1_CNT keeps BM_RLD and SLP_TYP, and SLP_EN acts on
 * the SLP_TYP of the same write (both are in its high byte). */
static void write_byte(struct acpi_pm *pm, unsigned offset, uint8_t v, uint64_t now)
{
	unsigned shift = (offset & 1) * 8;
	uint16_t bits = (uint16_t)(v << shift), keep = (uint16_t)~(0xffu << shift);

	switch (offset & ~1u) {
	case ACPI_PM_STS_OFF:
		if (bits & PM1_STS_TMR)
			pm->tmr_sts_cleared = clocks(now);
		break;
	case ACPI_PM_EN_OFF:
		pm->en = (uint16_t)((pm->en & keep) | (bits & PM1_EN_DEFINED));
		break;
	case ACPI_PM_CNT_OFF:
		pm->cnt = (uint16_t)((pm->cnt & keep) | (bits & PM1_CNT_KEPT));
		if (bits & PM1_CNT_SLP_EN)
			sleep_enter(pm, (pm->cnt & PM1_CNT_SLP_TYP) >> PM1_CNT_SLP_TYP_SHIFT);
		break;
	default:
		break;			/* the timer is read-only; the gap is nothing */
	}
}

void acpi_pm_write(struct acpi_pm *pm, unsigned offset, unsigned size, uint32_t value, uint64_t now)
{
	for (unsigned i = 0; i < size && i < 4; i++)
		if (offset + i < ACPI_PM_PORTS)
			write_byte(pm, offset + i, (uint8_t)(value >> (8 * i)), now);
}

static uint64_t acpi_pm_bus_read(void *dev, uint64_t offset, unsigned size)
{
	struct acpi_pm *pm = dev;

	return acpi_pm_read(pm, (unsigned)offset, size, dev_clock_now(&pm->clock));
}

static void acpi_pm_bus_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	struct acpi_pm *pm = dev;

	acpi_pm_write(pm, (unsigned)offset, size, (uint32_t)value, dev_clock_now(&pm->clock));
}

/* One range, not split into bytes: a 32-bit read of the timer must see one instant. */
bool acpi_pm_attach(struct acpi_pm *pm, struct device_bus *b)
{
	return bus_register(b, &(struct bus_range){ BUS_PORT, ACPI_PM_BASE, ACPI_PM_PORTS, "acpi-pm",
						    acpi_pm_bus_read, acpi_pm_bus_write, pm, false });
}
