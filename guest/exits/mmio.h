/* Emulating the guest instructions that access device registers (MMIO windows). */
#ifndef UMBRA_GUEST_EXITS_MMIO_H
#define UMBRA_GUEST_EXITS_MMIO_H

#include <stdint.h>

struct guest;

/* Emulates the instruction at RIP, whose access to guest-physical gpa (an MMIO window) faulted:
 * its reads and writes reach the device bus through the one emulated-access path
 * (guest/emu_mem.c), and it completes; or the guest fault it raises is queued. An instruction
 * Umbra does not emulate gets #GP(0), reported once: see the policy in mmio.c. */
void guest_emulate_mmio(struct guest *g, uint64_t gpa);

#endif
