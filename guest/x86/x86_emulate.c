/* x86 instruction emulator for guest writes to write-protected memory (see x86_emulate.h). */
#include "guest/x86/x86_emulate.h"
#include "arch/gpr.h"
#include "arch/rflags.h"
#include "arch/trap.h"

/* The ALU operations, numbered as the opcode bits 5:3 and group 1's ModRM.reg (SDM Vol. 2 A.3). */
enum alu_op { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

/* One emulation in progress: its inputs, and the fault slot to fill. */
struct emu {
	struct x86_emu_cpu *cpu;
	const struct x86_insn *in;
	const struct x86_emu_ops *ops;
	struct x86_fault *f;
	uint64_t rip_next;
};

/* ------------------------------------------------------------------------------------------- */
/* Values and registers. */

/* All ones in the low size bytes (1, 2, 4 or 8). */
static uint64_t size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* Reads register reg at size bytes; without REX, byte registers 4-7 are AH-BH
 * (SDM Vol. 2A 3.1.1.1). */
static uint64_t reg_get(const struct emu *e, unsigned int reg, unsigned int size)
{
	if (size == 1 && !e->in->rex && reg >= 4 && reg < 8)
		return (e->cpu->gpr[reg - 4] >> 8) & 0xff;
	return e->cpu->gpr[reg & 15] & size_mask(size);
}

/* Writes the low size bytes of a GPR: 32-bit writes zero-extend, 8/16-bit ones merge
 * (SDM Vol. 1 3.4.1.1). */
static void gpr_put(uint64_t *gpr, unsigned int size, uint64_t value)
{
	if (size == 4)
		*gpr = (uint32_t)value;
	else if (size >= 8)
		*gpr = value;
	else
		*gpr = (*gpr & ~size_mask(size)) | (value & size_mask(size));
}

/* Writes register reg at size bytes, with the AH-BH rule of reg_get(). */
static void reg_set(struct emu *e, unsigned int reg, unsigned int size, uint64_t value)
{
	uint64_t *gpr = &e->cpu->gpr[reg & 15];

	if (size == 1 && !e->in->rex && reg >= 4 && reg < 8) {
		gpr = &e->cpu->gpr[reg - 4];
		*gpr = (*gpr & ~0xff00ULL) | ((value & 0xff) << 8);
		return;
	}
	gpr_put(gpr, size, value);
}

/* Little-endian value of the first size bytes (at most 8) of buf. */
static uint64_t load_le(const uint8_t *buf, unsigned int size)
{
	uint64_t v = 0;

	for (unsigned int i = size; i-- > 0;)
		v = (v << 8) | buf[i];
	return v;
}

/* Stores the low size bytes (at most 8) of value little-endian into buf. */
static void store_le(uint8_t *buf, unsigned int size, uint64_t value)
{
	for (unsigned int i = 0; i < size; i++, value >>= 8)
		buf[i] = (uint8_t)value;
}

/* ------------------------------------------------------------------------------------------- */
/* Addresses and memory. */

/* Fills the fault slot with vector and a zero error code; returns false for tail calls. */
static bool fault_raise(struct emu *e, uint8_t vector)
{
	e->f->vector = vector;
	e->f->has_error_code = true;
	e->f->error_code = 0;
	e->f->cr2 = 0;
	return false;
}

/* The linear address of offset in segment seg: no base in 64-bit mode except FS and GS, and
 * a 32-bit wrap outside it (SDM Vol. 3A 3.4, 3.4.4). */
static uint64_t linear_of(const struct emu *e, int seg, uint64_t offset)
{
	uint64_t base = (seg >= 0 && seg < 6) ? e->cpu->seg_base[seg] : 0;

	if (e->cpu->mode == X86_MODE_64)
		return (seg == X86_SEG_FS || seg == X86_SEG_GS) ? base + offset : offset;
	return (uint32_t)(base + offset);
}

/* Whether size bytes at linear are canonical in 64-bit mode, else raises #SS(0) for SS and
 * #GP(0) otherwise (SDM Vol. 3A 6.15 "Interrupt 12", "Interrupt 13"). */
static bool check_canonical(struct emu *e, int seg, uint64_t linear, unsigned int size)
{
	unsigned int shift = e->cpu->la57 ? 56 : 47;
	uint64_t last = linear + size - 1;
	int64_t hi_first = (int64_t)linear >> shift, hi_last = (int64_t)last >> shift;

	if (e->cpu->mode != X86_MODE_64)
		return true;
	if ((hi_first == 0 || hi_first == -1) && hi_first == hi_last)
		return true;
	return fault_raise(e, seg == X86_SEG_SS ? EXC_SS : EXC_GP);
}

/* Reads len bytes at seg:offset into buf through the caller; false with *f filled on a fault. */
static bool mem_read(struct emu *e, int seg, uint64_t linear, void *buf, unsigned int len)
{
	if (!check_canonical(e, seg, linear, len))
		return false;
	return e->ops->read(e->ops->ctx, linear, buf, len, e->f);
}

/* Writes len bytes from buf at linear through the caller; false with *f filled on a fault. */
static bool mem_write(struct emu *e, int seg, uint64_t linear, const void *buf, unsigned int len)
{
	if (!check_canonical(e, seg, linear, len))
		return false;
	return e->ops->write(e->ops->ctx, linear, buf, len, e->f);
}

/* Reads an integer of size bytes (at most 8) at linear. */
static bool read_int(struct emu *e, int seg, uint64_t linear, unsigned int size, uint64_t *value)
{
	uint8_t buf[8];

	if (!mem_read(e, seg, linear, buf, size))
		return false;
	*value = load_le(buf, size);
	return true;
}

/* Writes an integer of size bytes (at most 8) at linear. */
static bool write_int(struct emu *e, int seg, uint64_t linear, unsigned int size, uint64_t value)
{
	uint8_t buf[8];

	store_le(buf, size, value);
	return mem_write(e, seg, linear, buf, size);
}

/* The segment of the ModRM memory operand: the override, else SS for an rBP or rSP base
 * (BP-based 16-bit forms included), else DS (SDM Vol. 1 3.7.4.1). */
static int modrm_segment(const struct x86_insn *in)
{
	if (in->segment >= 0)
		return in->segment;
	if (in->base == GPR_RSP || in->base == GPR_RBP)
		return X86_SEG_SS;
	return X86_SEG_DS;
}

/* The segment of a moffs or string source: the override, else DS. */
static int data_segment(const struct x86_insn *in)
{
	return in->segment >= 0 ? in->segment : X86_SEG_DS;
}

/* The effective address (offset) of the ModRM or moffs memory operand. */
static uint64_t operand_offset(const struct emu *e)
{
	return x86_effective_address(e->in, e->cpu->gpr, e->rip_next);
}

/* ------------------------------------------------------------------------------------------- */
/* Flags. */

/* Whether the low byte of v has an even number of set bits (PF, SDM Vol. 1 3.4.3.1). */
static bool even_parity(uint64_t v)
{
	v &= 0xff;
	v ^= v >> 4;
	v ^= v >> 2;
	v ^= v >> 1;
	return !(v & 1);
}

/*
 * Computes dst OP src at size bytes and the arithmetic flags of ADD, ADC, SUB, SBB, CMP
 * (SDM Vol. 2A ADD, ADC, SUB, SBB, CMP) and OR, AND, XOR (which clear CF and OF; AF is
 * undefined and cleared, as Intel and AMD processors do) into *rflags; returns the result.
 */
static uint64_t alu(enum alu_op op, uint64_t dst, uint64_t src, unsigned int size,
		    uint64_t *rflags)
{
	uint64_t mask = size_mask(size), msb = 1ULL << (8 * size - 1);
	uint64_t cin = *rflags & RFLAGS_CF, r, flags = 0;
	bool carry = false, overflow = false, aux = false;

	dst &= mask;
	src &= mask;
	switch (op) {
	case ALU_ADD:
	case ALU_ADC:
		r = (dst + src + (op == ALU_ADC ? cin : 0)) & mask;
		carry = ((dst & src) | ((dst | src) & ~r)) & msb;
		overflow = (dst ^ r) & (src ^ r) & msb;
		aux = (dst ^ src ^ r) & 0x10;
		break;
	case ALU_SUB:
	case ALU_SBB:
	case ALU_CMP:
		r = (dst - src - (op == ALU_SBB ? cin : 0)) & mask;
		carry = ((~dst & src) | (~(dst ^ src) & r)) & msb;
		overflow = (dst ^ src) & (dst ^ r) & msb;
		aux = (dst ^ src ^ r) & 0x10;
		break;
	case ALU_OR:
		r = dst | src;
		break;
	case ALU_AND:
		r = dst & src;
		break;
	default:
		r = dst ^ src;
		break;
	}
	flags |= carry ? RFLAGS_CF : 0;
	flags |= overflow ? RFLAGS_OF : 0;
	flags |= aux ? RFLAGS_AF : 0;
	flags |= r == 0 ? RFLAGS_ZF : 0;
	flags |= (r & msb) ? RFLAGS_SF : 0;
	flags |= even_parity(r) ? RFLAGS_PF : 0;
	*rflags = (*rflags & ~RFLAGS_STATUS) | flags;
	return r;
}

/* ------------------------------------------------------------------------------------------- */
/* The instructions. Each returns the status; registers change only once nothing can fault. */

/* Writes value (already at operand size) to the ModRM or moffs memory operand: MOV, MOVNTI
 * (SDM Vol. 2B MOV, MOVNTI). */
static enum x86_emu_status do_store(struct emu *e, int seg, uint64_t value)
{
	uint64_t linear = linear_of(e, seg, operand_offset(e));

