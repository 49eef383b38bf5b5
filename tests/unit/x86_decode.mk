UNIT_TESTS += x86_decode
UNIT_SRCS_x86_decode := guest/x86/x86_decode.c tests/unit/x86_oracle.c
UNIT_LIBS_x86_decode := -lZydis
