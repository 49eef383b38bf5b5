/* a * mul / div in 64 bits without the intermediate product overflowing: the clocks' unit
 * conversions (TSC ticks, nanoseconds, PIT ticks). */
#ifndef UMBRA_LIB_MULDIV_H
#define UMBRA_LIB_MULDIV_H

#include <stdint.h>

/* Exact floor(a * mul / div) while (div - 1) * mul fits in 64 bits and the result does too:
 * a = q * div + r, so a * mul / div = q * mul + r * mul / div. */
static inline uint64_t mul_div_u64(uint64_t a, uint64_t mul, uint64_t div)
{
	uint64_t q = a / div, r = a % div;

	return q * mul + r * mul / div;
}

#endif
