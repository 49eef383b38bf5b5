/* Names of the neutral exit kinds, for reports and counters. */
#include "guest/vm_exit.h"

static const char *const exit_kind_names[EXIT_KIND_COUNT] = {
	[EXIT_NONE] = "none",
	[EXIT_CPUID] = "cpuid",
	[EXIT_IO] = "io",
	[EXIT_MSR_READ] = "rdmsr",
	[EXIT_MSR_WRITE] = "wrmsr",
	[EXIT_CR_ACCESS] = "cr",
	[EXIT_HLT] = "hlt",
	[EXIT_INVLPG] = "invlpg",
	[EXIT_XSETBV] = "xsetbv",
	[EXIT_PAGE_FAULT] = "page-fault",
	[EXIT_EXCEPTION] = "exception",
	[EXIT_TRIPLE_FAULT] = "triple-fault",
	[EXIT_HYPERCALL] = "hypercall",
	[EXIT_VIRT_INSN] = "virt-insn",
	[EXIT_INVD] = "invd",
	[EXIT_EXTERNAL_INTERRUPT] = "ext-intr",
	[EXIT_NMI] = "nmi",
	[EXIT_PREEMPT] = "preempt",
	[EXIT_INTERRUPT_WINDOW] = "intr-window",
	[EXIT_ENTRY_FAILED] = "entry-failed",
	[EXIT_UNKNOWN] = "unknown",
};

const char *exit_kind_name(enum exit_kind kind)
{
	return (unsigned)kind < EXIT_KIND_COUNT && exit_kind_names[kind] ? exit_kind_names[kind] : "?";
}
