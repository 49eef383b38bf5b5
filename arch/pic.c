/* 8259A programming (Intel 8259A data sheet, "Initialization command words"). */
#include "arch/pic.h"
#include "arch/io.h"

#define ICW1_INIT_ICW4	0x11	/* edge triggered, cascade, ICW4 follows */
#define ICW4_8086	0x01

void pic_mask_all(void)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

void pic_init(uint8_t base)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, base);			/* ICW2: vector base */
	outb(PIC2_DATA, base + 8);
	outb(PIC1_DATA, 1 << IRQ_CASCADE);	/* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, IRQ_CASCADE);
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	pic_mask_all();
}

void pic_unmask(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;

	outb(port, inb(port) & ~(1u << (irq & 7)));
	if (irq >= 8)
		outb(PIC1_DATA, inb(PIC1_DATA) & ~(1u << IRQ_CASCADE));
}

/* A spurious IRQ 7 or 15 is not in service and must not be acknowledged (data sheet). */
static int pic_in_service(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1_CMD : PIC2_CMD;

	outb(port, PIC_READ_ISR);
	return (inb(port) >> (irq & 7)) & 1;
}

int pic_eoi(unsigned irq)
{
	if ((irq & 7) == 7 && !pic_in_service(irq)) {
		if (irq == 15)
			outb(PIC1_CMD, PIC_EOI);	/* the master did see the cascade */
		return 0;
	}
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
	return 1;
}