	if (!write_int(e, seg, linear, e->in->operand_size, value))
		return X86_EMU_FAULT;
	return X86_EMU_OK;
}

/* Loads src_size bytes of the ModRM or moffs memory operand into register reg at the operand
 * size, zero- or sign-extended: MOV (8A, 8B, A0, A1), MOVZX, MOVSX, MOVSXD (SDM Vol. 2B). The
 * register changes only once the read succeeded. */
static enum x86_emu_status do_load(struct emu *e, int seg, unsigned int reg, unsigned int src_size,
				   bool sign)
{
	uint64_t linear = linear_of(e, seg, operand_offset(e)), value;

	if (!read_int(e, seg, linear, src_size, &value))
		return X86_EMU_FAULT;
	if (sign)
		value = x86_sext(value, src_size);
	reg_set(e, reg, e->in->operand_size, value & size_mask(e->in->operand_size));
	return X86_EMU_OK;
}

/* XCHG r/m,reg with memory: read, write the register, then load the register (SDM Vol. 2B XCHG). */
static enum x86_emu_status do_xchg(struct emu *e)
{
	unsigned int size = e->in->operand_size;
	int seg = modrm_segment(e->in);
	uint64_t linear = linear_of(e, seg, operand_offset(e)), old;

	if (!read_int(e, seg, linear, size, &old) ||
	    !write_int(e, seg, linear, size, reg_get(e, e->in->reg, size)))
		return X86_EMU_FAULT;
	reg_set(e, e->in->reg, size, old);
	return X86_EMU_OK;
}

/* ALU op with a memory destination: read, compute, write, then commit the flags. */
static enum x86_emu_status do_alu(struct emu *e, enum alu_op op, uint64_t src)
{
	unsigned int size = e->in->operand_size;
	int seg = modrm_segment(e->in);
	uint64_t linear = linear_of(e, seg, operand_offset(e)), old, result;
	uint64_t rflags = e->cpu->rflags;

