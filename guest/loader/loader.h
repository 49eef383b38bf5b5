/* Loading the guest kernel given as a GRUB module into a new guest. */
#ifndef UMBRA_GUEST_GUEST_LOAD_H
#define UMBRA_GUEST_GUEST_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "mm/tdp.h"

struct cpu_info;
struct guest;
struct pmm;
struct vcpu_ops;

/* A module as the boot loader placed it in host memory: [start, end) physical, its string. */
struct guest_module {
	uint64_t start, end;
	const char *string;
};

struct guest_load_params {
	const struct guest_module *modules;	/* every boot module, in the loader's order */
	unsigned module_count;
	unsigned module_index;		/* the module whose string starts with "guest" */
	struct pmm *pmm;
	const struct cpu_info *cpu;
	const struct vcpu_ops *ops;
	uint64_t ram_size;
	const struct tdp_caps *tdp;	/* mmu=tdp: what ops->tdp_probe() found; NULL: shadow */
	uint64_t shadow_mem;		/* shadow_mem=: the shadow MMU's pool in bytes; 0: default */
};

/* Returns the index of the first module whose string's first word is "guest", or -1. */
int guest_find_module(const struct guest_module *modules, unsigned count);
/* Creates the guest from the module: RAM, image, modules after it, boot information, vCPU in
 * the multiboot entry state. Returns 0, or -1 with a one-line reason in err. */
int guest_load(struct guest *g, const struct guest_load_params *lp, char *err, size_t errlen);
/* Starts guest g, loaded before with the same lp, again from its image (the monitor's reset):
 * it keeps the guest RAM, the shadow MMU's pools and the backend's vCPU structures the first
 * load allocated, so a reset costs no host memory. Returns 0, or -1 with a reason in err. */
int guest_restart(struct guest *g, const struct guest_load_params *lp, char *err, size_t errlen);

#endif
