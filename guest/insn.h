/* Fetching and decoding the guest instruction at CS:RIP, for exits that do not describe it. */
#ifndef UMBRA_GUEST_INSN_H
#define UMBRA_GUEST_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/x86/x86_decode.h"

struct guest;
struct vm_exit;

/* The decoder mode the guest is in: 64-bit with EFER.LMA and CS.L, else by CS.D. */
enum x86_mode guest_x86_mode(struct guest *g);
/* Reads up to X86_MAX_INSN_LEN bytes at CS:RIP into buf, stopping early at an unreadable page
 * (the decoder then reports a truncated instruction if it needed them). Returns the count. */
size_t guest_fetch_insn(struct guest *g, uint8_t *buf);
/* Decodes the instruction at CS:RIP. On failure the guest is stopped (or a fault queued) and
 * false is returned. */
bool guest_decode_at_rip(struct guest *g, struct x86_insn *insn);
/* Makes sure e->insn_len is known, decoding the instruction when the backend could not say. */
bool guest_complete_insn_len(struct guest *g, struct vm_exit *e);

#endif
