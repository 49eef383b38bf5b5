/* Fetching and decoding the guest instruction at CS:RIP, for exits that do not describe it. */
#ifndef UMBRA_GUEST_INSN_H
#define UMBRA_GUEST_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/emu_mem.h"
#include "guest/x86/x86_decode.h"

struct guest;
struct vm_exit;

/* The decoder mode the guest is in: 64-bit with EFER.LMA and CS.L, else by CS.D. */
enum x86_mode guest_x86_mode(struct guest *g);
/* Fetches up to X86_MAX_INSN_LEN bytes at CS:RIP into buf at the guest's CPL (guest/gva.h),
 * stopping early at a byte that cannot be fetched: *st and *f say why (the fault is the
 * guest's only if the decoder needs that byte). Returns the count. */
size_t guest_fetch_insn(struct guest *g, uint8_t *buf, enum emu_mem_status *st,
			struct x86_fault *f);
/* Decodes the instruction at CS:RIP. On failure the guest is stopped, or the fetch fault is
 * queued, and false is returned. */
bool guest_decode_at_rip(struct guest *g, struct x86_insn *insn);
/* After an exit whose handler moved RIP from old_rip past the instruction: outside 64-bit mode
 * the instruction pointer wraps, at 2^16 (IP) in 16-bit code and 2^32 (EIP) in 32-bit code. */
void guest_wrap_rip(struct guest *g, uint64_t old_rip);
/* Makes sure e->insn_len is known, decoding the instruction when the backend could not say. */
bool guest_complete_insn_len(struct guest *g, struct vm_exit *e);

#endif
