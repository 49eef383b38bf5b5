/*
 * The host CPU as the x86 emulator's oracle in 64-bit mode, shared by
 * tests/unit/test_x86_emulate.c and the fuzz target tests/fuzz/fuzz_x86_emulate.c: an
 * instruction runs natively between a prologue that loads every GPR but RSP and RFLAGS from a
 * struct hstate and an epilogue that stores them back. The code page lies below 2 GiB
 * (MAP_32BIT, so 32-bit addressing reaches it), with DATA_SIZE bytes of data right after it.
 */
#ifndef UMBRA_TESTS_UNIT_X86_NATIVE_H
#define UMBRA_TESTS_UNIT_X86_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/x86/x86_emulate.h"

/* The registers an instruction runs on natively, in the prologue's layout. */
struct hstate {
	uint64_t gpr[16];	/* rsp (4) is neither loaded nor stored */
	uint64_t rflags;
};

#define DATA_SIZE 8192

/* The pages the instruction runs in, and the host it runs on. */
struct oracle {
	uint8_t *code;		/* RWX page */
	uint8_t *data;		/* DATA_SIZE bytes right after it */
	uint8_t *insn;		/* where the instruction goes */
	uint64_t fs_base, gs_base;
	char vendor_name[13];	/* CPUID leaf 0 of the host */
	enum x86_vendor vendor;	/* the model the host's results are compared with */
};

extern struct oracle oracle;

/* Maps the pages and reads the host's FS/GS bases and vendor; false when that fails or the
 * vendor is neither Intel nor AMD (the emulator models only those). Idempotent. */
bool oracle_init(void);

/* Runs the len bytes at code natively on *s (and on the data pages). */
void oracle_run(const uint8_t *code, size_t len, struct hstate *s);

#endif
