FUZZ_TARGETS += x86_decode
FUZZ_SRCS_x86_decode := guest/x86/x86_decode.c tests/unit/x86_oracle.c
FUZZ_LIBS_x86_decode := -lZydis
