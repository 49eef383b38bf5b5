/* The x86 decoder's differential oracle (see x86_oracle.h): Zydis and the excluded classes. */
#include "tests/unit/x86_oracle.h"

#include <string.h>

const char *const excl_names[EX_COUNT] = {
	"vex-definedness", "0f38/0f3a-prefix", "sse-prefix", "0f01-prefix", "getsec-prefix",
	"lock-cr8", "wrmsrns", "knc", "3dnow", "knc-branch", "zydis-sib-base-bug",
};


static ZydisDecoder zydis[3];

bool oracle_init(void)
{
	static const ZydisMachineMode modes[3] = {
		ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_MACHINE_MODE_LONG_64,
	};
	static const ZydisStackWidth widths[3] = {
		ZYDIS_STACK_WIDTH_16, ZYDIS_STACK_WIDTH_32, ZYDIS_STACK_WIDTH_64,
	};

	for (int m = 0; m < 3; m++) {
		if (!ZYAN_SUCCESS(ZydisDecoderInit(&zydis[m], modes[m], widths[m])) ||
		    !ZYAN_SUCCESS(ZydisDecoderEnableMode(&zydis[m], ZYDIS_DECODER_MODE_MPX, ZYAN_FALSE)))
			return false;
	}
	return true;
}

/* The 0F-map opcodes whose cells the SDM splits by mandatory prefix (SSE, SSE2..4, MMX). */
static bool is_sse_0f(uint8_t op)
{
	return (op >= 0x10 && op <= 0x17) || (op >= 0x28 && op <= 0x2f) || (op >= 0x50 && op <= 0x7f) ||
	       (op >= 0xc2 && op <= 0xc6) || op >= 0xd0;
}

/* The excluded class of an encoding we accept and Zydis rejects, or EX_COUNT. */
static enum excl ours_only_class(const struct x86_insn *in)
{
	if (in->vex)
		return EX_VEX_DEFINEDNESS;
	if (in->opcode_map == X86_MAP_0F38 || in->opcode_map == X86_MAP_0F3A)
		return EX_0F38_3A_PREFIX;
	if (in->opcode_map != X86_MAP_0F)
		return EX_COUNT;
	if (is_sse_0f(in->opcode))
		return EX_SSE_PREFIX;
	if (in->opcode == 0x01 && in->modrm == 0xc6)
		return EX_WRMSRNS;
	if (in->opcode == 0x01 && in->mod == 3 && in->pp != 0)
		return EX_0F01_PREFIX;
	if (in->opcode == 0x37 && in->pp != 0)
		return EX_GETSEC_PREFIX;
	if ((in->opcode == 0x20 || in->opcode == 0x22) && in->lock)
		return EX_LOCK_CR8;
	return EX_COUNT;
}

/* The excluded class of an encoding Zydis accepts and we reject, or EX_COUNT. */
static enum excl zydis_only_class(const ZydisDecodedInstruction *zi)
{
	if (zi->encoding == ZYDIS_INSTRUCTION_ENCODING_MVEX)
		return EX_KNC;
	if (zi->encoding == ZYDIS_INSTRUCTION_ENCODING_VEX && zi->opcode_map == ZYDIS_OPCODE_MAP_DEFAULT)
		return EX_KNC;
	if (zi->encoding == ZYDIS_INSTRUCTION_ENCODING_3DNOW)
		return EX_3DNOW;
	return EX_COUNT;
}

/* Our map number for Zydis's, or 0xff. */
static uint8_t zydis_map(ZydisOpcodeMap m)
{
	switch (m) {
	case ZYDIS_OPCODE_MAP_DEFAULT: return X86_MAP_PRIMARY;
	case ZYDIS_OPCODE_MAP_0F: return X86_MAP_0F;
	case ZYDIS_OPCODE_MAP_0F38: return X86_MAP_0F38;
	case ZYDIS_OPCODE_MAP_0F3A: return X86_MAP_0F3A;
	case ZYDIS_OPCODE_MAP_MAP5: return X86_MAP_EVEX5;
	case ZYDIS_OPCODE_MAP_MAP6: return X86_MAP_EVEX6;
	case ZYDIS_OPCODE_MAP_XOP8: return X86_MAP_XOP8;
	case ZYDIS_OPCODE_MAP_XOP9: return X86_MAP_XOP9;
	case ZYDIS_OPCODE_MAP_XOPA: return X86_MAP_XOPA;
	default: return 0xff;
	}
}

