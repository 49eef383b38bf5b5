/* The guest's processor state as the instruction emulator (guest/x86/x86_emulate.h) takes it:
 * shared by the page-table-write and MMIO emulation exits. */
#ifndef UMBRA_GUEST_EMU_CPU_H
#define UMBRA_GUEST_EMU_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "guest/emu_mem.h"
#include "guest/x86/x86_emulate.h"

struct guest;

/* One instruction at CS:RIP that an exit hands to the emulator: its bytes, why the fetch
 * stopped, and the processor state it runs on. */
struct guest_emulation {
	uint8_t bytes[X86_MAX_INSN_LEN];
	size_t len;			/* bytes fetched */
	enum emu_mem_status fetch;	/* why the fetch stopped before X86_MAX_INSN_LEN */
	struct x86_fault fetch_fault;	/* fetch == EMU_MEM_FAULT: the guest's fault */
	struct x86_emu_cpu cpu;
	struct x86_insn insn;		/* filled by x86_emulate */
};

enum guest_emulation_start {
	GUEST_EMULATION_READY,		/* bytes fetched, cpu loaded: run x86_emulate */
	GUEST_EMULATION_FETCH_FAULTED,	/* the guest may not fetch its instruction: its fault
					 * is queued, nothing else to do */
	GUEST_EMULATION_NO_BYTES,	/* not one byte could be read (not RAM): the caller's
					 * policy decides */
};

/* Fetches the instruction at CS:RIP at the guest's CPL and loads the processor state. */
enum guest_emulation_start guest_emulation_start(struct guest *g, struct guest_emulation *e);
/* After X86_EMU_UNDECODABLE: when the decoder ran out of bytes at a page the guest may not
 * fetch, the fault is the guest's (as the processor's own fetch would raise it): queues it
 * and returns true. */
bool guest_emulation_fetch_fault(struct guest *g, struct guest_emulation *e);

/* The guest's registers, segment bases, mode and vendor. */
void guest_x86_cpu_load(struct guest *g, struct x86_emu_cpu *cpu);
/* Back into the vCPU: the registers, RIP and RFLAGS an emulated instruction left. */
void guest_x86_cpu_store(struct guest *g, const struct x86_emu_cpu *cpu);

#endif
