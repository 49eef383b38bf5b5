/* Is Intel VMX usable on this CPU? Pure decision over struct cpu_info. */
#ifndef UMBRA_VMX_PROBE_H
#define UMBRA_VMX_PROBE_H

#include "arch/cpu_info.h"
#include "arch/virt_probe.h"

/* SDM Vol. 3C 24.6 "Discovering support for VMX" and 24.7 "Enabling and entering VMX operation". */
void vmx_probe(const struct cpu_info *ci, struct virt_probe *out);

#endif
