/* Is AMD SVM usable on this CPU? Pure decision over struct cpu_info. */
#ifndef UMBRA_SVM_PROBE_H
#define UMBRA_SVM_PROBE_H

#include "arch/cpu_info.h"
#include "arch/virt_probe.h"

/* AMD APM Vol. 2 15.4 "Enabling SVM". */
void svm_probe(const struct cpu_info *ci, struct virt_probe *out);

#endif
