/* CPL 3 runner (see user.h). */
#include <stddef.h>
#include "guest.h"
#include "user.h"

_Static_assert(offsetof(struct user_regs, eax) == UR_EAX, "user.S layout");
_Static_assert(offsetof(struct user_regs, ebx) == UR_EBX, "user.S layout");
_Static_assert(offsetof(struct user_regs, ecx) == UR_ECX, "user.S layout");
_Static_assert(offsetof(struct user_regs, edx) == UR_EDX, "user.S layout");
_Static_assert(offsetof(struct user_regs, esi) == UR_ESI, "user.S layout");
_Static_assert(offsetof(struct user_regs, edi) == UR_EDI, "user.S layout");
_Static_assert(offsetof(struct user_regs, ebp) == UR_EBP, "user.S layout");
_Static_assert(offsetof(struct user_regs, eflags) == UR_EFLAGS, "user.S layout");
_Static_assert(offsetof(struct user_regs, eip) == UR_EIP, "user.S layout");

void user_enter(void *regs);

static void user_map_range(const struct pg_space *as, uint32_t start, uint32_t end)
{
	for (uint32_t va = start & ~0xfffu; va < end; va += 4096)
		pg_map(as, va, va, 1, PTE_P | PTE_W | PTE_U);
}

void user_map(const struct pg_space *as, const void *start, const void *end)
{
	user_map_range(as, (uint32_t)user_window, (uint32_t)user_window_end);
	user_map_range(as, (uint32_t)start, (uint32_t)end);
}

bool user_run(const struct user_regs *r, struct fault *f)
{
	*f = try_call(user_enter, (void *)r);
	/* Back at CPL 0 with the user data selectors still loaded: take the kernel's again. */
	__asm__ volatile("movw %w0, %%ds\n\tmovw %w0, %%es\n\tmovw %w0, %%fs\n\tmovw %w0, %%gs"
			 : : "r"(0x10) : "memory");
	if (f->faulted && f->vector == 6 && f->eip == (uint32_t)user_done_ud2) {
		f->faulted = false;
		return true;
	}
	return false;
}
