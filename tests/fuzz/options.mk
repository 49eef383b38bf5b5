FUZZ_TARGETS += options
FUZZ_SRCS_options := lib/options.c lib/format.c
