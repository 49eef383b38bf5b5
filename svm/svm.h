/* The AMD SVM backend. */
#ifndef UMBRA_SVM_SVM_H
#define UMBRA_SVM_SVM_H

#include "guest/vcpu.h"

extern const struct vcpu_ops svm_ops;

#endif
