/* panic(): report a broken hypervisor invariant with its source location and stop. */
#include "arch/panic.h"
#include "lib/printk.h"
#include "arch/stop.h"

void panic_at(const char *file, int line, const char *fmt, ...)
{
	static int panicking;
	va_list ap;

	__asm__ volatile("cli");
	if (panicking++)	/* a panic while panicking: say nothing more, just stop */
		machine_stop(UMBRA_EXIT_PANIC);
	printk(LOG_ERR, "umbra: PANIC at %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintk(LOG_ERR, fmt, ap);
	va_end(ap);
	printk(LOG_ERR, "\n");
	machine_stop(UMBRA_EXIT_PANIC);
}
