/* Guest memory through the guest's own eyes: linear addresses translated as the guest would. */
#ifndef UMBRA_GUEST_GVA_H
#define UMBRA_GUEST_GVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest;

enum gva_status {
	GVA_OK,
	GVA_PAGE_FAULT,		/* the guest's translation faults: *pfec holds the error code */
	GVA_NOT_RAM,		/* the translation leads outside guest RAM */
	GVA_UNSUPPORTED,	/* a paging mode Umbra cannot walk yet */
};

/* Copies len bytes at guest-linear address linear; access is PFEC_W/PFEC_U/PFEC_I bits. */
enum gva_status guest_read_linear(struct guest *g, uint64_t linear, void *dst, size_t len,
				  uint32_t access, uint32_t *pfec);
enum gva_status guest_write_linear(struct guest *g, uint64_t linear, const void *src, size_t len,
				   uint32_t access, uint32_t *pfec);

#endif