static uint64_t low_bytes(uint64_t v, unsigned int size)
{
	return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

/*
 * The emulated subset whose operand size Zydis's operand_width must confirm.
 * INS/OUTS are left out: with REX.W Zydis reports a 64-bit operand width
 * for what is still INSD/OUTSD (there is no 64-bit port I/O), and the test
 * tables check 32 bits for them.
 */
static bool is_emulated_form(const struct x86_insn *in)
{
	static const uint8_t primary[] = {
		0x00, 0x01, 0x08, 0x09, 0x20, 0x21, 0x28, 0x29, 0x30, 0x31,
		0x80, 0x81, 0x83, 0x86, 0x87, 0x88, 0x89, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xaa, 0xab,
		0xc6, 0xc7, 0xe4, 0xe5, 0xe6, 0xe7, 0xec, 0xed, 0xee, 0xef,
	};
	static const uint8_t map0f[] = { 0xab, 0xb0, 0xb1, 0xb3, 0xba, 0xbb, 0xc3 };

	if (in->vex)
		return false;
	if (in->opcode_map == X86_MAP_PRIMARY && (in->opcode == 0xc6 || in->opcode == 0xc7))
		return in->reg == 0;	/* MOV, not XABORT/XBEGIN */
	if (in->opcode_map == X86_MAP_PRIMARY)
		return memchr(primary, in->opcode, sizeof(primary)) != NULL;
	return in->opcode_map == X86_MAP_0F && memchr(map0f, in->opcode, sizeof(map0f)) != NULL;
}

/* Where two valid decodes differ in anything but length, or NULL. */
static const char *field_difference(const struct x86_insn *in, const ZydisDecodedInstruction *zi)
{
	const ZydisDecodedInstructionRaw *r = &zi->raw;
	bool z_modrm = zi->attributes & ZYDIS_ATTRIB_HAS_MODRM;
	bool z_sib = zi->attributes & ZYDIS_ATTRIB_HAS_SIB;

	if (in->opcode != zi->opcode || in->opcode_map != zydis_map(zi->opcode_map))
		return "opcode/map";
	if (in->has_modrm != z_modrm)
		return "has_modrm";
	if (z_modrm && in->modrm != (uint8_t)(r->modrm.mod << 6 | r->modrm.reg << 3 | r->modrm.rm))
		return "modrm";
	if (in->has_sib != z_sib)
		return "has_sib";
	if (z_sib && in->sib != (uint8_t)(r->sib.scale << 6 | r->sib.index << 3 | r->sib.base))
		return "sib";
	if (in->disp_size * 8 != r->disp.size)
		return "disp size";
	if (in->disp_size && low_bytes((uint64_t)in->disp, in->disp_size) !=
	    low_bytes((uint64_t)r->disp.value, in->disp_size))
		return "disp value";
	if (in->imm_size * 8 != r->imm[0].size || in->imm2_size * 8 != r->imm[1].size)
		return "imm size";
	if (in->imm != low_bytes(r->imm[0].value.u, in->imm_size) ||
	    in->imm2 != low_bytes(r->imm[1].value.u, in->imm2_size))
		return "imm value";
	/* Zydis sizes some implicit operands its own way; compare where there is a memory operand. */
	if (((in->has_modrm && in->mod != 3) || in->disp_size) && in->address_size * 8 != zi->address_width)
		return "address size";
	if (is_emulated_form(in) && in->operand_size * 8 != zi->operand_width)
		return "operand size";
	return NULL;
}

/* Our register number for a Zydis GPR or IP used in an address, X86_REG_NONE, or -1. */
static int zydis_gpr(ZydisRegister r)
{
	ZydisRegisterClass c = ZydisRegisterGetClass(r);

	if (r == ZYDIS_REGISTER_NONE)
		return X86_REG_NONE;
	if (c == ZYDIS_REGCLASS_GPR16 || c == ZYDIS_REGCLASS_GPR32 || c == ZYDIS_REGCLASS_GPR64)
		return ZydisRegisterGetId(r);
	return -1;
}

/*
 * For a legacy instruction with a ModRM memory operand: whether Zydis's
 * operand has the same base, index, scale, displacement and RIP-relativity
 * as our normalised description. NULL if it does.
 */
static const char *memory_difference(const struct x86_insn *in, const ZydisDecodedInstruction *zi,
				     ZydisDecoderContext *ctx, int mode)
{
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	const ZydisDecodedOperandMem *m = NULL;

	if (!ZYAN_SUCCESS(ZydisDecoderDecodeOperands(&zydis[mode], ctx, zi, ops, zi->operand_count)))
		return "Zydis operand decoding";
	for (unsigned int i = 0; i < zi->operand_count && !m; i++)
		if (ops[i].type == ZYDIS_OPERAND_TYPE_MEMORY &&
		    ops[i].encoding == ZYDIS_OPERAND_ENCODING_MODRM_RM)
			m = &ops[i].mem;
	if (!m)
		return NULL;	/* e.g. a ModRM memory form Zydis describes otherwise */
	bool z_rip = m->base == ZYDIS_REGISTER_RIP || m->base == ZYDIS_REGISTER_EIP;

	if (z_rip != in->rip_relative)
		return "rip-relative";
	if (!z_rip && zydis_gpr(m->base) != in->base)
		return "base";
	if (zydis_gpr(m->index) != in->index)
		return "index";
	if (in->index != X86_REG_NONE && m->scale != in->scale)
		return "scale";
	if (low_bytes((uint64_t)m->disp.value, in->address_size) !=
	    low_bytes((uint64_t)in->disp, in->address_size))
		return "displacement";
	return NULL;
}

/*
 * Zydis's verdict on b[0..n) followed by zero bytes up to the 15-byte limit. Used where Zydis
 * ran out of bytes at an encoding we decode in n: Zydis reads some fields (KNC's rel32 of VEX
 * 0F 84/85) before it checks that the encoding exists (found by fuzzing: C5 04 84 23).
 */
static ZyanStatus zydis_padded(const uint8_t *b, size_t n, int mode, ZydisDecodedInstruction *zi)
{
	uint8_t padded[X86_MAX_INSN_LEN] = { 0 };
	ZydisDecoderContext ctx;

	memcpy(padded, b, n < sizeof(padded) ? n : sizeof(padded));
	return ZydisDecoderDecodeInstruction(&zydis[mode], &ctx, padded, sizeof(padded), zi);
}

static bool is_knc_branch(const ZydisDecodedInstruction *zi)
{
	return zi->encoding == ZYDIS_INSTRUCTION_ENCODING_VEX &&
	       (zi->mnemonic == ZYDIS_MNEMONIC_JKZD || zi->mnemonic == ZYDIS_MNEMONIC_JKNZD);
}

/*
 * Zydis says the 15-byte limit is passed where Umbra decodes VEX 0F 84/85 in fewer bytes, as it
 * reads KNC's rel32 before it checks the encoding. Zydis's verdict on the VEX part alone (after
 * the segment and 67h prefixes that may precede VEX, and ignored REX bytes), padded: KNC's JKZD/JKNZD, which with the
 * prefixes would pass 15 bytes, is the KNC-branch class (*knc); a rejection is a rejection of
 * the encoding. Found by fuzzing: nine DS prefixes, then C5 C4 84 23 (KNC) or C5 84 85 03
 * (invalid for Zydis).
 */
static ZyanStatus zydis_vex_part(const uint8_t *b, size_t n, int mode, const struct x86_insn *in,
				 bool *knc)
{
	static const uint8_t allowed[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x67 };
	ZydisDecodedInstruction zi;
	ZyanStatus zs;
	size_t k = 0;

	*knc = false;
	if (in->encoding != X86_ENC_VEX || in->opcode_map != X86_MAP_0F ||
	    (in->opcode != 0x84 && in->opcode != 0x85))
		return ZYDIS_STATUS_INSTRUCTION_TOO_LONG;
	/* A REX followed by another prefix is ignored (SDM Vol. 2A 2.2.1), so it may be there too. */
	while (k < n && (memchr(allowed, b[k], sizeof(allowed)) ||
			 (mode == X86_MODE_64 && (b[k] & 0xf0) == 0x40)))
		k++;
	if (k >= n || (b[k] != 0xc4 && b[k] != 0xc5))
		return ZYDIS_STATUS_INSTRUCTION_TOO_LONG;
	zs = zydis_padded(b + k, n - k, mode, &zi);
	if (!ZYAN_SUCCESS(zs))
		return zs;
	*knc = is_knc_branch(&zi) && k + zi.length > X86_MAX_INSN_LEN;
	return ZYDIS_STATUS_INSTRUCTION_TOO_LONG;
}

void oracle_judge(const uint8_t *b, size_t n, int mode, enum x86_decode_status st,
		  const struct x86_insn *in, struct oracle_verdict *v)
{
	ZydisDecoderContext ctx;
	ZydisDecodedInstruction *zi = &v->zi;
	bool zok;
	const char *why = NULL;
	enum excl ex = EX_COUNT;

	v->zs = ZydisDecoderDecodeInstruction(&zydis[mode], &ctx, b, n, zi);
	zok = ZYAN_SUCCESS(v->zs);
	if (st == X86_OK && zok) {
		if (in->len != zi->length)
			ex = zi->encoding == ZYDIS_INSTRUCTION_ENCODING_VEX && in->opcode_map == X86_MAP_0F &&
			     (in->opcode == 0x84 || in->opcode == 0x85) ? EX_KNC_BRANCH : EX_COUNT;
		else
			why = field_difference(in, zi);
		if (!why && ex == EX_COUNT && in->has_sib && (in->sib & 7) == 5 && in->mod == 0 &&
		    in->address_size == 4 && mode == X86_MODE_64 && (in->rex & 1))
			ex = EX_ZYDIS_SIB_BASE;
		if (!why && ex == EX_COUNT && !in->vex && in->has_modrm && in->mod != 3)
			why = memory_difference(in, zi, &ctx, mode);
		if (in->len != zi->length && ex == EX_COUNT)
			why = "length";
	} else if (st == X86_OK) {
		ZyanStatus zs = v->zs;
		ZydisDecodedInstruction padded;

		/*
		 * Zydis running out of bytes where we stop is a length disagreement, never
		 * excluded, unless with more bytes Zydis rejects the encoding anyway or takes it
		 * as KNC's longer branch.
		 */
		if (zs == ZYDIS_STATUS_NO_MORE_DATA) {
			zs = zydis_padded(b, n, mode, &padded);
			if (ZYAN_SUCCESS(zs) && is_knc_branch(&padded) && padded.length > n)
				ex = EX_KNC_BRANCH;
			else if (ZYAN_SUCCESS(zs))
				zs = ZYDIS_STATUS_NO_MORE_DATA;
		}
		if (zs == ZYDIS_STATUS_INSTRUCTION_TOO_LONG) {
			bool knc;

			zs = zydis_vex_part(b, n, mode, in, &knc);
			if (knc)
				ex = EX_KNC_BRANCH;
		}
		if (ex == EX_COUNT && zs != ZYDIS_STATUS_NO_MORE_DATA &&
		    zs != ZYDIS_STATUS_INSTRUCTION_TOO_LONG)
			ex = ours_only_class(in);
		if (ex == EX_COUNT)
			why = "we accept, Zydis rejects";
	} else if (zok) {
		ex = zydis_only_class(zi);
		/* KNC's shorter JKZD/JKNZD fits where our ModRM form runs out of bytes, or past
		 * the 15-byte limit (found by fuzzing: 8 FS prefixes, then C5 C4 85 BA + rel32). */
		if (ex == EX_COUNT && (st == X86_TRUNCATED || st == X86_TOO_LONG) && is_knc_branch(zi))
			ex = EX_KNC_BRANCH;
		if (ex == EX_COUNT)
			why = "Zydis accepts, we reject";
	}
	v->ex = ex;
	v->why = why;
	if (why)
		v->outcome = ORACLE_MISMATCH;
	else if (ex != EX_COUNT)
		v->outcome = ORACLE_EXCLUDED;
	else
		v->outcome = st == X86_OK ? ORACLE_BOTH_OK : ORACLE_BOTH_BAD;
}
