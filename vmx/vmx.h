/* The Intel VMX backend. */
#ifndef UMBRA_VMX_VMX_H
#define UMBRA_VMX_VMX_H

#include "guest/vcpu.h"

extern const struct vcpu_ops vmx_ops;

#endif
