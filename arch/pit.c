/* 8254 channel 0 as a rate generator (8254 data sheet, mode 2). */
#include "arch/pit.h"
#include "arch/io.h"

void pit_start_periodic(unsigned hz)
{
	unsigned divisor = PIT_HZ / (hz ? hz : 1);

	if (divisor > 0xffff)
		divisor = 0xffff;
	outb(PIT_MODE, PIT_CH0_RATE);
	outb(PIT_CH0, divisor & 0xff);
	outb(PIT_CH0, divisor >> 8);
}
