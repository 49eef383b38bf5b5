UNIT_TESTS += pmm
UNIT_SRCS_pmm := mm/pmm.c
