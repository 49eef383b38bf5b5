/* Umbra's own command line (the arguments after umbra.elf on GRUB's multiboot2 line). */
#ifndef UMBRA_LIB_OPTIONS_H
#define UMBRA_LIB_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum backend_choice {
	BACKEND_AUTO,	/* VMX if usable, else SVM */
	BACKEND_VMX,
	BACKEND_SVM,
};

enum crash_kind {
	CRASH_NONE,
	CRASH_UD,	/* execute UD2: checks the host exception report */
	CRASH_PF,	/* read an unmapped address: checks #PF reporting with CR2 */
	CRASH_PANIC,	/* call panic(): checks the panic path */
};

enum mmu_mode {
	MMU_MODE_SHADOW,	/* Umbra's shadow page tables (the default) */
	MMU_MODE_TDP,		/* the processor's two-dimensional paging: EPT or NPT */
};

struct umbra_options {
	enum backend_choice backend;
	int loglevel;			/* enum log_level */
	bool debug_exit;		/* end QEMU/Bochs through their exit ports on stop */
	uint16_t serial_base;		/* host console UART, 0 for none */
	uint32_t baud;
	enum crash_kind crash;
	uint64_t guest_mem;		/* bytes of guest RAM */
	bool audit_at_exit;		/* audit the shadow MMU when the guest stops */
	enum mmu_mode mmu;
	uint64_t shadow_mem;		/* bytes for the shadow MMU's pool; 0: sized from host
					 * memory (mm/shadow_pool.h) */
};

#define OPTIONS_ERR_MAX 1024

/* Umbra's defaults: backend=auto loglevel=info debug_exit=off serial=com1 baud=115200
 * guest_mem=64M mmu=shadow, shadow_mem from host memory. */
void options_set_defaults(struct umbra_options *o);
/* Parses whitespace-separated key=value words into o, keeping defaults for bad ones. Each unknown
 * option or bad value appends one line to errs (at most errlen bytes, always terminated).
 * Returns the number of problems found. */
unsigned options_parse(const char *cmdline, struct umbra_options *o, char *errs, size_t errlen);
/* One line per option, for `help` texts: "name=values  description". */
const char *options_help(unsigned index);

#endif
