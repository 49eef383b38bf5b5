/*
 * The one list of neutral exit kinds. Each entry names the kind, its short name (reports,
 * counters), the guest/exits/ handler that serves it, and whether the handler completes the
 * instruction and so needs its length. vm_exit.h builds the enum from it, exit_names.c the
 * names, guest/exits/exits.h the handler declarations and run.c the dispatch table. The order
 * numbers the counters of guest/umbra_abi.h, so new kinds go at the end.
 */
#ifndef UMBRA_GUEST_EXIT_KINDS_H
#define UMBRA_GUEST_EXIT_KINDS_H

/*     kind                      name            handler                 needs length */
#define EXIT_KINDS(X)								\
	X(EXIT_NONE,               "none",         exit_nothing,          false) /* the backend handled it alone */ \
	X(EXIT_CPUID,              "cpuid",        exit_cpuid,            true)	\
	X(EXIT_IO,                 "io",           exit_port_io,          true)	\
	X(EXIT_MSR_READ,           "rdmsr",        exit_msr_access,       true)	\
	X(EXIT_MSR_WRITE,          "wrmsr",        exit_msr_access,       true)	\
	X(EXIT_CR_ACCESS,          "cr",           exit_cr_access,        false) /* decodes for itself */ \
	X(EXIT_HLT,                "hlt",          exit_hlt,              true)	\
	X(EXIT_INVLPG,             "invlpg",       exit_invlpg,           true)	\
	X(EXIT_XSETBV,             "xsetbv",       exit_xsetbv,           true)	\
	X(EXIT_PAGE_FAULT,         "page-fault",   exit_page_fault,       false) /* the shadow MMU's business */ \
	X(EXIT_EXCEPTION,          "exception",    exit_exception,        false) /* another intercepted exception */ \
	X(EXIT_TRIPLE_FAULT,       "triple-fault", exit_triple_fault,     false) /* VMX triple fault, SVM shutdown */ \
	X(EXIT_HYPERCALL,          "hypercall",    exit_undefined_insn,   false) /* VMCALL or VMMCALL */ \
	X(EXIT_VIRT_INSN,          "virt-insn",    exit_undefined_insn,   false) /* a VMX or SVM instruction */ \
	X(EXIT_INVD,               "invd",         exit_invd,             true)	\
	X(EXIT_EXTERNAL_INTERRUPT, "ext-intr",     exit_host_interrupt,   false)	\
	X(EXIT_NMI,                "nmi",          exit_nothing,          false)	\
	X(EXIT_PREEMPT,            "preempt",      exit_nothing,          false) /* Umbra's own timer */ \
	X(EXIT_INTERRUPT_WINDOW,   "intr-window",  exit_interrupt_window, false) /* requested by Umbra */ \
	X(EXIT_ENTRY_FAILED,       "entry-failed", exit_entry_failed,     false) /* the hardware refused the guest state */ \
	X(EXIT_UNKNOWN,            "unknown",      exit_unknown,          false) /* stops the guest with a report */ \
	X(EXIT_DEBUG,              "debug",        exit_debug,            false) /* #DB, reflected */ \
	X(EXIT_ALIGNMENT_CHECK,    "alignment",    exit_alignment_check,  false) /* #AC, reflected */ \
	X(EXIT_MONITOR_MWAIT,      "monitor-mwait", exit_undefined_insn,  false) /* hidden by CPUID: #UD */ \
	X(EXIT_RDPMC,              "rdpmc",        exit_rdpmc,            true)  /* the counters CPUID shows */ \
	X(EXIT_TASK_SWITCH,        "task-switch",  exit_task_switch,      false) /* stops the guest */ \
	X(EXIT_TDP_FAULT,          "tdp-fault",    exit_tdp_fault,        false) /* EPT, NPT */ \
	X(EXIT_TDP_MISCONFIG,      "tdp-misconfig", exit_tdp_misconfig,   false) /* stops */

#endif
