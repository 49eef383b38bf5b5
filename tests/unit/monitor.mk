UNIT_TESTS += monitor
UNIT_SRCS_monitor := lib/monitor.c lib/console_mux.c lib/format.c
