UNIT_TESTS += emu_mem
UNIT_SRCS_emu_mem := guest/emu_mem.c
