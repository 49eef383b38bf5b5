FUZZ_TARGETS += walk
FUZZ_SRCS_walk := mm/walk.c
