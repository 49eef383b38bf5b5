FUZZ_TARGETS += x86_emulate
FUZZ_SRCS_x86_emulate := guest/x86/x86_emulate.c guest/x86/x86_decode.c tests/unit/x86_native.c
FUZZ_LIBS_x86_emulate := -lZydis
