/* The host IDT: every vector has an entry, so nothing reaches the CPU's triple-fault path. */
#include "arch/desc.h"
#include "arch/segment.h"
#include "arch/trap.h"

#define IDT_VECTORS	256
#define GATE_INTERRUPT	0x8e	/* P, DPL 0, 64-bit interrupt gate (SDM Vol. 3A 6.14.1) */

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate is 16 bytes (SDM Vol. 3A figure 6-8)");

extern const uint64_t trap_stubs[TRAP_STUB_COUNT + 1];
static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));

static void idt_set_gate(unsigned vector, uint64_t handler, unsigned ist)
{
	idt[vector] = (struct idt_gate){
		.offset_low = handler & 0xffff,
		.selector = SEL_CODE64,
		.ist = ist,
		.type_attr = GATE_INTERRUPT,
		.offset_mid = (handler >> 16) & 0xffff,
		.offset_high = handler >> 32,
	};
}

void idt_init(void)
{
	struct desc_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };

	for (unsigned v = 0; v < IDT_VECTORS; v++)
		idt_set_gate(v, trap_stubs[v < TRAP_STUB_COUNT ? v : TRAP_STUB_COUNT], 0);
	idt_set_gate(EXC_DF, trap_stubs[EXC_DF], IST_DOUBLE_FAULT);
	idt_set_gate(EXC_NMI, trap_stubs[EXC_NMI], IST_NMI);
	idt_set_gate(EXC_MC, trap_stubs[EXC_MC], IST_MACHINE_CHECK);
	__asm__ volatile("lidt %0" : : "m"(idtr));
}
