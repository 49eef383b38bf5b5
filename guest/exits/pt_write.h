/* Emulating the guest instructions that write its (write-protected) page tables. */
#ifndef UMBRA_GUEST_EMULATE_H
#define UMBRA_GUEST_EMULATE_H

#include <stdint.h>

struct guest;

/* Emulates the instruction at RIP, which faulted writing the shadowed guest frame at gpa: does
 * the write, tells the shadow MMU, and completes the instruction; or queues the guest fault the
 * access raises; or stops the guest when the instruction is not one Umbra emulates. */
void guest_emulate_pt_write(struct guest *g, uint64_t gpa);

#endif
