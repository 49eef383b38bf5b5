/* x86 instruction decoder: the length of any instruction, operands of the emulated subset. */
#ifndef UMBRA_GUEST_X86_DECODE_H
#define UMBRA_GUEST_X86_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/insn_len.h"

/*
 * The decoder follows the instruction format of Intel SDM Vol. 2A chapter 2
 * and the opcode maps of its appendix A (AMD APM Vol. 3 chapter 1 and
 * appendix A for the AMD-only parts: XOP, SSE4a, SVM, LOCK MOV CR0). It is
 * pure: no state besides its arguments, so it may run on any CPU at any time.
 *
 * Every field of struct x86_insn is filled for every instruction; prefixes,
 * ModRM, SIB, displacement and immediates are the instruction's own, so the
 * emulated subset (MOV, XCHG, CMPXCHG, CMPXCHG8B/16B, the LOCKed ALU ops,
 * BTS/BTR/BTC, string ops, port I/O, MOV CR...) needs no further parsing.
 *
 * What it checks, returning X86_INVALID:
 *  - opcodes left undefined in the one-byte, 0F, 0F38 and 0F3A maps, and
 *    the undefined ModRM values of their groups and x87 escapes;
 *  - opcodes invalid in 64-bit mode (06, 07, 0E, 16, 17, 1E, 1F, 27, 2F,
 *    37, 3F, 60, 61, 62 as BOUND, 82, 9A, C4/C5 as LES/LDS, CE, D4-D6, EA);
 *  - memory-only forms given a register (LEA, LES..LGS, BOUND, far
 *    CALL/JMP through memory, CMPXCHG8B, MOVNTI...) and register-only
 *    forms given memory (groups 12-14, PEXTRW, SSE4a...);
 *  - LOCK (F0) anywhere but on the memory forms of ADD, OR, ADC, SBB, AND,
 *    SUB, XOR, XCHG, INC, DEC, NOT, NEG, BTS, BTR, BTC, XADD, CMPXCHG and
 *    CMPXCHG8B/16B (SDM Vol. 2A "LOCK"), except LOCK MOV to/from CR0,
 *    AMD's alternative encoding of CR8, which decodes with reg = 8;
 *  - MOV to CS and nonexistent segment, control and debug registers;
 *  - 66, F2, F3, F0 or REX before VEX, EVEX or XOP (SDM Vol. 2A 2.3.2-2.3.4),
 *    reserved VEX/EVEX/XOP map numbers and reserved EVEX payload bits;
 *  - 3DNow! (0F 0F), which this decoder does not support.
 * What it does not check: which SIMD prefixes (none/66/F3/F2) an SSE or
 * 0F38/0F3A opcode accepts, the definedness of VEX, EVEX and XOP opcodes,
 * VEX.L/W, vvvv and EVEX masking restrictions, and CPUID feature bits. Such
 * encodings get the length their map's format gives them, which is the
 * length a CPU that defines them uses.
 *
 * Choices where CPUs differ:
 *  - near branches in 64-bit mode ignore 66h as on Intel: E8/E9/0F 8x
 *    always take rel32 there, where AMD CPUs honour 66h and take rel16;
 *  - when both F2 and F3 are present the last one counts (rep/repne);
 *  - in 64-bit mode the ES, CS, SS and DS overrides are ignored
 *    (SDM Vol. 2A 2.1.1, APM Vol. 3 1.2.4), so only the last FS/GS counts;
 *  - undocumented instructions processors execute are accepted: SALC (D6)
 *    outside 64-bit mode and the x87 register-form aliases (FSTP1, FXCH4...);
 *    so are VIA PadLock's 0F A6/A7 forms.
 */

enum x86_mode {
	X86_MODE_16,	/* CS.D = 0 in protected mode, real and virtual-8086 mode */
	X86_MODE_32,	/* CS.D = 1 */
	X86_MODE_64,	/* EFER.LMA = 1 and CS.L = 1 */
};

#define X86_REG_NONE 0xff	/* no base or no index register */

/* Opcode maps; the VEX/EVEX/XOP map-select values are used as they are. */
enum x86_map {
	X86_MAP_PRIMARY = 0,	/* one-byte opcodes */
	X86_MAP_0F = 1,
	X86_MAP_0F38 = 2,
	X86_MAP_0F3A = 3,
	X86_MAP_EVEX5 = 5,	/* EVEX only (AVX512-FP16) */
	X86_MAP_EVEX6 = 6,
	X86_MAP_XOP8 = 8,	/* XOP only (AMD) */
	X86_MAP_XOP9 = 9,
	X86_MAP_XOPA = 10,
};

enum x86_encoding { X86_ENC_LEGACY, X86_ENC_VEX, X86_ENC_EVEX, X86_ENC_XOP };

enum x86_segment {
	X86_SEG_NONE = -1,
	X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS,
};

struct x86_insn {
	uint8_t len;		/* total length in bytes, prefixes included */
	uint8_t opcode_map;	/* enum x86_map */
	uint8_t opcode;		/* the opcode byte within its map */
	uint8_t encoding;	/* enum x86_encoding */
	bool vex;		/* VEX, EVEX or XOP encoded */
	uint8_t vex_payload[3];	/* raw bytes after C5 (1), C4/8F (2) or 62 (3) */

