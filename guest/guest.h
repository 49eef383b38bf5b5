/* One guest: its vCPU, memory, shadow MMU and virtual devices, and why it stopped. */
#ifndef UMBRA_GUEST_GUEST_H
#define UMBRA_GUEST_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/devices/acpi_pm.h"
#include "guest/devices/bus.h"
#include "guest/devices/counter_marks.h"
#include "guest/devices/i8042.h"
#include "guest/devices/ioapic.h"
#include "guest/devices/lapic.h"
#include "guest/devices/port61.h"
#include "guest/devices/port92.h"
#include "guest/devices/vpic.h"
#include "guest/devices/vpit.h"
#include "guest/devices/vrtc.h"
#include "guest/devices/vuart.h"
#include "guest/exits/msr_policy.h"
#include "guest/vcpu.h"
#include "mm/guest_mem.h"
#include "mm/mmu.h"
#include "mm/tdp.h"

struct cpu_info;
struct pmm;

enum guest_stop_reason {
	GUEST_RUNNING,
	GUEST_STOP_DEBUG_EXIT,		/* the guest wrote to port 0xF4 */
	GUEST_STOP_HALTED,		/* HLT with nothing that could ever wake it */
	GUEST_STOP_TRIPLE_FAULT,
	GUEST_STOP_FATAL,		/* something Umbra cannot or will not emulate */
	GUEST_STOP_RESET,		/* the monitor's reset: start again from the image */
	GUEST_STOP_POWEROFF,		/* Ctrl-A x on the console, or the guest's ACPI S5 */
	GUEST_STOP_GUEST_RESET,		/* the guest reset the machine (i8042 pulse, port 0x92) */
};

#define GUEST_PORTS_REPORTED_MAX 32
#define GUEST_PIT_IRQ		0	/* the PC's interrupt lines on its master PIC */
#define GUEST_KBD_IRQ		1	/* the i8042's keyboard port */
#define GUEST_UART_IRQ		4	/* COM1 */
#define GUEST_AUX_IRQ		12	/* the i8042's aux (mouse) port */
#define GUEST_RTC_IRQ		8	/* the CMOS RTC */
/* The I/O APIC pin of each ISA IRQ, as on the PC (and as the ACPI MADT's interrupt source
 * override says): the 8254's OUT0 is wired to pin 2, every other IRQ n to pin n. */
#define GUEST_PIT_GSI		2

struct guest {
	/* Resources the first load allocates and a monitor reset keeps. */
	struct vcpu vcpu;
	struct guest_mem mem;
	struct mmu mmu;
	struct tdp tdp;			/* TDP mode only (vcpu.tdp_root != 0) */
	/* Per-run state from here to the end: guest_restart() clears it. */
	struct device_bus bus;		/* every device below, by port range */
	struct vuart uart;
	struct vpic pic;
	struct vpit pit;
	struct port61 port61;
	struct vrtc rtc;
	struct i8042 kbd;
	struct port92 port92;
	struct acpi_pm acpi_pm;
	struct ioapic ioapic;		/* at IOAPIC_DEFAULT_BASE */
	/* The vCPU's local APIC: per-vCPU state, one for the one vCPU (its MMIO page moves with
	 * IA32_APIC_BASE: guest/apic.c). */
	struct lapic lapic;
	uint8_t cr8_synced;		/* CR8 as last given to the vCPU: tells a guest MOV CR8 */
	uint64_t mmio_refused;		/* MMIO instructions Umbra does not emulate (#GP) */
	uint64_t clock_start_tsc;	/* guest TSC at power-on: guest time 0 (guest/clock.h) */
	bool interrupt_window;		/* the backend was asked for an interrupt-window exit */
	const struct cpu_info *host_cpu;
	enum guest_stop_reason stop;
	uint8_t exit_value;		/* what the guest wrote to the debug-exit port */
	char stop_detail[128];
	struct vm_exit last_exit;	/* the exit that stopped the guest */
	uint16_t ports_reported[GUEST_PORTS_REPORTED_MAX];	/* unknown ports already reported */
	unsigned ports_reported_count;
	uint32_t msrs_reported[GUEST_PORTS_REPORTED_MAX];
	unsigned msrs_reported_count;
	struct msr_state msrs;		/* the MSRs Umbra models (exits/msr_policy.h) */
	uint32_t counter_index;		/* the counter port's selected index */
	uint64_t counter_latch;		/* its value, taken when selected */
	struct counter_marks marks;	/* the guest's mark writes (guest/umbra_abi.h) */
	uint64_t emulation_fallbacks;	/* page-table writes Umbra could not emulate */
	uint64_t fallback_rip, fallback_gfn;	/* the last fallback, to catch one that repeats */
	bool reset_requested;		/* the monitor asked for a reset */
	/* The last page table unshadowed for an event delivery's write (exits/page_fault.c), to
	 * catch one that repeats. */
	uint64_t delivery_rip, delivery_gfn, delivery_exit;
	/* The handler of this exit completed one iteration of a REP string instruction and left
	 * RIP on it (guest/single_step.h). */
	bool rep_iteration_done;
	uint64_t tdp_spurious_page;	/* 1 + the frame of the last spurious TDP fault, or 0 */
};

/* Umbra's exit statuses for guest endings other than the debug-exit port. */
#define UMBRA_EXIT_GUEST_HALTED		0x7a
#define UMBRA_EXIT_GUEST_TRIPLE_FAULT	0x7b
#define UMBRA_EXIT_GUEST_FATAL		0x79
#define UMBRA_EXIT_GUEST_LOAD_FAILED	0x78
#define UMBRA_EXIT_GUEST_RESET		0x77	/* with debug_exit=on; otherwise it restarts */

/* Whether the guest runs on TDP tables (mmu=tdp) rather than on shadow page tables. */
static inline bool guest_tdp(const struct guest *g)
{
	return g->vcpu.tdp_root != 0;
}

/* Stops the guest: the run loop returns after the current exit. */
void guest_stop(struct guest *g, enum guest_stop_reason why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
