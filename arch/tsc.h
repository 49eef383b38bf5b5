/* The host's time stamp counter: its frequency, measured once at boot, and conversions between
 * TSC ticks and nanoseconds at that rate. */
#ifndef UMBRA_ARCH_TSC_H
#define UMBRA_ARCH_TSC_H

#include <stdint.h>

#include "arch/x86_insn.h"

struct cpu_info;

/* Learns the TSC's frequency (CPUID leaf 15h on bare metal when it names the crystal, else
 * against PIT channel 2, else CPUID leaf 16h), prints it and how it was found; returns Hz. */
uint64_t tsc_calibrate(const struct cpu_info *ci);
/* The frequency tsc_calibrate() found (Hz). */
uint64_t tsc_hz(void);
uint64_t tsc_to_ns(uint64_t ticks);
uint64_t tsc_from_ns(uint64_t ns);

#endif
