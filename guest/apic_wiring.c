/* The guest's APICs wired into the rest of the guest (see apic_wiring.h). */
#include "guest/apic_wiring.h"
#include "guest/clock.h"
#include "guest/firmware/acpi_platform.h"
#include "guest/guest.h"
#include "guest/mmio_windows.h"
#include "arch/tsc.h"
#include "lib/printk.h"

/* The APIC timer's input clock: the core crystal that CPUID 15H reports (ECX = TSC / EBX with
 * EAX = 1, exits/cpuid_policy.c), so a kernel that takes the timer's rate from CPUID gets the
 * rate the timer runs at; kernels that calibrate it against the PIT find the same. */
static uint64_t lapic_bus_hz(void)
{
	uint64_t hz = tsc_hz();

	return hz ? hz / (hz / UINT32_MAX + 1) : 1000000000ULL;
}

static uint64_t lapic_tsc_to_ns(void *ctx, uint64_t tsc)
{
	const struct guest *g = ctx;

	return tsc <= g->clock_start_tsc ? 0 : tsc_to_ns(tsc - g->clock_start_tsc);
}

static uint64_t lapic_bus_read(void *dev, uint64_t offset, unsigned size)
{
	return lapic_mmio_read(dev, offset, size);
}

static void lapic_bus_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	lapic_mmio_write(dev, offset, size, value);
}

/* An I/O APIC message for the one local APIC; accepted when it is the destination and enabled
 * (SDM Vol. 3A 11.6.2; a level-triggered message nobody takes leaves remote IRR clear). */
static bool ioapic_to_lapic(void *ctx, const struct ioapic_msg *m)
{
	struct guest *g = ctx;

	if (!lapic_enabled(&g->lapic) || !lapic_match_dest(&g->lapic, m->dest, m->logical))
		return false;
	if (m->delivery == APIC_DM_EXTINT)
		return false;	/* the 8259 reaches the processor through LINT0, not this pin */
	lapic_deliver(&g->lapic, m->delivery, m->vector, m->level);
	return true;
}

static void lapic_eoi_to_ioapic(void *ctx, uint8_t vector)
{
	ioapic_eoi(&((struct guest *)ctx)->ioapic, vector);
}

bool guest_apic_attach(struct guest *g)
{
	struct bus_range lapic_page = {
		.space = BUS_MMIO, .base = APIC_DEFAULT_BASE, .length = APIC_MMIO_SIZE,
		.owner = "lapic", .read = lapic_bus_read, .write = lapic_bus_write, .dev = &g->lapic,
	};

	ioapic_init(&g->ioapic, ioapic_to_lapic, g);
	/* A PC's firmware gives the I/O APIC the ID its MADT and MP table name (MP spec 1.4
	 * 3.6.6: APIC IDs are unique across the local and I/O APICs): the tables and the ID
	 * register agree, and a kernel that checks them finds nothing to fix. */
	g->ioapic.id = (uint32_t)ACPI_IOAPIC_ID << IOAPIC_ID_SHIFT;
	return bus_register(&g->bus, &lapic_page) &&
	       ioapic_attach(&g->ioapic, &g->bus, IOAPIC_DEFAULT_BASE);
}

void guest_apic_reset(struct guest *g)
{
	struct lapic_clock clock = {
		.now_ns = guest_clock_now, .tsc_to_ns = lapic_tsc_to_ns, .ctx = g,
		.bus_hz = lapic_bus_hz(),
	};

	lapic_init(&g->lapic, &clock, 0, true, g->mmu.cpu.maxphyaddr);
	lapic_set_eoi_callback(&g->lapic, lapic_eoi_to_ioapic, g);
	g->cr8_synced = 0;
	bus_move(&g->bus, BUS_MMIO, &g->lapic, APIC_DEFAULT_BASE);
	guest_mmio_windows_sync(g);
}

void guest_apic_base_written(struct guest *g, uint64_t old)
{
	uint64_t base = lapic_mmio_base(&g->lapic);

	if ((old & ~0xfffULL) == (g->lapic.base & ~0xfffULL))
		return;		/* only the enables changed: the page answers as its mode says */
	/* The page may now cover RAM or pages the shadow MMU mapped: it forgets them all (a
	 * relocation is rare). A page that would overlap the I/O APIC's stays where it was. */
	if (!bus_move(&g->bus, BUS_MMIO, &g->lapic, base)) {
		pr_warn("umbra: guest: local APIC page moved to %llx, over another device: it "
			"stays at %llx\n", (unsigned long long)base,
			(unsigned long long)(old & ~0xfffULL));
		return;
	}
	guest_mmio_windows_sync(g);
}

void guest_apic_sync_cr8(struct guest *g)
{
	struct vcpu *v = &g->vcpu;

	if (v->cr8 != g->cr8_synced)
		lapic_set_cr8(&g->lapic, (uint8_t)v->cr8);
	v->cr8 = g->cr8_synced = lapic_cr8(&g->lapic);
}
