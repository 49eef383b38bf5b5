/* EPT capability check, EPT pointer and EPT-violation decoding (vmx/vmx_ept.h). */
#include "vmx/vmx_ept.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"
#include "arch/ept.h"
#include "lib/format.h"
#include "lib/string.h"

#define ALLOWED1(cap, bit)	(((cap) >> 32) & (bit))

bool vmx_ept_check(uint64_t proc2_cap, uint64_t ept_cap, struct vmx_ept *out, char *why,
		   unsigned whylen)
{
	const char *missing = NULL;

	memset(out, 0, sizeof(*out));
	if (!ALLOWED1(proc2_cap, PROC2_ENABLE_EPT))
		missing = "the secondary control \"enable EPT\"";
	else if (!ALLOWED1(proc2_cap, PROC2_UNRESTRICTED_GUEST))
		missing = "the secondary control \"unrestricted guest\"";
	else if (!(ept_cap & EPT_CAP_WALK_4))
		missing = "an EPT page-walk length of 4";
	else if (!(ept_cap & EPT_CAP_MT_WB))
		missing = "write-back EPT paging structures";
	else if (!(ept_cap & EPT_CAP_INVEPT) ||
		 !(ept_cap & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL)))
		missing = "INVEPT";
	if (missing) {
		snprintk(why, whylen, "the CPU lacks EPT: no %s (IA32_VMX_PROCBASED_CTLS2 %llx, "
			 "IA32_VMX_EPT_VPID_CAP %llx)", missing, (unsigned long long)proc2_cap,
			 (unsigned long long)ept_cap);
		return false;
	}
	out->caps.format = TDP_FORMAT_EPT;
	out->caps.large_2m = ept_cap & EPT_CAP_2M;
	out->caps.ad_bits = ept_cap & EPT_CAP_AD;
	/* Single-context flushes only the guest's EPTP (31.3 "INVEPT"); all-context also works. */
	out->invept_type = (ept_cap & EPT_CAP_INVEPT_SINGLE) ? INVEPT_SINGLE_CONTEXT :
							       INVEPT_ALL_CONTEXTS;
	return true;
}

uint64_t vmx_eptp(const struct vmx_ept *e, uint64_t root)
{
	/* Table 25-9: memory type in 2:0, walk length - 1 in 5:3, A/D enable in 6. */
	return (root & EPT_ADDR_MASK) | EPTP_MT_WB | EPTP_WALK_4 |
	       (e->caps.ad_bits ? EPTP_AD_ENABLE : 0);
}

void vmx_decode_ept_violation(uint64_t qual, uint64_t gpa, uint64_t gla, struct vm_exit *exit)
{
	exit->kind = EXIT_TDP_FAULT;
	exit->tdp.gpa = gpa;
	/* With A/D flags on, a guest paging-structure access counts as a write (29.3.3.2) and
	 * may set both the read and the write bit: the write is what Umbra must allow. */
	exit->tdp.access = (qual & EPTQ_WRITE) ? TDP_WRITE : (qual & EPTQ_FETCH) ? TDP_FETCH :
									    TDP_READ;
	exit->tdp.allowed = ((qual & EPTQ_READABLE) ? TDP_READ : 0) |
			    ((qual & EPTQ_WRITABLE) ? TDP_WRITE : 0) |
			    ((qual & EPTQ_EXECUTABLE) ? TDP_FETCH : 0);
	exit->tdp.present = exit->tdp.allowed != 0;
	exit->tdp.linear_valid = qual & EPTQ_LINEAR_VALID;
	exit->tdp.linear = exit->tdp.linear_valid ? gla : 0;
	/* Bit 8 is meaningful only with bit 7 (table 28-7). */
	exit->tdp.walk = exit->tdp.linear_valid && !(qual & EPTQ_FINAL);
}
