UNIT_TESTS += fbcon
UNIT_SRCS_fbcon := arch/fbcon.c