	if (!read_int(e, seg, linear, size, &old))
		return X86_EMU_FAULT;
	result = alu(op, old, src, size, &rflags);
	if (!write_int(e, seg, linear, size, result))
		return X86_EMU_FAULT;
	e->cpu->rflags = rflags;
	return X86_EMU_OK;
}

/*
 * CMPXCHG r/m,reg with memory: compares the accumulator with the destination; equal: ZF=1 and
 * the destination gets reg; else ZF=0, the destination is written back unchanged (the processor
 * always writes it) and the accumulator is loaded. Flags as CMP (SDM Vol. 2A CMPXCHG).
 */
static enum x86_emu_status do_cmpxchg(struct emu *e)
{
	unsigned int size = e->in->operand_size;
	int seg = modrm_segment(e->in);
	uint64_t linear = linear_of(e, seg, operand_offset(e)), old;
	uint64_t rflags = e->cpu->rflags;
	bool equal;

	if (!read_int(e, seg, linear, size, &old))
		return X86_EMU_FAULT;
	alu(ALU_CMP, reg_get(e, GPR_RAX, size), old, size, &rflags);
	equal = rflags & RFLAGS_ZF;
	if (!write_int(e, seg, linear, size, equal ? reg_get(e, e->in->reg, size) : old))
		return X86_EMU_FAULT;
	if (!equal)
		gpr_put(&e->cpu->gpr[GPR_RAX], size, old);
	e->cpu->rflags = rflags;
	return X86_EMU_OK;
}

/*
 * CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W): compares rDX:rAX with the operand; equal: ZF=1 and
 * the operand gets rCX:rBX; else ZF=0, the operand is written back and rDX:rAX loaded. Only ZF
 * changes; CMPXCHG16B raises #GP(0) on an operand not 16-byte aligned (SDM Vol. 2A
 * CMPXCHG8B/CMPXCHG16B).
 */
static enum x86_emu_status do_cmpxchg_wide(struct emu *e)
{
	unsigned int half = e->in->operand_size == 8 ? 8 : 4;
	int seg = modrm_segment(e->in);
	uint64_t linear = linear_of(e, seg, operand_offset(e));
	uint64_t *gpr = e->cpu->gpr, lo, hi;
	uint8_t buf[16];
	bool equal;

