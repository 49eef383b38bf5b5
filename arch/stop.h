/* Ending a run: halting the machine, or ending the emulator with a status a harness can check. */
#ifndef UMBRA_ARCH_STOP_H
#define UMBRA_ARCH_STOP_H

#include <stdbool.h>

/* Status values passed to the emulator's exit port. QEMU's isa-debug-exit turns V into the
 * process exit status (V << 1) | 1; values below 0x40 are left to guests. */
enum umbra_exit_status {
	UMBRA_EXIT_OK = 0x10,		/* nothing left to run */
	UMBRA_EXIT_BAD_BOOT = 0x7c,	/* unusable boot information or command line */
	UMBRA_EXIT_PANIC = 0x7d,	/* a hypervisor invariant failed */
	UMBRA_EXIT_HOST_FAULT = 0x7e,	/* an unexpected exception in Umbra itself */
};

#define QEMU_DEBUG_EXIT_PORT	0xf4	/* QEMU -device isa-debug-exit,iobase=0xf4 */
#define BOCHS_SHUTDOWN_PORT	0x8900	/* Bochs: writing "Shutdown" ends the simulation */

/* With debug exit on, machine_stop() also ends QEMU or Bochs (command line `debug_exit=on`). */
void machine_set_debug_exit(bool on);
/* Prints the final status line and stops the machine; never returns. */
__attribute__((noreturn)) void machine_stop(unsigned status);

#endif
