/* The 8254 programmable interval timer: channel 0 is Umbra's periodic tick, channel 2 (gated
 * through system control port B, 0x61) measures the TSC at boot. */
#ifndef UMBRA_ARCH_PIT_H
#define UMBRA_ARCH_PIT_H

#define PIT_HZ		1193182		/* input clock (8254 data sheet; IBM PC/AT: 14.31818 MHz / 12) */
#define PIT_CH0		0x40
#define PIT_CH2		0x42
#define PIT_MODE	0x43
#define PIT_CH0_RATE	0x34		/* channel 0, lobyte/hibyte, mode 2 (rate generator) */
#define PIT_CH2_ONESHOT	0xb0		/* channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count) */

/* System control port B (IBM PC/AT technical reference, port 61h). */
#define PORT_B		0x61
#define  PORT_B_GATE2	0x01		/* channel 2's GATE input */
#define  PORT_B_SPEAKER	0x02		/* speaker data: ANDed with OUT2 to drive the speaker */
#define  PORT_B_REFRESH	0x10		/* toggles with each memory refresh request (read only) */
#define  PORT_B_OUT2	0x20		/* channel 2's OUT (read only) */

/* Makes channel 0 raise IRQ 0 hz times a second. */
void pit_start_periodic(unsigned hz);

#endif
