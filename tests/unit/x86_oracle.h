/*
 * The x86 decoder's differential oracle, shared by tests/unit/test_x86_decode.c and the fuzz
 * target tests/fuzz/fuzz_x86_decode.c: Zydis 4.0 (Debian's libzydis-dev), an independent
 * decoder, and the documented classes where the two disagree on purpose.
 */
#ifndef UMBRA_TESTS_UNIT_X86_ORACLE_H
#define UMBRA_TESTS_UNIT_X86_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <Zydis/Zydis.h>

#include "guest/x86/x86_decode.h"

/*
 * The oracle: Zydis 4.0 (Debian's libzydis-dev), an independent decoder.
 * Configuration: Intel branch semantics (its default, as ours), MPX mode
 * off, so that 0F 1A/1B are the hint NOPs they are on processors without
 * MPX, which is every current one (lengths are the same either way).
 *
 * For every encoding both decoders see, the outcome is one of:
 *  - both valid: lengths, ModRM/SIB bytes, displacement and immediates,
 *    opcode, map and address size must agree;
 *  - both invalid (or both out of bytes);
 *  - an excluded class, where the two decoders' notions of validity differ
 *    for a documented reason (below); each is counted and reported;
 *  - anything else is a failure.
 */
enum excl {
	/* We accept, Zydis rejects. */
	EX_VEX_DEFINEDNESS,	/* VEX/EVEX/XOP: we do not check opcode, vvvv, L, W, mask or EVEX.b
				 * constraints; the length follows from the map alone */
	EX_0F38_3A_PREFIX,	/* legacy 0F38/0F3A: which SIMD prefix a defined opcode takes is not checked */
	EX_SSE_PREFIX,		/* 0F-map SSE/MMX opcodes: which of none/66/F2/F3 and which mod exist
				 * is not checked (SDM tables A-3 cells split by prefix) */
	EX_0F01_PREFIX,		/* 0F 01 register forms with 66/F2/F3: we decode by ModRM alone,
				 * Zydis takes the prefix as selecting another (mostly empty) row */
	EX_GETSEC_PREFIX,	/* 0F 37 with 66/F2/F3: Zydis rejects, the SDM does not say #UD */
	EX_LOCK_CR8,		/* LOCK MOV CR0, AMD's CR8 alias (APM Vol. 3 "MOV CRn"): Zydis rejects */
	EX_WRMSRNS,		/* 0F 01 C6 WRMSRNS postdates Zydis 4.0 */
	/* Zydis accepts, we reject. */
	EX_KNC,			/* Knights Corner only: VEX map 0 and MVEX (62 with P1 bit 2 clear);
				 * the SDM makes both #UD */
	EX_3DNOW,		/* 0F 0F: 3DNow! is deliberately not supported */
	/* Both accept, lengths differ (or Zydis runs out of bytes where ours ends). */
	EX_KNC_BRANCH,		/* VEX 0F 84/85: KNC's JKZD/JKNZD rel32; a modern CPU takes a ModRM */
	/* Both accept, same length, Zydis's memory operand is wrong. */
	EX_ZYDIS_SIB_BASE,	/* 67h + REX.B + SIB base 101b + mod 00 in 64-bit mode: Zydis 4.0
				 * shows base r13d and no displacement though it counts the disp32;
				 * SDM Vol. 2A table 2-5: no base, REX.B is ignored */
	EX_COUNT,
};


extern const char *const excl_names[EX_COUNT];

/* What one comparison found. */
enum oracle_outcome {
	ORACLE_BOTH_OK,		/* both valid and identical in every compared field */
	ORACLE_BOTH_BAD,	/* both invalid, or both out of bytes */
	ORACLE_EXCLUDED,	/* a documented class: ex says which */
	ORACLE_MISMATCH,	/* a disagreement no class explains: why says what differs */
};

struct oracle_verdict {
	enum oracle_outcome outcome;
	enum excl ex;			/* ORACLE_EXCLUDED */
	const char *why;		/* ORACLE_MISMATCH */
	ZyanStatus zs;			/* Zydis's status and instruction */
	ZydisDecodedInstruction zi;
};

/* Sets up Zydis for the three modes; false when Zydis refuses. */
bool oracle_init(void);

/*
 * Compares our decode of b[0..n) in mode (status st and, when X86_OK, *in) with Zydis's.
 * Truncations are not checked here: the caller decodes the prefixes from exact buffers.
 */
void oracle_judge(const uint8_t *b, size_t n, int mode, enum x86_decode_status st,
		  const struct x86_insn *in, struct oracle_verdict *v);

#endif
