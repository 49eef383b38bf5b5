/* Nested-page-fault decoding (svm/svm_npf.h). */
#include "svm/svm_npf.h"
#include "svm/vmcb.h"
#include "mm/tdp.h"

void svm_decode_npf(uint64_t info1, uint64_t info2, struct vm_exit *exit)
{
	exit->tdp.gpa = info2;
	if (info1 & SVM_NPF_RSVD) {
		exit->kind = EXIT_TDP_MISCONFIG;
		return;
	}
	exit->kind = EXIT_TDP_FAULT;
	exit->tdp.access = (info1 & SVM_NPF_WRITE) ? TDP_WRITE : (info1 & SVM_NPF_FETCH) ?
							       TDP_FETCH : TDP_READ;
	exit->tdp.present = info1 & SVM_NPF_P;
	/* A present nested entry refused the access: it allowed reads and fetches (Umbra never
	 * sets NX in a nested entry), so what it lacked was the write. */
	exit->tdp.allowed = exit->tdp.present ? TDP_READ | TDP_FETCH : 0;
	/* The guest-linear address is not reported (APM 15.25.6). */
	exit->tdp.linear_valid = false;
	exit->tdp.walk = (info1 & SVM_NPF_WALK) != 0;
}
