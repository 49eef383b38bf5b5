/* VMX instructions, with VMCS accessors that refuse at build time a field of the wrong width. */
#ifndef UMBRA_VMX_OPS_H
#define UMBRA_VMX_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/vmcs.h"

/* VMX instructions report failure in RFLAGS: CF = VMfailInvalid, ZF = VMfailValid (SDM Vol. 3C
 * 31.2). These return true on success. */
static inline bool vmx_on(uint64_t pa)
{
	bool fail;

	__asm__ volatile("vmxon %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmx_clear(uint64_t pa)
{
	bool fail;

	__asm__ volatile("vmclear %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmx_ptrld(uint64_t pa)
{
	bool fail;

	__asm__ volatile("vmptrld %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline uint64_t vmx_read_raw(uint64_t field)
{
	uint64_t value;

	__asm__ volatile("vmread %1, %0" : "=rm"(value) : "r"(field) : "cc");
	return value;
}

static inline bool vmx_write_raw(uint64_t field, uint64_t value)
{
	bool fail;

	__asm__ volatile("vmwrite %1, %2; setna %0" : "=qm"(fail) : "rm"(value), "r"(field) : "cc");
	return !fail;
}

#define VMCS_CHECK_WIDTH(field, width) \
	_Static_assert(VMCS_FIELD_WIDTH(field) == (width), #field " has another width")

#define vmcs_read16(f)  ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_16); (uint16_t)vmx_read_raw(f); })
#define vmcs_read32(f)  ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_32); (uint32_t)vmx_read_raw(f); })
#define vmcs_read64(f)  ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_64); (uint64_t)vmx_read_raw(f); })
#define vmcs_readnat(f) ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_NATURAL); (uint64_t)vmx_read_raw(f); })

#define vmcs_write16(f, v)  ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_16); vmx_write_raw(f, (uint16_t)(v)); })
#define vmcs_write32(f, v)  ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_32); vmx_write_raw(f, (uint32_t)(v)); })
#define vmcs_write64(f, v)  ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_64); vmx_write_raw(f, (uint64_t)(v)); })
#define vmcs_writenat(f, v) ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_NATURAL); vmx_write_raw(f, (uint64_t)(v)); })

/* INVEPT types (SDM Vol. 3C 31.3 "INVEPT"). */
#define INVEPT_SINGLE_CONTEXT	1	/* the mappings of one EPTP */
#define INVEPT_ALL_CONTEXTS	2

static inline bool vmx_invept(unsigned type, uint64_t eptp)
{
	struct {
		uint64_t eptp, reserved;
	} desc = { eptp, 0 };
	bool fail;

	__asm__ volatile("invept %1, %2; setna %0" : "=qm"(fail) : "m"(desc), "r"((uint64_t)type)
			 : "cc", "memory");
	return !fail;
}

/* INVVPID types (SDM Vol. 3C 31.3 "INVVPID"). */
#define INVVPID_SINGLE_CONTEXT	1
#define INVVPID_ALL_CONTEXTS	2

static inline bool vmx_invvpid(unsigned type, uint16_t vpid)
{
	struct {
		uint64_t vpid, linear;
	} desc = { vpid, 0 };
	bool fail;

	__asm__ volatile("invvpid %1, %2; setna %0" : "=qm"(fail) : "m"(desc), "r"((uint64_t)type)
			 : "cc", "memory");
	return !fail;
}

#endif
