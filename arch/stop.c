/* machine_stop(): the single way Umbra ends, on real hardware (halt) and under emulators (exit). */
#include "arch/stop.h"
#include "arch/cpu.h"
#include "arch/io.h"
#include "lib/printk.h"

static bool debug_exit_enabled;

void machine_set_debug_exit(bool on)
{
	debug_exit_enabled = on;
}

void machine_stop(unsigned status)
{
	static const char bochs_shutdown[] = "Shutdown";

	__asm__ volatile("cli");
	printk(LOG_ERR, "umbra: exit status 0x%x\n", status);
	if (debug_exit_enabled) {
		outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)status);
		for (const char *p = bochs_shutdown; *p; p++)
			outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	}
	printk(LOG_ERR, "umbra: halted\n");
	cpu_halt_forever();
}
