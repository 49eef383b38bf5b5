/* VMX capability arithmetic: control values from the capability MSRs, pure and host-tested. */
#ifndef UMBRA_VMX_CAPS_H
#define UMBRA_VMX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * SDM Vol. 3C A.3-A.5: in a control capability MSR, bits 31:0 are the allowed 0-settings (a 1
 * there means the control must be 1) and bits 63:32 the allowed 1-settings (a 0 there means it
 * must be 0). Returns the control value with every required bit, the optional bits the CPU
 * allows, and the bits it forces; false when a required bit is not allowed, with those bits in
 * *missing.
 */
bool vmx_control_value(uint64_t cap, uint32_t required, uint32_t optional, uint32_t *out,
		       uint32_t *missing);

/* SDM Vol. 3C A.7, A.8: a CR0/CR4 value adjusted to the FIXED0 (must be 1) and FIXED1 (may be 1)
 * MSRs. */
static inline uint64_t vmx_cr_fixed(uint64_t value, uint64_t fixed0, uint64_t fixed1)
{
	return (value | fixed0) & fixed1;
}

#endif
