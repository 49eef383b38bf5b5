/* XSETBV's checks, in the order of SDM Vol. 2C "XSETBV" (Operation and exception lists). */
#include "guest/exits/xcr0_policy.h"

/* A group of components is valid whole or absent. */
static bool all_or_none(uint64_t value, uint64_t group)
{
	return (value & group) == 0 || (value & group) == group;
}

/*
 * SDM Vol. 1 13.3 and Vol. 2C XSETBV: x87 can never be disabled; AVX needs SSE; the MPX pair
 * and the AMX pair are taken whole; the three AVX-512 components are taken whole, and only
 * with both SSE and AVX. A bit that is not supported (CPUID.(EAX=0DH,ECX=0):EDX:EAX) is
 * reserved, which covers bit 63 and the IA32_XSS-only components too.
 */
bool xcr0_valid(uint64_t value, uint64_t supported)
{
	if (value & ~supported)
		return false;
	if (!(value & XCR0_X87))
		return false;
	if ((value & XCR0_AVX) && !(value & XCR0_SSE))
		return false;
	if (!all_or_none(value, XCR0_MPX) || !all_or_none(value, XCR0_AMX) ||
	    !all_or_none(value, XCR0_AVX512))
		return false;
	if ((value & XCR0_AVX512) && (value & (XCR0_SSE | XCR0_AVX)) != (XCR0_SSE | XCR0_AVX))
		return false;
	return true;
}

/* #UD comes before #GP: it is the instruction that does not exist without XSAVE enabled. */
enum xsetbv_verdict xsetbv_check(const struct xsetbv_request *r)
{
	if (!r->xsave || !r->osxsave)
		return XSETBV_UD;
	if (r->cpl != 0)
		return XSETBV_GP;
	if (r->xcr != XCR_XFEATURE_ENABLED_MASK)
		return XSETBV_GP;
	if (!xcr0_valid(r->value, r->supported))
		return XSETBV_GP;
	return XSETBV_LOAD;
}
