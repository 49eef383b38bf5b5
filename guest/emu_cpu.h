/* The guest's processor state as the instruction emulator (guest/x86/x86_emulate.h) takes it:
 * shared by the page-table-write and MMIO emulation exits. */
#ifndef UMBRA_GUEST_EMU_CPU_H
#define UMBRA_GUEST_EMU_CPU_H

#include "guest/x86/x86_emulate.h"

struct guest;

/* The guest's registers, segment bases, mode and vendor. */
void guest_x86_cpu_load(struct guest *g, struct x86_emu_cpu *cpu);
/* Back into the vCPU: the registers, RIP and RFLAGS an emulated instruction left. */
void guest_x86_cpu_store(struct guest *g, const struct x86_emu_cpu *cpu);

#endif
