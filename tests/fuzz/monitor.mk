FUZZ_TARGETS += monitor
FUZZ_SRCS_monitor := guest/console/monitor.c guest/console/console_mux.c lib/format.c
