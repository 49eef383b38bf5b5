/* The guest's clock (see clock.h). */
#include "guest/clock.h"
#include "guest/guest.h"
#include "arch/tsc.h"

void guest_clock_start(struct guest *g)
{
	g->clock_start_tsc = guest_tsc(g);
}

uint64_t guest_tsc(const struct guest *g)
{
	return rdtsc() + g->vcpu.tsc_offset;
}

uint64_t guest_now_ns(const struct guest *g)
{
	return tsc_to_ns(guest_tsc(g) - g->clock_start_tsc);
}

uint64_t guest_clock_now(void *ctx)
{
	return guest_now_ns(ctx);
}

uint64_t guest_host_tsc_at(const struct guest *g, uint64_t ns)
{
	return g->clock_start_tsc + tsc_from_ns(ns) - g->vcpu.tsc_offset;
}