	/*
	 * ModRM: reg and rm include REX.R and REX.B (or the VEX/EVEX/XOP R and
	 * B bits; EVEX R' and X for registers 16-31 are not folded in). For
	 * MOV to/from CR/DR the processor ignores mod, so mod reads as 3 here.
	 */
	bool has_modrm;
	uint8_t modrm, mod, reg, rm;

	/*
	 * Memory operand, normalised over 16-, 32- and 64-bit addressing:
	 * base and index are GPR numbers (0 = rAX .. 15 = r15) or X86_REG_NONE,
	 * scale is the index factor 1, 2, 4 or 8. 16-bit forms map to BX/BP
	 * plus SI/DI, a lone register being the base; SIB index 100b without
	 * REX.X and SIB base 101b with mod 00 give X86_REG_NONE. Both are
	 * X86_REG_NONE without a memory operand (test has_modrm && mod != 3).
	 * The moffs of A0-A3 is stored as disp (disp_size = address size).
	 * Not described: string instructions' implicit rSI/rDI operands, and
	 * the VSIB vector index of gathers/scatters (read as a GPR index here).
	 */
	bool has_sib;
	uint8_t sib, scale, index, base;
	int64_t disp;		/* sign-extended from disp_size */
	uint8_t disp_size;	/* 0, 1, 2, 4, or 8 (moffs in 64-bit mode) */
	bool rip_relative;	/* mod 00 rm 101 in 64-bit mode: base is the next RIP */

	/*
	 * Immediates, raw values zero-extended from their sizes (see x86_sext).
	 * imm2 holds the second immediate: ENTER's Ib, the selector of a far
	 * pointer (imm is then the offset) and SSE4a EXTRQ/INSERTQ's index.
	 * Relative branch targets are immediates too.
	 */
	uint64_t imm;
	uint8_t imm_size;
	uint64_t imm2;
	uint8_t imm2_size;

	/*
	 * operand_size: the effective operand size in bytes (2, 4 or 8) after
	 * 66h, REX.W/VEX.W and the 64-bit defaults (SDM Vol. 2A 2.2.1.7), or 1
	 * for the byte forms (opcodes with Eb/AL/Ib-only operands such as 88,
	 * C6, 86, 80, 0F B0, AA, A4, E4, SETcc). Port I/O ignores REX.W, so IN,
	 * OUT, INS and OUTS stay at 4 or less. 0F C7 /1 with operand_size 8 is
	 * CMPXCHG16B. VEX/EVEX/XOP: 8 with W in 64-bit mode, else 4. Byte
	 * registers 4-7 are AH-BH without a REX prefix, SPL-DIL with one.
	 * address_size is 2, 4 or 8 after 67h.
	 */
	uint8_t operand_size;
	uint8_t address_size;

	uint8_t rex;		/* the REX byte in effect (40-4F), 0 if none */
	bool lock;		/* F0 */
	bool rep, repne;	/* F3, F2: at most one is set, the later prefix */
	bool opsize_prefix;	/* 66 present, even when REX.W or a default overrides it */
	bool addrsize_prefix;	/* 67 present */
	uint8_t pp;		/* SIMD prefix as VEX.pp: 0 none, 1 66, 2 F3, 3 F2 */
	int8_t segment;		/* enum x86_segment: the override in effect */
};

enum x86_decode_status {
	X86_OK,
	X86_TRUNCATED,	/* the instruction continues past avail bytes */
	X86_TOO_LONG,	/* it would need more than X86_MAX_INSN_LEN bytes */
	X86_INVALID,	/* raises #UD in this mode; see the list above */
};

/*
 * Decodes the instruction at bytes[0..avail) for a CPU in mode; reads no
 * byte at or past avail, nor past the 15th (bytes may be NULL if avail is
 * 0). On X86_OK *out describes it; on any other status *out is unspecified.
 * Truncating a valid instruction anywhere gives X86_TRUNCATED; X86_TOO_LONG
 * wins over X86_INVALID when the 15-byte limit is reached first.
 */
enum x86_decode_status x86_decode(const uint8_t *bytes, size_t avail, enum x86_mode mode,
				  struct x86_insn *out);

/*
 * The offset part of in's memory operand: base + index * scale + disp, or
 * rip_next + disp when RIP-relative, truncated to the address size. gpr is
 * indexed by register number (rAX = 0 .. r15 = 15); no segment base is added.
 */
uint64_t x86_effective_address(const struct x86_insn *in, const uint64_t gpr[16],
			       uint64_t rip_next);

/* Sign-extends the low size bytes (1, 2, 4 or 8) of value to 64 bits. */
static inline uint64_t x86_sext(uint64_t value, unsigned int size)
{
	unsigned int shift = 64 - 8 * size;

	if (size == 0 || size >= 8)
		return value;
	return (uint64_t)((int64_t)(value << shift) >> shift);
}

#endif
