/*
 * Guest memory through the guest's own eyes, for the instructions Umbra completes: the guest's
 * binding of the one emulated-access path (guest/emu_mem.h). Every read, write and fetch Umbra
 * does for a guest instruction goes through here, checked at that instruction's CPL, and every
 * write is reported to the shadow MMU.
 */
#ifndef UMBRA_GUEST_GVA_H
#define UMBRA_GUEST_GVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/emu_mem.h"

struct guest;

/* The CPL (SDM Vol. 3A 5.5: SS.DPL; 0 in real mode, 3 in virtual-8086 mode). */
uint8_t guest_cpl(struct guest *g);
/* The instruction at the current exit, as the access checks see it. */
struct emu_who guest_emu_who(struct guest *g);
/* The guest's translation, RAM and shadow MMU, as emu_mem_* reaches them. */
struct emu_mem_ops guest_emu_ops(struct guest *g);

/* Data accesses by the instruction at the current exit (see emu_mem_read/write). */
enum emu_mem_status guest_emu_read(struct guest *g, const struct emu_who *who, uint64_t linear,
				   void *dst, unsigned len, struct x86_fault *f);
enum emu_mem_status guest_emu_write(struct guest *g, const struct emu_who *who, uint64_t linear,
				    const void *src, unsigned len, struct x86_fault *f);

/* Queues the exception an access raised, with CR2 for a #PF, for the next entry. */
void guest_queue_fault(struct guest *g, const struct x86_fault *f);

#endif
