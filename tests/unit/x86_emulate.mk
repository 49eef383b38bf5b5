UNIT_TESTS += x86_emulate
UNIT_SRCS_x86_emulate := guest/x86/x86_emulate.c guest/x86/x86_decode.c tests/unit/x86_native.c