	if (half == 8 && (linear & 15)) {
		fault_raise(e, EXC_GP);
		return X86_EMU_FAULT;
	}
	if (!mem_read(e, seg, linear, buf, 2 * half))
		return X86_EMU_FAULT;
	lo = load_le(buf, half);
	hi = load_le(buf + half, half);
	equal = lo == (gpr[GPR_RAX] & size_mask(half)) && hi == (gpr[GPR_RDX] & size_mask(half));
	if (equal) {
		store_le(buf, half, gpr[GPR_RBX]);
		store_le(buf + half, half, gpr[GPR_RCX]);
	}
	if (!mem_write(e, seg, linear, buf, 2 * half))
		return X86_EMU_FAULT;
	if (!equal) {
		gpr_put(&gpr[GPR_RAX], half, lo);
		gpr_put(&gpr[GPR_RDX], half, hi);
	}
	e->cpu->rflags = (e->cpu->rflags & ~RFLAGS_ZF) | (equal ? RFLAGS_ZF : 0);
	return X86_EMU_OK;
}

/*
 * BTS/BTR/BTC on memory (SDM Vol. 2A BT "bit base", BTS, BTR, BTC): with a register offset the
 * signed offset selects an operand-size unit anywhere around the operand; with an imm8 it is
 * taken modulo the operand size. CF gets the old bit; the other flags, unaffected (ZF) or
 * undefined (OF, SF, AF, PF) by the SDM, are left as they were, for either vendor.
 * kind is 0 for BTS, 1 for BTR, 2 for BTC.
 */
static enum x86_emu_status do_bit(struct emu *e, unsigned int kind, bool imm)
{
	unsigned int size = e->in->operand_size, bits = 8 * size;
	int seg = modrm_segment(e->in);
	uint64_t offset = operand_offset(e), amask = size_mask(e->in->address_size);
	uint64_t linear, old, bit, value;
	unsigned int log2_bits = size == 2 ? 4 : size == 4 ? 5 : 6;
	int64_t soff, units;

