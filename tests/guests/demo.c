/* The demo guest `make run` boots: it introduces itself, shows what it sees of the virtual
 * machine, and ends through the debug-exit port. */
#include "guest.h"
#include "x86.h"

#include "lib/string.h"

void guest_main(void)
{
	struct cpuid_regs r = cpuid(0x40000000, 0);
	char sig[13];

	memcpy(sig + 0, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	gprintf("\nHello from the Umbra demo guest.\n");
	gprintf("I run in 32-bit protected mode with paging off (cr0 %#x), on Umbra's shadow tables.\n",
		(unsigned)read_cr0());
	gprintf("CPUID says: hypervisor \"%s\", %u MiB of RAM, command line \"%s\".\n", sig,
		(unsigned)(boot_info->mem_upper / 1024 + 1), (const char *)boot_info->cmdline);
	CHECK(!strcmp(sig, "UmbraUmbraUm"), "running under Umbra");
}
