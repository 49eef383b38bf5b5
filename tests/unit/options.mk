UNIT_TESTS += options
UNIT_SRCS_options := lib/options.c lib/format.c
