/* The MP spec 1.4 table builder (see mptable.h). */
#include "guest/firmware/mptable.h"
#include "guest/firmware/acpi.h"
#include "lib/string.h"

/* 4.3.4: ISA IRQ irq on the I/O APIC's pin. */
static struct mp_interrupt io_int(uint8_t int_type, uint8_t irq, uint8_t pin)
{
	return (struct mp_interrupt){ MP_ENTRY_IO_INTERRUPT, int_type, MP_FLAGS_CONFORM,
				      MP_ISA_BUS_ID, irq, ACPI_IOAPIC_ID, pin };
}

/* 4.3.5: int_type on every local APIC's LINTIN pin. */
static struct mp_interrupt local_int(uint8_t int_type, uint8_t lint)
{
	return (struct mp_interrupt){ MP_ENTRY_LOCAL_INTERRUPT, int_type, MP_FLAGS_CONFORM,
				      MP_ISA_BUS_ID, 0, MP_ALL_LOCAL_APICS, lint };
}

/*
 * The base table: the bootstrap processor, the ISA bus, the I/O APIC, then the PC's wiring as
 * in the MP spec's default configurations (chapter 5): the 8259's INTR on pin 0 (ExtINT),
 * IRQ 0 on pin 2, every other ISA IRQ but the cascade on the pin of its number; LINT0 takes
 * ExtINT and LINT1 NMI. Entries are in the order of their types (4.3).
 */
static void fill_config(struct mp_config *c, uint8_t *entries)
{
	struct mp_processor cpu = { MP_ENTRY_PROCESSOR, ACPI_LAPIC_ID, ACPI_LAPIC_VERSION,
				    MP_CPU_EN | MP_CPU_BP, 0, 0, { 0, 0 } };
	struct mp_bus isa = { MP_ENTRY_BUS, MP_ISA_BUS_ID, { 0 } };
	struct mp_ioapic ioapic = { MP_ENTRY_IOAPIC, ACPI_IOAPIC_ID, ACPI_IOAPIC_VERSION,
				    MP_IOAPIC_EN, ACPI_IOAPIC_GPA };
	struct mp_interrupt ints[MP_IO_INTERRUPTS + MP_LOCAL_INTERRUPTS];
	unsigned n = 0;
	size_t at = 0;

	memcpy(isa.bus_type, MP_BUS_ISA, 6);
	ints[n++] = io_int(MP_INT_EXTINT, 0, 0);
	ints[n++] = io_int(MP_INT_INT, 0, 2);
	for (uint8_t irq = 1; irq < 16; irq++)
		if (irq != 2)
			ints[n++] = io_int(MP_INT_INT, irq, irq);
	ints[n++] = local_int(MP_INT_EXTINT, 0);
	ints[n++] = local_int(MP_INT_NMI, 1);

	memcpy(entries + at, &cpu, sizeof(cpu));
	at += sizeof(cpu);
	memcpy(entries + at, &isa, sizeof(isa));
	at += sizeof(isa);
	memcpy(entries + at, &ioapic, sizeof(ioapic));
	at += sizeof(ioapic);
	memcpy(entries + at, ints, sizeof(ints));
	at += sizeof(ints);

	*c = (struct mp_config){ .base_length = (uint16_t)(sizeof(*c) + at),
				 .spec_rev = MP_SPEC_REV_1_4, .entry_count = MP_ENTRIES,
				 .local_apic = ACPI_LAPIC_GPA };
	memcpy(c->signature, MP_CONFIG_SIGNATURE, 4);
	memcpy(c->oem_id, MP_OEM_ID, 8);
	memcpy(c->product_id, MP_PRODUCT_ID, 12);
}

#define MP_CONFIG_SIZE	(sizeof(struct mp_config) + sizeof(struct mp_processor) + \
			 sizeof(struct mp_bus) + sizeof(struct mp_ioapic) + \
			 (MP_IO_INTERRUPTS + MP_LOCAL_INTERRUPTS) * sizeof(struct mp_interrupt))

bool mptable_build(uint8_t *buf, size_t size, uint32_t gpa, struct mp_layout *l)
{
	struct mp_fps fps = { .length = 1, .spec_rev = MP_SPEC_REV_1_4 };
	size_t cfg = sizeof(fps);		/* 16: the table follows the pointer, aligned */
	struct mp_config c;

	*l = (struct mp_layout){ 0 };
	if (gpa & (MP_ALIGN - 1) || size < cfg + MP_CONFIG_SIZE)
		return false;
	fill_config(&c, buf + cfg + sizeof(c));
	memcpy(buf + cfg, &c, sizeof(c));
	((struct mp_config *)(buf + cfg))->checksum = acpi_checksum(buf + cfg, c.base_length);

	memcpy(fps.signature, MP_FPS_SIGNATURE, 4);
	fps.config_table = gpa + (uint32_t)cfg;
	fps.checksum = acpi_checksum(&fps, sizeof(fps));
	memcpy(buf, &fps, sizeof(fps));

	*l = (struct mp_layout){ gpa, gpa + (uint32_t)cfg, gpa + (uint32_t)(cfg + c.base_length) };
	return true;
}
