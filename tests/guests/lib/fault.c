/* Exceptions in the guest: resuming a try_call, or reporting an unexpected one and failing. */
#include <stddef.h>
#include "entry.h"
#include "guest.h"

static struct recovery *recovery_current;

_Static_assert(offsetof(struct recovery, ebx) == REC_EBX, "recover.S layout");
_Static_assert(offsetof(struct recovery, esi) == REC_ESI, "recover.S layout");
_Static_assert(offsetof(struct recovery, edi) == REC_EDI, "recover.S layout");
_Static_assert(offsetof(struct recovery, ebp) == REC_EBP, "recover.S layout");
_Static_assert(offsetof(struct recovery, esp) == REC_ESP, "recover.S layout");
_Static_assert(offsetof(struct recovery, eflags) == REC_EFLAGS, "recover.S layout");

const char *vector_name(unsigned int vector)
{
	static const char *const names[32] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
		"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
		"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
		"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
	};

	return vector < 32 ? names[vector] : "#?";
}

struct fault try_call(void (*fn)(void *), void *arg)
{
	struct recovery r = { .prev = recovery_current };

	recovery_current = &r;
	if (guarded_call(fn, arg, &r))
		r.fault.faulted = true;
	recovery_current = r.prev;
	return r.fault;
}

static void report_unexpected(const struct guest_frame *f)
{
	gprintf("FAIL: unexpected exception %u (%s), error code 0x%x, eip 0x%08x, cr2 0x%08lx\n",
		f->vector, vector_name(f->vector), f->error, f->eip, read_cr2());
	gprintf("  eax %08x ebx %08x ecx %08x edx %08x\n", f->eax, f->ebx, f->ecx, f->edx);
	gprintf("  esi %08x edi %08x ebp %08x eflags %08x\n", f->esi, f->edi, f->ebp, f->eflags);
}

void guest_trap(struct guest_frame *f)
{
	static int nesting;
	struct recovery *r = recovery_current;

	if (nesting++) {
		/* Faulting while handling a fault: the runtime is broken, stop at once. */
		guest_exit(GUEST_EXIT_FAIL);
	}
	if (r) {
		r->fault.vector = (uint8_t)f->vector;
		r->fault.error = f->error;
		r->fault.eip = f->eip;
		r->fault.cr2 = read_cr2();
		nesting--;
		recovery_resume(r);
	}
	report_unexpected(f);
	guest_exit(GUEST_EXIT_FAIL);
}
