/* A guest that takes its console input by interrupt: it programs its 8259A pair, enables the
 * UART's received-data interrupt and sleeps in HLT; each line typed arrives through IRQ 4 and is
 * echoed as "guest irq got: LINE". The line "q" ends the guest. */
#include "guest.h"
#include "x86.h"

#include "arch/uart16550.h"
#include "lib/string.h"

#define UART_VECTOR	0x24	/* master PIC remapped to 0x20: IRQ 4 */
#define IDT_ENTRIES	256

struct interrupt_frame;

static uint64_t idt[IDT_ENTRIES] __attribute__((aligned(8)));
static volatile char ring[128];
static volatile unsigned ring_head, ring_tail, irq_count;

/* IRQ 4: drain the UART, then end the interrupt at the PIC (8259A: non-specific EOI). */
__attribute__((interrupt)) static void uart_isr(struct interrupt_frame *frame)
{
	(void)frame;
	irq_count++;
	while (inb(COM1_BASE + UART_LSR) & UART_LSR_DR)
		ring[ring_head++ % sizeof(ring)] = (char)inb(COM1_BASE + UART_RBR);
	outb(0x20, 0x20);
}

/* A copy of the runtime's IDT (vectors 0-31) with the UART's gate added. */
static void idt_install(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr;
	uint32_t handler = (uint32_t)(uintptr_t)uart_isr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	memcpy(idt, (const void *)(uintptr_t)idtr.base, idtr.limit + 1u);
	/* 32-bit interrupt gate, present, DPL 0, selector 0x08 (SDM Vol. 3A 6.11). */
	idt[UART_VECTOR] = (handler & 0xffff) | (0x08u << 16) |
			   ((uint64_t)((handler & 0xffff0000u) | 0x8e00) << 32);
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint32_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* ICW1-4 for both chips (vectors 0x20 and 0x28), then only IRQ 4 unmasked. */
static void pic_setup(void)
{
	outb(0x20, 0x11);
	outb(0x21, 0x20);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	outb(0xa0, 0x11);
	outb(0xa1, 0x28);
	outb(0xa1, 0x02);
	outb(0xa1, 0x01);
	outb(0x21, 0xef);
	outb(0xa1, 0xff);
}

void guest_main(void)
{
	char line[64];
	unsigned n = 0;

	idt_install();
	pic_setup();
	CHECK_EQ(inb(0x21), 0xef, "the PIC's mask register reads back");
	outb(COM1_BASE + UART_IER, UART_IER_RDA);
	gprintf("interrupt console guest ready\n");
	for (;;) {
		char c;

		__asm__ volatile("sti; hlt; cli");
		while (ring_tail != ring_head) {
			c = ring[ring_tail++ % sizeof(ring)];
			if (c != '\r' && c != '\n') {
				if (n + 1 < sizeof(line))
					line[n++] = c;
				continue;
			}
			line[n] = '\0';
			if (!n)
				continue;
			if (!strcmp(line, "q"))
				goto done;
			gprintf("guest irq got: %s\n", line);
			n = 0;
		}
	}
done:
	gprintf("uart interrupts taken: %u\n", irq_count);
	CHECK(irq_count > 0, "console input arrived by the UART's interrupt");
}
