UNIT_TESTS += walk
UNIT_SRCS_walk := mm/walk.c tests/unit/walk_ref.c