	if (imm) {
		bit = e->in->imm & (bits - 1);
	} else {
		soff = (int64_t)x86_sext(reg_get(e, e->in->reg, size), size);
		bit = (uint64_t)soff & (bits - 1);
		/* floor(soff / bits) units of size bytes: the arithmetic shift rounds toward -inf. */
		units = soff >> log2_bits;
		offset = (offset + (uint64_t)(units * (int64_t)size)) & amask;
	}
	linear = linear_of(e, seg, offset);
	if (!read_int(e, seg, linear, size, &old))
		return X86_EMU_FAULT;
	if (kind == 0)
		value = old | (1ULL << bit);
	else if (kind == 1)
		value = old & ~(1ULL << bit);
	else
		value = old ^ (1ULL << bit);
	if (!write_int(e, seg, linear, size, value))
		return X86_EMU_FAULT;
	e->cpu->rflags = (e->cpu->rflags & ~RFLAGS_CF) | ((old >> bit) & 1);
	return X86_EMU_OK;
}

/*
 * A REP string instruction whose count is 0 runs no iteration (SDM Vol. 2B REP, APM Vol. 3
 * 1.2.6 "Repeat Prefixes"); neither manual says whether its count and pointer registers are
 * still written. With a 32-bit address size in 64-bit mode that decides whether their upper
 * halves survive, since a 32-bit register write zero-extends (SDM Vol. 1 3.4.1.1, APM Vol. 1
 * 3.1.2 "Zero-Extension of 32-Bit Results"), and the vendors differ: Intel processors write
 * ECX, EDI and (MOVS) ESI, AMD processors leave RCX, RDI and RSI as they were. Both are
 * what the processors do, checked by the native oracle of tests/unit/test_x86_emulate.c.
 * Outside 64-bit mode the upper halves are undefined (SDM Vol. 1 3.4.1.1), and a 16-bit
 * address size merges, so there the choice cannot be seen.
 */
static void rep_zero_count(struct emu *e, bool movs)
{
	uint64_t *gpr = e->cpu->gpr;

	if (e->in->address_size != 4 || e->cpu->vendor == X86_VENDOR_AMD)
		return;
	gpr_put(&gpr[GPR_RCX], 4, gpr[GPR_RCX]);
	gpr_put(&gpr[GPR_RDI], 4, gpr[GPR_RDI]);
	if (movs)
		gpr_put(&gpr[GPR_RSI], 4, gpr[GPR_RSI]);
}

/*
 * STOS (AA, AB) and MOVS (A4, A5), with REP (SDM Vol. 2B STOS, MOVS, REP): one element per
 * iteration from DS:rSI (overridable) or the accumulator to ES:rDI, pointers stepping by the
 * element size up or down with DF, rCX counting, all at the address size. Registers are
 * updated after every iteration so a fault keeps the completed ones. Returns OK with *done
 * false when iterations remain after max.
 */
static enum x86_emu_status do_string(struct emu *e, bool movs, unsigned int max, bool *done)
{
	const struct x86_insn *in = e->in;
	unsigned int size = in->operand_size, asize = in->address_size;
	uint64_t amask = size_mask(asize), *gpr = e->cpu->gpr;
	uint64_t step = (e->cpu->rflags & RFLAGS_DF) ? -(uint64_t)size : size;
	bool rep = in->rep || in->repne;
	int sseg = data_segment(in);
	uint64_t value, dst, count = rep ? gpr[GPR_RCX] & amask : 1;

	if (rep && count == 0) {
		rep_zero_count(e, movs);
		*done = true;
		return X86_EMU_OK;
	}
	for (unsigned int n = 0; count && n < max; n++) {
		if (movs) {
			if (!read_int(e, sseg, linear_of(e, sseg, gpr[GPR_RSI] & amask), size, &value))
				return X86_EMU_FAULT;
		} else {
			value = gpr[GPR_RAX] & size_mask(size);
		}
		dst = linear_of(e, X86_SEG_ES, gpr[GPR_RDI] & amask);
		if (!write_int(e, X86_SEG_ES, dst, size, value))
			return X86_EMU_FAULT;
		if (movs)
			gpr_put(&gpr[GPR_RSI], asize, gpr[GPR_RSI] + step);
		gpr_put(&gpr[GPR_RDI], asize, gpr[GPR_RDI] + step);
		count--;
		if (rep)
			gpr_put(&gpr[GPR_RCX], asize, count);
	}
	*done = count == 0;
	return X86_EMU_OK;
}

/* ------------------------------------------------------------------------------------------- */
/* Dispatch. */

/* Whether the instruction has a ModRM memory operand. */
static bool has_mem(const struct x86_insn *in)
{
	return in->has_modrm && in->mod != 3;
}

/* The sign-extended immediate at operand size (SDM Vol. 2A 2.2.1.5: imm32 extends to 64). */
static uint64_t imm_value(const struct x86_insn *in)
{
	return x86_sext(in->imm, in->imm_size) & size_mask(in->operand_size);
}

/* Executes a one-byte-map instruction; *done stays true unless REP iterations remain. */
static enum x86_emu_status exec_primary(struct emu *e, unsigned int max, bool *done)
{
	const struct x86_insn *in = e->in;
	uint8_t op = in->opcode;
	unsigned int size = in->operand_size;

