UNIT_TESTS += probe
UNIT_SRCS_probe := vmx/vmx_probe.c svm/svm_probe.c arch/cpu_info.c lib/format.c
