UNIT_TESTS += vcpu_policy
UNIT_SRCS_vcpu_policy := vmx/vmx_caps.c guest/cpuid_policy.c guest/uart.c mm/guest_mem.c mm/pmm.c
