/* The 8254 programmable interval timer, channel 0: Umbra's periodic tick. */
#ifndef UMBRA_ARCH_PIT_H
#define UMBRA_ARCH_PIT_H

#define PIT_HZ		1193182		/* input clock (8254 data sheet) */
#define PIT_CH0		0x40
#define PIT_MODE	0x43
#define PIT_CH0_RATE	0x34		/* channel 0, lobyte/hibyte, mode 2 (rate generator) */

/* Makes channel 0 raise IRQ 0 hz times a second. */
void pit_start_periodic(unsigned hz);

#endif
