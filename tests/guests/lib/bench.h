/*
 * The phase protocol of the small benchmark guests (tests/guests/bench_*.c, the contract of
 * `make bench`): a mark byte to Umbra's counter port and a line "bench: phase K NAME at tsc=N"
 * at the start of each phase, "bench: done NAME size=N" at the end, "bench: FAIL: ..." and
 * GUEST_EXIT_FAIL when the workload went wrong. Nothing here reads Umbra's counters: the
 * guests run unchanged without Umbra, where the mark writes go nowhere.
 */
#ifndef GUEST_BENCH_H
#define GUEST_BENCH_H

#include <stdint.h>

/* Phases every bench guest goes through, in order. */
#define BENCH_PHASE_SETUP	1
#define BENCH_PHASE_WORK	2
#define BENCH_PHASE_END		3

/* The benchmark's name, for the done line, and COM1 set up: first thing. The command line
 * and the memory map are read (bench_size, bench_ram_end) before anything writes memory, as
 * the loader may have put them anywhere. */
void bench_init(const char *name);

/* The command line's size=N: dflt without one; a value that is not a decimal number, 0, or
 * above max (in unit; why says what bounds it) ends the guest with a "bench: FAIL: size=..."
 * line. */
uint32_t bench_size(uint32_t dflt, uint32_t max, const char *unit, const char *why);

/* The end of the available RAM range that holds the byte at pa, from the multiboot memory map
 * (or mem_upper without one), at most 4 GiB - 4 KiB; 0 when pa is in no available range. */
uint32_t bench_ram_end(uint32_t pa);

/* How many whole units of unit bytes of available RAM start at pa (bench_ram_end): the bound
 * of a size=N that places N units there. */
uint32_t bench_ram_units(uint32_t pa, uint32_t unit);

/* pg_init(), then the check every bench guest needs: they all run PAE paging. */
void bench_paging_init(void);

/* Starts phase k: the mark byte k, then the phase line with the TSC. */
void bench_phase(unsigned int k, const char *phase);

/* "bench: FAIL: MESSAGE" and GUEST_EXIT_FAIL. */
__attribute__((noreturn, format(printf, 1, 2))) void bench_fail(const char *fmt, ...);

/* Phase 3 (end), "bench: done NAME size=N", GUEST_EXIT_PASS. */
__attribute__((noreturn)) void bench_done(uint32_t size);

#endif
