/*
 * The exit handlers, one per exit kind of guest/exit_kinds.h, dispatched by guest/run.c.
 *
 * Handler contract: a handler either completes the exiting instruction (advancing RIP), queues
 * the event the guest must receive instead, or stops the guest with guest_stop(). It never
 * leaves the guest to re-execute an instruction that would exit the same way for no reason.
 * When the kind's "needs length" column says so, exit->insn_len is known on entry.
 */
#ifndef UMBRA_GUEST_EXITS_EXITS_H
#define UMBRA_GUEST_EXITS_EXITS_H

#include "guest/exit_kinds.h"

struct guest;
struct vm_exit;

#define EXIT_HANDLER_DECLARE(kind, name, handler, needs_length) \
	void handler(struct guest *g, struct vm_exit *e);
EXIT_KINDS(EXIT_HANDLER_DECLARE)
#undef EXIT_HANDLER_DECLARE

#endif
