/* The guest's stop: why the run loop ends. */
#include "guest/guest.h"
#include "lib/format.h"

void guest_stop(struct guest *g, enum guest_stop_reason why, const char *fmt, ...)
{
	va_list ap;

	if (g->stop != GUEST_RUNNING)
		return;		/* the first reason is the one that counts */
	g->stop = why;
	va_start(ap, fmt);
	vsnprintk(g->stop_detail, sizeof(g->stop_detail), fmt, ap);
	va_end(ap);
}