	if (op < 0x40 && (op & 7) <= 1 && (op >> 3) != ALU_CMP)
		return has_mem(in) ? do_alu(e, op >> 3, reg_get(e, in->reg, size)) : X86_EMU_UNSUPPORTED;
	switch (op) {
	case 0x80: case 0x81: case 0x82: case 0x83:
		if (!has_mem(in) || (in->reg & 7) == ALU_CMP)
			return X86_EMU_UNSUPPORTED;
		return do_alu(e, in->reg & 7, imm_value(in));
	case 0x86: case 0x87:
		return has_mem(in) ? do_xchg(e) : X86_EMU_UNSUPPORTED;
	case 0x88: case 0x89:
		if (!has_mem(in))
			return X86_EMU_UNSUPPORTED;
		return do_store(e, modrm_segment(in), reg_get(e, in->reg, size));
	case 0x8a: case 0x8b:
		if (!has_mem(in))
			return X86_EMU_UNSUPPORTED;
		return do_load(e, modrm_segment(in), in->reg, size, false);
	case 0x63:	/* MOVSXD in 64-bit mode (ARPL elsewhere, which has no memory load) */
		if (e->cpu->mode != X86_MODE_64 || !has_mem(in))
			return X86_EMU_UNSUPPORTED;
		return do_load(e, modrm_segment(in), in->reg, size == 8 ? 4 : size, size == 8);
	case 0xa0: case 0xa1:
		return do_load(e, data_segment(in), GPR_RAX, size, false);
	case 0xa2: case 0xa3:
		return do_store(e, data_segment(in), reg_get(e, GPR_RAX, size));
	case 0xc6: case 0xc7:
		if (!has_mem(in) || (in->reg & 7) != 0)
			return X86_EMU_UNSUPPORTED;
		return do_store(e, modrm_segment(in), imm_value(in));
	case 0xa4: case 0xa5:
		return do_string(e, true, max, done);
	case 0xaa: case 0xab:
		return do_string(e, false, max, done);
	default:
		return X86_EMU_UNSUPPORTED;
	}
}

/* Executes a 0F-map instruction. */
static enum x86_emu_status exec_0f(struct emu *e)
{
	const struct x86_insn *in = e->in;

	if (!has_mem(in))
		return X86_EMU_UNSUPPORTED;
	switch (in->opcode) {
	case 0xc3:
		return do_store(e, modrm_segment(in), reg_get(e, in->reg, in->operand_size));
	case 0xb6: case 0xb7:
		return do_load(e, modrm_segment(in), in->reg, in->opcode == 0xb6 ? 1 : 2, false);
	case 0xbe: case 0xbf:
		return do_load(e, modrm_segment(in), in->reg, in->opcode == 0xbe ? 1 : 2, true);
	case 0xb0: case 0xb1:
		return do_cmpxchg(e);
	case 0xc7:
		return (in->reg & 7) == 1 ? do_cmpxchg_wide(e) : X86_EMU_UNSUPPORTED;
	case 0xab:
		return do_bit(e, 0, false);
	case 0xb3:
		return do_bit(e, 1, false);
	case 0xbb:
		return do_bit(e, 2, false);
	case 0xba:
		return (in->reg & 7) >= 5 ? do_bit(e, (in->reg & 7) - 5, true) : X86_EMU_UNSUPPORTED;
	default:
		return X86_EMU_UNSUPPORTED;
	}
}

/* The next RIP after an instruction of len bytes: EIP wraps at 32 bits outside 64-bit mode. */
static uint64_t next_rip(const struct x86_emu_cpu *cpu, unsigned int len)
{
	uint64_t rip = cpu->rip + len;

	return cpu->mode == X86_MODE_64 ? rip : (uint32_t)rip;
}

enum x86_emu_status x86_emulate(struct x86_emu_cpu *cpu, const uint8_t *bytes, size_t avail,
				const struct x86_emu_ops *ops, unsigned int max_iterations,
				struct x86_fault *f, struct x86_insn *decoded_out)
{
	struct x86_insn in;
	struct emu e = { .cpu = cpu, .in = &in, .ops = ops, .f = f };
	enum x86_emu_status st;
	bool done = true;

	if (x86_decode(bytes, avail, cpu->mode, &in) != X86_OK)
		return X86_EMU_UNDECODABLE;
	if (decoded_out)
		*decoded_out = in;
	if (in.encoding != X86_ENC_LEGACY)
		return X86_EMU_UNSUPPORTED;
	e.rip_next = next_rip(cpu, in.len);
	if (in.opcode_map == X86_MAP_PRIMARY)
		st = exec_primary(&e, max_iterations ? max_iterations : 1, &done);
	else if (in.opcode_map == X86_MAP_0F)
		st = exec_0f(&e);
	else
		st = X86_EMU_UNSUPPORTED;
	if (st == X86_EMU_OK && done)
		cpu->rip = e.rip_next;
	return st;
}

const char *x86_emu_status_name(enum x86_emu_status status)
{
	switch (status) {
	case X86_EMU_OK:
		return "ok";
	case X86_EMU_FAULT:
		return "fault";
	case X86_EMU_UNSUPPORTED:
		return "unsupported";
	case X86_EMU_UNDECODABLE:
		return "undecodable";
	}
	return "?";
}
