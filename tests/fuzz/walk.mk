FUZZ_TARGETS += walk
FUZZ_SRCS_walk := mm/walk.c tests/unit/walk_ref.c
