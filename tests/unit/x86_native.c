/* The host CPU as the x86 emulator's oracle (see x86_native.h). */
#include "tests/unit/x86_native.h"

#include <string.h>
#include <asm/prctl.h>
#include <cpuid.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

__asm__(".text\n"
	".globl umbra_oracle_pro, umbra_oracle_pro_end, umbra_oracle_epi, umbra_oracle_epi_end\n"
	"umbra_oracle_pro:\n"
	"	push %rbx\n	push %rbp\n	push %r12\n	push %r13\n	push %r14\n	push %r15\n"
	"	push %rdi\n"
	"	pushq 128(%rdi)\n	popfq\n"
	"	mov 0(%rdi), %rax\n	mov 8(%rdi), %rcx\n	mov 16(%rdi), %rdx\n"
	"	mov 24(%rdi), %rbx\n	mov 40(%rdi), %rbp\n	mov 48(%rdi), %rsi\n"
	"	mov 64(%rdi), %r8\n	mov 72(%rdi), %r9\n	mov 80(%rdi), %r10\n"
	"	mov 88(%rdi), %r11\n	mov 96(%rdi), %r12\n	mov 104(%rdi), %r13\n"
	"	mov 112(%rdi), %r14\n	mov 120(%rdi), %r15\n	mov 56(%rdi), %rdi\n"
	"umbra_oracle_pro_end:\n"
	"umbra_oracle_epi:\n"
	"	push %rdi\n	mov 8(%rsp), %rdi\n"
	"	mov %rax, 0(%rdi)\n	mov %rcx, 8(%rdi)\n	mov %rdx, 16(%rdi)\n"
	"	mov %rbx, 24(%rdi)\n	mov %rbp, 40(%rdi)\n	mov %rsi, 48(%rdi)\n"
	"	mov %r8, 64(%rdi)\n	mov %r9, 72(%rdi)\n	mov %r10, 80(%rdi)\n"
	"	mov %r11, 88(%rdi)\n	mov %r12, 96(%rdi)\n	mov %r13, 104(%rdi)\n"
	"	mov %r14, 112(%rdi)\n	mov %r15, 120(%rdi)\n"
	"	pushfq\n	popq 128(%rdi)\n	popq 56(%rdi)\n	cld\n"
	"	pop %rdi\n	pop %r15\n	pop %r14\n	pop %r13\n	pop %r12\n	pop %rbp\n	pop %rbx\n"
	"	ret\n"
	"umbra_oracle_epi_end:\n");

extern const uint8_t umbra_oracle_pro[], umbra_oracle_pro_end[];
extern const uint8_t umbra_oracle_epi[], umbra_oracle_epi_end[];

struct oracle oracle;

/* The host's vendor from CPUID leaf 0 (EBX, EDX, ECX spell it): the emulator must then give the
 * host's own results. False for a vendor the emulator has no model for. */
static bool oracle_pick_vendor(void)
{
	unsigned int max, ebx, ecx, edx;

	__cpuid(0, max, ebx, ecx, edx);	/* leaf 0 exists on every x86-64 processor */
	(void)max;
	memcpy(oracle.vendor_name + 0, &ebx, 4);
	memcpy(oracle.vendor_name + 4, &edx, 4);
	memcpy(oracle.vendor_name + 8, &ecx, 4);
	oracle.vendor_name[12] = '\0';
	if (strcmp(oracle.vendor_name, "GenuineIntel") == 0)
		oracle.vendor = X86_VENDOR_INTEL;
	else if (strcmp(oracle.vendor_name, "AuthenticAMD") == 0)
		oracle.vendor = X86_VENDOR_AMD;
	else
		return false;
	return true;
}

bool oracle_init(void)
{
	size_t pro = (size_t)(umbra_oracle_pro_end - umbra_oracle_pro);
	void *p;

	if (oracle.code)
		return true;
	p = mmap(NULL, 4096 + DATA_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (p == MAP_FAILED || (uintptr_t)p + 4096 + DATA_SIZE >= 0x80000000u)
		return false;
	oracle.code = p;
	oracle.data = oracle.code + 4096;
	memcpy(oracle.code, umbra_oracle_pro, pro);
	oracle.insn = oracle.code + pro;
	if (syscall(SYS_arch_prctl, ARCH_GET_FS, &oracle.fs_base) ||
	    syscall(SYS_arch_prctl, ARCH_GET_GS, &oracle.gs_base))
		return false;
	return oracle_pick_vendor();
}

/* Runs the instruction natively on *s (and on the data pages). */
void oracle_run(const uint8_t *code, size_t len, struct hstate *s)
{
	size_t epi = (size_t)(umbra_oracle_epi_end - umbra_oracle_epi);

	memcpy(oracle.insn, code, len);
	memcpy(oracle.insn + len, umbra_oracle_epi, epi);
	((void (*)(struct hstate *))(void *)oracle.code)(s);
}
