UNIT_TESTS += ps2_keymap
UNIT_SRCS_ps2_keymap := arch/ps2_keymap.c
