/* The time a device reads: guest nanoseconds since power-on. Umbra gives each device the
 * guest's clock (guest/clock.h); a unit test gives it one it moves by hand. */
#ifndef UMBRA_GUEST_DEVICES_DEV_CLOCK_H
#define UMBRA_GUEST_DEVICES_DEV_CLOCK_H

#include <stdint.h>

#define NS_PER_SECOND	1000000000ULL

struct dev_clock {
	uint64_t (*now_ns)(void *ctx);
	void *ctx;
};

static inline uint64_t dev_clock_now(const struct dev_clock *c)
{
	return c->now_ns(c->ctx);
}

#endif
