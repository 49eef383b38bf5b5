UNIT_TESTS += vcpu_policy
UNIT_SRCS_vcpu_policy := vmx/vmx_caps.c guest/exits/cpuid_policy.c guest/exits/xcr0_policy.c guest/devices/vuart.c guest/devices/bus.c mm/guest_mem.c mm/pmm.c
