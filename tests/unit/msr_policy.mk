UNIT_TESTS += msr_policy
UNIT_SRCS_msr_policy := guest/exits/msr_policy.c guest/devices/lapic.c guest/devices/lapic_regs.c
