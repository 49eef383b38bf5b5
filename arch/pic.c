/* Silencing the legacy PICs (8259A data sheet: OCW1 masks IRQ lines). */
#include "arch/pic.h"
#include "arch/io.h"

void pic_mask_all(void)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}
