/* x86 instruction emulator: the guest instructions that write write-protected memory, and the
 * loads and stores a kernel makes to device registers. */
#ifndef UMBRA_GUEST_X86_EMULATE_H
#define UMBRA_GUEST_X86_EMULATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/x86/x86_decode.h"

/*
 * The emulator is pure: it decodes one instruction with x86_decode(),
 * computes its effect on a copy of the guest's registers and reaches
 * memory only through the caller's callbacks, at linear addresses. It is
 * meant for the faults the shadow MMU takes when the guest writes one of
 * its own (write-protected) page tables, so it covers the instructions
 * that write memory in the ways kernels update page tables:
 *
 *  - MOV r/m,reg (88, 89), MOV r/m,imm (C6 /0, C7 /0), MOV moffs,rAX
 *    (A2, A3) and MOVNTI (0F C3);
 *  - XCHG r/m,reg (86, 87), CMPXCHG (0F B0, 0F B1), CMPXCHG8B and
 *    CMPXCHG16B (0F C7 /1);
 *  - ADD, OR, ADC, SBB, AND, SUB, XOR with a memory destination, with or
 *    without LOCK: the r/m,reg forms (00-31 with the low bits 0 or 1) and
 *    group 1 (80, 81, 82 outside 64-bit mode, 83);
 *  - BTS, BTR, BTC on memory with a register bit offset (0F AB, 0F B3,
 *    0F BB: signed "bit base" addressing) or an imm8 (0F BA /5 /6 /7);
 *  - STOS (AA, AB) and MOVS (A4, A5), with or without REP (F2 acts as F3);
 *  - and, for device registers (MMIO, guest/exits/mmio.c), the loads: MOV reg,r/m (8A, 8B),
 *    MOV rAX,moffs (A0, A1), MOVZX (0F B6, B7), MOVSX (0F BE, BF), MOVSXD (63, 64-bit mode).
 * Other register-destination forms, CMP, TEST and everything else are UNSUPPORTED.
 *
 * Architectural details followed: operand size (66h, REX.W), address size
 * (67h: rSI, rDI and rCX are used and updated at 16, 32 or 64 bits, 16-bit
 * updates merging, 32-bit ones zero-extending), segment overrides (in
 * 64-bit mode only FS and GS bases count; ES is fixed for the string
 * destination), default SS for rBP/rSP bases, 16-bit addressing, byte
 * registers AH-BH without REX, RIP-relative operands, the direction flag,
 * and the EFLAGS results of SDM Vol. 1 3.4.3 and appendix A.
 *
 * Where Intel and AMD processors give different results for the same
 * instruction, the emulator follows x86_emu_cpu.vendor, the processor the
 * guest runs on, so an emulated instruction gives what a native one would.
 * The one known case among these instructions is REP STOS/MOVS with a
 * count of 0 and a 32-bit address size (rep_zero_count() in x86_emulate.c).
 * Flags the manuals leave undefined (AF after OR/AND/XOR, OF/SF/AF/PF after
 * BTS/BTR/BTC) have no documented per-vendor value; the emulator gives the
 * values noted at alu() and do_bit() for both vendors.
 *
 * Not modelled: segment limits and access rights (Umbra runs guests whose
 * faulting access the hardware already checked), alignment checks (the
 * callbacks see every access and may raise #AC), and atomicity: a LOCKed
 * or XCHG access is a read then a write, so the caller must keep other
 * vCPUs from writing the same memory meanwhile (one vCPU, or the MMU lock
 * held across the call). CPUID feature bits (CMPXCHG16B) are not checked.
 */

/* A guest exception the instruction raises. */
struct x86_fault {
	uint8_t vector;		/* 13 = #GP, 12 = #SS, 14 = #PF, ... */
	bool has_error_code;
	uint32_t error_code;
	uint64_t cr2;		/* the faulting linear address for #PF */
};

/*
 * Memory at linear addresses. Each callback translates through the guest's
 * page tables (the access may cross a page boundary) and either performs
 * the whole access and returns true, or performs none of it, fills *f and
 * returns false. write() is where the caller tells the shadow MMU which
 * guest-physical bytes changed. len is 1, 2, 4, 8 or 16.
 */
struct x86_emu_ops {
	bool (*read)(void *ctx, uint64_t linear, void *buf, unsigned int len,
		     struct x86_fault *f);
	bool (*write)(void *ctx, uint64_t linear, const void *buf, unsigned int len,
		      struct x86_fault *f);
	void *ctx;
};

/* Whose processor the guest runs on, where the vendors' processors differ. */
enum x86_vendor {
	X86_VENDOR_INTEL,	/* GenuineIntel, and the default of a zeroed struct */
	X86_VENDOR_AMD,		/* AuthenticAMD */
};

/* The guest state the emulated instructions read and write, and the processor they follow. */
struct x86_emu_cpu {
	uint64_t gpr[16];	/* rAX = 0 .. r15 = 15 */
	uint64_t rip;
	uint64_t rflags;
	uint64_t seg_base[6];	/* by enum x86_segment; only FS, GS in 64-bit mode */
	enum x86_mode mode;
	bool la57;		/* 64-bit addresses are canonical on 57 bits, not 48 */
	enum x86_vendor vendor;	/* the processor whose results the emulator reproduces */
};

enum x86_emu_status {
	X86_EMU_OK,		/* done; RIP is past it, or on it if REP iterations remain */
	X86_EMU_FAULT,		/* *f describes the exception; see x86_emulate() */
	X86_EMU_UNSUPPORTED,	/* a valid instruction this emulator does not perform */
	X86_EMU_UNDECODABLE,	/* x86_decode() did not return X86_OK (truncated, invalid, too long) */
};

/*
 * Decodes the instruction in bytes[0..avail) (never reading at or past
 * avail) for cpu->mode and executes it on *cpu, reaching memory through
 * ops. A REP string instruction runs at most max_iterations iterations
 * (0 counts as 1) per call: when some remain, the counters are updated,
 * RIP stays on the instruction and X86_EMU_OK is returned, so the caller
 * resumes the guest (or calls again) to go on.
 *
 * On X86_EMU_FAULT the fault comes from a callback or is #GP(0) / #SS(0)
 * for a non-canonical address or #GP(0) for a misaligned CMPXCHG16B
 * operand; registers, RIP and RFLAGS are unchanged, except that REP
 * string instructions keep the iterations completed before the fault (as
 * the processor does). Memory written before a faulting write is not
 * rolled back, but no instruction here writes memory before its last
 * fault check except REP, whose completed iterations stand.
 *
 * On X86_EMU_UNSUPPORTED and X86_EMU_UNDECODABLE nothing was accessed and
 * *cpu is unchanged. decoded_out, if not NULL, receives the decoded
 * instruction whenever the decoder succeeded.
 */
enum x86_emu_status x86_emulate(struct x86_emu_cpu *cpu, const uint8_t *bytes, size_t avail,
				const struct x86_emu_ops *ops, unsigned int max_iterations,
				struct x86_fault *f, struct x86_insn *decoded_out);

/* A short constant name for status ("ok", "fault", ...), for reports. */
const char *x86_emu_status_name(enum x86_emu_status status);

#endif
