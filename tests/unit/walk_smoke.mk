UNIT_TESTS += walk_smoke
UNIT_SRCS_walk_smoke := mm/walk.c
