UNIT_TESTS += tdp
UNIT_SRCS_tdp := mm/tdp.c mm/tdp_format.c mm/guest_mem.c mm/pmm.c mm/hostmap.c lib/format.c \
                 vmx/vmx_ept.c svm/svm_npf.c
