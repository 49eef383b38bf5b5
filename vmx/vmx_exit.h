/* Translation of VMX exits into neutral exit records. */
#ifndef UMBRA_VMX_EXIT_H
#define UMBRA_VMX_EXIT_H

#include <stdbool.h>

#include "guest/vcpu.h"

/* Reads the exit information of the current VMCS into exit, and re-queues an event whose
 * delivery the exit interrupted. */
void vmx_decode_exit(struct vcpu *v, struct vm_exit *exit, bool ins_outs_info);

#endif
