/* Nested page faults on SVM: EXITINFO1/2 into the neutral exit record. Pure, host-tested. */
#ifndef UMBRA_SVM_SVM_NPF_H
#define UMBRA_SVM_SVM_NPF_H

#include <stdint.h>

#include "guest/vm_exit.h"

/* An NPF (exit code 400h, APM 15.25.6): EXITINFO1 is the error code of the nested walk,
 * EXITINFO2 the guest-physical address. A reserved bit in a nested entry is Umbra's bug and
 * becomes EXIT_TDP_MISCONFIG; anything else EXIT_TDP_FAULT. */
void svm_decode_npf(uint64_t info1, uint64_t info2, struct vm_exit *exit);

#endif
