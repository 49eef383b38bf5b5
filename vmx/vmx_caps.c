/* VMX control values from capability MSRs. */
#include "vmx/vmx_caps.h"

bool vmx_control_value(uint64_t cap, uint32_t required, uint32_t optional, uint32_t *out,
		       uint32_t *missing)
{
	uint32_t must_be_1 = (uint32_t)cap, may_be_1 = (uint32_t)(cap >> 32);

	*missing = required & ~may_be_1;
	*out = ((required | optional) & may_be_1) | must_be_1;
	return *missing == 0;
}
