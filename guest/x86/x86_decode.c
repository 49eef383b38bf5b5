/* x86 instruction decoder: prefixes, opcode maps, ModRM/SIB, displacements and immediates. */
#include "guest/x86/x86_decode.h"
#include "lib/string.h"

/*
 * Per-opcode attributes of the one-byte and 0F maps (SDM Vol. 2A appendix A,
 * tables ): the kind of immediate in the low four bits, flags above.
 */
enum imm_kind {
	I_NONE,
	I_B,		/* Ib, Jb */
	I_W,		/* Iw */
	I_D,		/* Id: XOP map A */
	I_Z,		/* Iz, Jz: 2 bytes with a 16-bit operand size, else 4 */
	I_V,		/* Iv: the operand size, 8 included (MOV B8+r only) */
	I_MOFFS,	/* Ob, Ov: the address size (A0-A3) */
	I_PTR,		/* Ap: offset of Iz size, then a 16-bit selector */
	I_WB,		/* ENTER: Iw, then Ib */
	I_BB,		/* SSE4a EXTRQ/INSERTQ: Ib, then Ib */
};

#define IMM_MASK	0x000fu
#define F_MODRM		0x0010u	/* a ModRM byte follows the opcode */
#define F_BYTE		0x0020u	/* byte operation: operand_size reads 1 */
#define F_LOCK		0x0040u	/* LOCK is allowed when ModRM names memory */
#define F_I64		0x0080u	/* invalid in 64-bit mode */
#define F_D64		0x0100u	/* 64-bit default operand size in 64-bit mode */
#define F_F64		0x0200u	/* 64-bit operand size in 64-bit mode, 66h ignored */
#define F_MEM		0x0400u	/* ModRM must name memory (mod != 11b) */
#define F_REG		0x0800u	/* ModRM must name a register (mod == 11b) */
#define F_GROUP		0x1000u	/* validity depends on ModRM: see group_ok_*() */
#define F_UD		0x2000u	/* undefined opcode */
#define F_CTRL		0x4000u	/* MOV to/from CRn/DRn: mod is ignored */
#define F_IO		0x8000u	/* port I/O: REX.W is ignored, at most 32 bits */

#define M	F_MODRM
#define B	F_BYTE

/* One row of the eight classic ALU operations (ADD, OR, ADC, SBB, AND, SUB, XOR, CMP). */
#define ALU_ROW(op, lk)							\
	[(op) + 0] = M | B | (lk), [(op) + 1] = M | (lk),		\
	[(op) + 2] = M | B, [(op) + 3] = M,				\
	[(op) + 4] = I_B | B, [(op) + 5] = I_Z

/*
 * SDM Vol. 2A table A-2 (APM Vol. 3 table A-1). The prefixes (26 2E 36 3E
 * 64-67 F0 F2 F3, and 40-4F in 64-bit mode) and the 0F escape never reach it.
 */
static const uint16_t map_primary[256] = {
	ALU_ROW(0x00, F_LOCK), [0x06] = F_I64, [0x07] = F_I64,
	ALU_ROW(0x08, F_LOCK), [0x0e] = F_I64,
	ALU_ROW(0x10, F_LOCK), [0x16] = F_I64, [0x17] = F_I64,
	ALU_ROW(0x18, F_LOCK), [0x1e] = F_I64, [0x1f] = F_I64,
	ALU_ROW(0x20, F_LOCK), [0x27] = F_I64,
	ALU_ROW(0x28, F_LOCK), [0x2f] = F_I64,
	ALU_ROW(0x30, F_LOCK), [0x37] = F_I64,
	ALU_ROW(0x38, 0), [0x3f] = F_I64,
	[0x50 ... 0x5f] = F_D64,
	[0x60] = F_I64, [0x61] = F_I64, [0x62] = M | F_MEM | F_I64, [0x63] = M,
	[0x68] = I_Z | F_D64, [0x69] = M | I_Z, [0x6a] = I_B | F_D64, [0x6b] = M | I_B,
	[0x6c] = B | F_IO, [0x6d] = F_IO, [0x6e] = B | F_IO, [0x6f] = F_IO,
	[0x70 ... 0x7f] = I_B | F_F64,
	[0x80] = M | I_B | B | F_GROUP, [0x81] = M | I_Z | F_GROUP,
	[0x82] = M | I_B | B | F_GROUP | F_I64, [0x83] = M | I_B | F_GROUP,
	[0x84] = M | B, [0x85] = M, [0x86] = M | B | F_LOCK, [0x87] = M | F_LOCK,
	[0x88] = M | B, [0x89] = M, [0x8a] = M | B, [0x8b] = M,
	[0x8c] = M | F_GROUP, [0x8d] = M | F_MEM, [0x8e] = M | F_GROUP,
	[0x8f] = M | F_GROUP | F_D64,
	[0x9a] = I_PTR | F_I64, [0x9c] = F_D64, [0x9d] = F_D64,
	[0xa0] = I_MOFFS | B, [0xa1] = I_MOFFS, [0xa2] = I_MOFFS | B, [0xa3] = I_MOFFS,
	[0xa4] = B, [0xa6] = B, [0xa8] = I_B | B, [0xa9] = I_Z, [0xaa] = B, [0xac] = B, [0xae] = B,
	[0xb0 ... 0xb7] = I_B | B, [0xb8 ... 0xbf] = I_V,
	[0xc0] = M | I_B | B | F_GROUP, [0xc1] = M | I_B | F_GROUP,
	[0xc2] = I_W | F_F64, [0xc3] = F_F64,
	[0xc4] = M | F_MEM | F_I64, [0xc5] = M | F_MEM | F_I64,
	[0xc6] = M | I_B | B | F_GROUP, [0xc7] = M | I_Z | F_GROUP,
	[0xc8] = I_WB | F_D64, [0xc9] = F_D64, [0xca] = I_W, [0xcd] = I_B, [0xce] = F_I64,
	[0xd0] = M | B | F_GROUP, [0xd1] = M | F_GROUP, [0xd2] = M | B | F_GROUP,
	[0xd3] = M | F_GROUP,
	[0xd4] = I_B | F_I64, [0xd5] = I_B | F_I64,
	[0xd6] = F_I64,		/* SALC: left blank by the SDM, but processors execute it */
	[0xd8 ... 0xdf] = M | F_GROUP,
	[0xe0 ... 0xe3] = I_B | F_F64,
	[0xe4] = I_B | B | F_IO, [0xe5] = I_B | F_IO, [0xe6] = I_B | B | F_IO, [0xe7] = I_B | F_IO,
	[0xe8] = I_Z | F_F64, [0xe9] = I_Z | F_F64, [0xea] = I_PTR | F_I64, [0xeb] = I_B | F_F64,
	[0xec] = B | F_IO, [0xed] = F_IO, [0xee] = B | F_IO, [0xef] = F_IO,
	[0xf6] = M | B | F_GROUP, [0xf7] = M | F_GROUP,
	[0xfe] = M | B | F_GROUP, [0xff] = M | F_GROUP,
};

/* SDM Vol. 2A table A-3 (APM Vol. 3 table A-2); the escapes 0F 38 and 0F 3A never reach it. */
static const uint16_t map_0f[256] = {
	[0x00] = M | F_GROUP, [0x01] = M | F_GROUP, [0x02] = M, [0x03] = M,
	[0x04] = F_UD, [0x0a] = F_UD, [0x0c] = F_UD,
	[0x0d] = M, [0x0f] = F_UD,	/* 3DNow! is not supported */
	[0x10 ... 0x1f] = M,
	[0x20 ... 0x23] = M | F_CTRL | F_F64 | F_GROUP,
	[0x24 ... 0x27] = F_UD,
	[0x28 ... 0x2f] = M,
	[0x36] = F_UD, [0x38 ... 0x3f] = F_UD,
	[0x40 ... 0x6f] = M,
	[0x70] = M | I_B, [0x71 ... 0x73] = M | I_B | F_REG | F_GROUP,
	[0x74 ... 0x76] = M, [0x78] = M | F_F64 | F_GROUP, [0x79] = M | F_F64 | F_GROUP,
	[0x7a] = F_UD, [0x7b] = F_UD, [0x7c ... 0x7f] = M,
	[0x80 ... 0x8f] = I_Z | F_F64,
	[0x90 ... 0x9f] = M | B,
	[0xa0] = F_D64, [0xa1] = F_D64, [0xa3] = M, [0xa4] = M | I_B, [0xa5] = M,
	[0xa6] = M | F_GROUP, [0xa7] = M | F_GROUP, [0xa8] = F_D64, [0xa9] = F_D64,
	[0xab] = M | F_LOCK, [0xac] = M | I_B, [0xad] = M, [0xae] = M | F_GROUP, [0xaf] = M,
	[0xb0] = M | B | F_LOCK, [0xb1] = M | F_LOCK, [0xb2] = M | F_MEM, [0xb3] = M | F_LOCK,
	[0xb4] = M | F_MEM, [0xb5] = M | F_MEM, [0xb6] = M, [0xb7] = M,
	[0xb8] = M | F_GROUP, [0xb9] = M, [0xba] = M | I_B | F_GROUP, [0xbb] = M | F_LOCK,
	[0xbc ... 0xbf] = M,
	[0xc0] = M | B | F_LOCK, [0xc1] = M | F_LOCK, [0xc2] = M | I_B, [0xc3] = M | F_MEM,
	[0xc4] = M | I_B, [0xc5] = M | I_B | F_REG, [0xc6] = M | I_B, [0xc7] = M | F_GROUP,
	[0xd0 ... 0xff] = M,
};

#undef M
#undef B

/*
 * Register forms (mod = 11b) of the x87 escapes D8-DF (SDM Vol. 2A tables
 * [escape - D8][ModRM.reg] has bit rm set when ModRM = 11 reg
 * rm names an instruction. Besides the SDM's entries this accepts the
 * aliases processors execute though the tables leave them blank (FSTP1,
 * FCOM2, FCOMP3, FXCH4, FCOMP5, FFREEP, FXCH7, FSTP8, FSTP9) and the
 * 8087/287 leftovers FENI, FDISI and FSETPM, which execute as FNOP.
 */
static const uint8_t x87_reg_forms[8][8] = {
	/* D8: FADD FMUL FCOM FCOMP FSUB FSUBR FDIV FDIVR */
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	/* D9: FLD FXCH FNOP FSTP1 FCHS/FABS/FTST/FXAM FLD1..FLDZ F2XM1..FCOS */
	{ 0xff, 0xff, 0x01, 0xff, 0x33, 0x7f, 0xff, 0xff },
	/* DA: FCMOVB FCMOVE FCMOVBE FCMOVU, FUCOMPP */
	{ 0xff, 0xff, 0xff, 0xff, 0x00, 0x02, 0x00, 0x00 },
	/* DB: FCMOVNB .. FCMOVNU, FENI FDISI FNCLEX FNINIT FSETPM, FUCOMI, FCOMI */
	{ 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x00 },
	/* DC: FADD FMUL FCOM2 FCOMP3 FSUBR FSUB FDIVR FDIV */
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	/* DD: FFREE FXCH4 FST FSTP FUCOM FUCOMP */
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00 },
	/* DE: FADDP FMULP FCOMP5 FCOMPP FSUBRP FSUBP FDIVRP FDIVP */
	{ 0xff, 0xff, 0xff, 0x02, 0xff, 0xff, 0xff, 0xff },
	/* DF: FFREEP FXCH7 FSTP8 FSTP9, FNSTSW AX, FUCOMIP, FCOMIP */
	{ 0xff, 0xff, 0xff, 0xff, 0x01, 0xff, 0xff, 0x00 },
};

/*
 * Register forms of group 7 (0F 01 with mod = 11b, SDM table A-6 and APM
 * Vol. 3 table A-7), one bit per ModRM byte C0h-FFh. Some bytes name
 * different instructions under different SIMD prefixes (E8: SERIALIZE,
 * F3 SETSSBSY, F2 XSUSLDTRK); the decoder does not tell those apart, but
 * it rejects the bytes that exist only with a 66/F2/F3 prefix when none is
 * present.
 */
static const uint64_t grp7_reg_forms =
	0x000000000000007full |		/* C0-C6: ENCLV, VMCALL .. VMXOFF, PCONFIG, WRMSRNS */
	0x0000000000008f00ull |		/* C8-CB, CF: MONITOR, MWAIT, CLAC, STAC, ENCLS */
	0x0000000000f30000ull |		/* D0 D1 D4-D7: XGETBV XSETBV VMFUNC XEND XTEST ENCLU */
	0x00000000ff000000ull |		/* D8-DF: AMD SVM */
	0x000000ff00000000ull |		/* E0-E7: SMSW r */
	0x0000c10000000000ull |		/* E8, EE, EF: SERIALIZE, RDPKRU, WRPKRU */
	0xffff000000000000ull;		/* F0-F7: LMSW r; F8-FF: SWAPGS .. TLBSYNC */
static const uint64_t grp7_reg_forms_prefixed =
	0x0000000000007000ull |		/* 66 CC-CE: TDCALL, SEAMRET, SEAMOPS */
	0x0000360000000000ull;		/* F2 E9, F3 EA EC ED: XRESLDTRK SAVEPREVSSP UIRET TESTUI */

/*
 * Opcodes the legacy (non-VEX) 0F 38 and 0F 3A maps define under some SIMD
 * prefix, one bit per opcode (SDM Vol. 2A tables ): SSSE3,
 * SSE4.1/4.2, VMX/INVPCID, SHA, GFNI, AES and Key Locker, MOVBE/CRC32,
 * CET, ADX, MOVDIRI/MOVDIR64B/ENQCMD, RAO-INT, HRESET. Which prefix goes
 * with which opcode is not checked.
 */
static const uint64_t map_0f38_defined[4] = {
	0xffbf0f3f70b10fffull, 0x0000000000000003ull, 0x0000000000000007ull, 0x1f630000f900bf00ull,
};
static const uint64_t map_0f3a_defined[4] = {
	0x0000000700f0ff00ull, 0x0000000f00000017ull, 0x0000000000000000ull, 0x000100008000d000ull,
};

/* Reading state: the bytes, how many may be read, and the next position. */
struct cursor {
	const uint8_t *bytes;
	size_t avail;
	size_t pos;
};

/* Why the byte at the cursor cannot be read, or X86_OK if it can. */
static enum x86_decode_status can_read(const struct cursor *c)
{
	/* The 15-byte limit counts prefixes (SDM 2.3.11): past it nothing is read. */
	if (c->pos >= X86_MAX_INSN_LEN)
		return X86_TOO_LONG;
	if (c->pos >= c->avail)
		return X86_TRUNCATED;
	return X86_OK;
}

/* Reads n (1..8) little-endian bytes into *value. */
static enum x86_decode_status fetch(struct cursor *c, unsigned int n, uint64_t *value)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++) {
		enum x86_decode_status st = can_read(c);

		if (st != X86_OK)
			return st;
		v |= (uint64_t)c->bytes[c->pos++] << (8 * i);
	}
	*value = v;
	return X86_OK;
}

/* Reads one byte into *b. */
static enum x86_decode_status fetch8(struct cursor *c, uint8_t *b)
{
	uint64_t v = 0;
	enum x86_decode_status st = fetch(c, 1, &v);

	*b = (uint8_t)v;
	return st;
}

/* Looks at the next byte without consuming it. */
static enum x86_decode_status peek8(const struct cursor *c, uint8_t *b)
{
	enum x86_decode_status st = can_read(c);

	if (st == X86_OK)
		*b = c->bytes[c->pos];
	return st;
}

/* Decoding state beyond what struct x86_insn reports. */
struct decoder {
	struct cursor c;
	enum x86_mode mode;
	struct x86_insn *in;
	uint16_t attr;		/* map_primary/map_0f entry, or the synthesised one */
	uint8_t ext;		/* REX-style W R X B bits (8 4 2 1) from REX or VEX/EVEX/XOP */
	bool rex_pending;	/* the last byte read was a REX prefix */
};

#define EXT_W 8
#define EXT_R 4
#define EXT_X 2
#define EXT_B 1

/* Records one legacy prefix; returns false if b is not one (SDM Vol. 2A 2.1.1). */
static bool legacy_prefix(struct decoder *d, uint8_t b)
{
	struct x86_insn *in = d->in;
	int8_t seg = X86_SEG_NONE;

	switch (b) {
	case 0xf0: in->lock = true; return true;
	case 0xf2: in->repne = true; in->rep = false; return true;
	case 0xf3: in->rep = true; in->repne = false; return true;
	case 0x66: in->opsize_prefix = true; return true;
	case 0x67: in->addrsize_prefix = true; return true;
	case 0x26: seg = X86_SEG_ES; break;
	case 0x2e: seg = X86_SEG_CS; break;
	case 0x36: seg = X86_SEG_SS; break;
	case 0x3e: seg = X86_SEG_DS; break;
	case 0x64: seg = X86_SEG_FS; break;
	case 0x65: seg = X86_SEG_GS; break;
	default: return false;
	}
	/* 64-bit mode ignores ES, CS, SS and DS overrides (SDM Vol. 2A 2.1.1, APM Vol. 3 1.2.4). */
	if (d->mode != X86_MODE_64 || seg >= X86_SEG_FS)
		in->segment = seg;
	return true;
}

/*
 * Consumes legacy and REX prefixes and leaves the first opcode byte in *op.
 * A REX prefix counts only when it immediately precedes the opcode
 * (SDM Vol. 2A 2.2.1): a legacy prefix after it cancels it.
 */
static enum x86_decode_status read_prefixes(struct decoder *d, uint8_t *op)
{
	for (;;) {
		uint8_t b;
		enum x86_decode_status st = fetch8(&d->c, &b);

		if (st != X86_OK)
			return st;
		if (legacy_prefix(d, b)) {
			d->in->rex = 0;
			d->rex_pending = false;
			continue;
		}
		if (d->mode == X86_MODE_64 && (b & 0xf0) == 0x40) {
			d->in->rex = b;
			d->rex_pending = true;
			continue;
		}
		*op = b;
		d->ext = d->in->rex & 0x0f;
		return X86_OK;
	}
}

/* The SIMD prefix (VEX.pp encoding) that legacy 66/F2/F3 prefixes select; F2/F3 beat 66. */
static uint8_t legacy_pp(const struct x86_insn *in)
{
	if (in->repne)
		return 3;
	if (in->rep)
		return 2;
	return in->opsize_prefix ? 1 : 0;
}

/*
 * Attributes of an opcode in the VEX, EVEX or XOP maps: every such
 * instruction has a ModRM byte except VZEROUPPER/VZEROALL (VEX 0F 77), and
 * the immediates follow the map (SDM Vol. 2A 2.3.5 and appendix A; APM
 * Vol. 3 appendix A for XOP: map 8 has an Ib, map A an Id).
 */
static uint16_t vex_attr(uint8_t map, uint8_t op, enum x86_encoding enc)
{
	if (map == X86_MAP_0F && op == 0x77 && enc == X86_ENC_VEX)
		return 0;
	if (map == X86_MAP_0F3A || map == X86_MAP_XOP8)
		return F_MODRM | I_B;
	if (map == X86_MAP_XOPA)
		return F_MODRM | I_D;
	/* VPSHUFx, the shift-by-immediate groups, VCMPPS, VPINSRW, VPEXTRW, VSHUFPS. */
	if (map == X86_MAP_0F &&
	    ((op >= 0x70 && op <= 0x73) || op == 0xc2 || (op >= 0xc4 && op <= 0xc6)))
		return F_MODRM | I_B;
	return F_MODRM;
}

/*
 * Whether c0 (the byte after C4, C5 or 62) starts a VEX/EVEX prefix rather
 * than the ModRM of LES, LDS or BOUND: always in 64-bit mode, elsewhere
 * when it would encode mod = 11b, which those forbid (SDM Vol. 2A 2.3.5).
 */
static bool is_vex_escape(enum x86_mode mode, uint8_t c0)
{
	return mode == X86_MODE_64 || (c0 & 0xc0) == 0xc0;
}

/* Legacy prefixes and REX that must not precede VEX, EVEX or XOP (SDM Vol. 2A 2.3.2-2.3.4). */
static bool vex_prefix_conflict(const struct decoder *d)
{
	const struct x86_insn *in = d->in;

	return in->lock || in->rep || in->repne || in->opsize_prefix || d->rex_pending;
}

/*
 * Decodes a VEX (C4, C5), EVEX (62) or XOP (8F) prefix whose escape byte
 * was esc and reads the opcode after it (SDM Vol. 2A 2.3.5 and 2.7.1, APM
 * Vol. 3 appendix A for XOP). The payload's inverted R, X, B and its W
 * only count in 64-bit mode.
 */
static enum x86_decode_status read_vex(struct decoder *d, uint8_t esc)
{
	struct x86_insn *in = d->in;
	unsigned int n = esc == 0x62 ? 3 : esc == 0xc5 ? 1 : 2;
	uint8_t map, rxb, w = 0;
	enum x86_decode_status st;

	if (vex_prefix_conflict(d))
		return X86_INVALID;
	for (unsigned int i = 0; i < n; i++) {
		st = fetch8(&d->c, &in->vex_payload[i]);
		if (st != X86_OK)
			return st;
	}
	in->vex = true;
	if (esc == 0xc5) {
		in->encoding = X86_ENC_VEX;
		map = X86_MAP_0F;
		rxb = (in->vex_payload[0] >> 5) | 3;	/* only R is present */
		in->pp = in->vex_payload[0] & 3;
	} else {
		in->encoding = esc == 0xc4 ? X86_ENC_VEX : esc == 0x62 ? X86_ENC_EVEX : X86_ENC_XOP;
		map = in->vex_payload[0] & (esc == 0x62 ? 0x07 : 0x1f);
		rxb = in->vex_payload[0] >> 5;
		w = in->vex_payload[1] >> 7;
		in->pp = in->vex_payload[1] & 3;
	}
	if (in->encoding == X86_ENC_VEX && (map < X86_MAP_0F || map > X86_MAP_0F3A))
		return X86_INVALID;
	if (in->encoding == X86_ENC_XOP && (map < X86_MAP_XOP8 || map > X86_MAP_XOPA))
		return X86_INVALID;
	if (in->encoding == X86_ENC_EVEX) {
		/* P0 bit 3 is reserved 0 and P1 bit 2 reserved 1; maps 0, 4 and 7 are reserved. */
		if ((in->vex_payload[0] & 0x08) || !(in->vex_payload[1] & 0x04) ||
		    map == 0 || map == 4 || map == 7)
			return X86_INVALID;
	}
	if (d->mode == X86_MODE_64)
		d->ext = (uint8_t)((~rxb & 7) | (w ? EXT_W : 0));
	in->opcode_map = map;
	st = fetch8(&d->c, &in->opcode);
	if (st != X86_OK)
		return st;
	d->attr = vex_attr(map, in->opcode, (enum x86_encoding)in->encoding);
	return X86_OK;
}

/*
 * Reads the opcode: the escapes 0F, 0F 38, 0F 3A (SDM Vol. 2A 2.1.2), and
 * the VEX/EVEX/XOP prefixes that share bytes with LES, LDS, BOUND and POP.
 */
static enum x86_decode_status read_opcode(struct decoder *d, uint8_t op)
{
	struct x86_insn *in = d->in;
	enum x86_decode_status st;
	uint8_t next;

	if (op == 0xc4 || op == 0xc5 || op == 0x62 || op == 0x8f) {
		st = peek8(&d->c, &next);
		if (st != X86_OK)
			return st;
		/* XOP's map select is at least 8 where POP Ev needs ModRM.reg = 0 (APM Vol. 3). */
		if (op == 0x8f ? (next & 0x1f) >= 8 : is_vex_escape(d->mode, next))
			return read_vex(d, op);
	}
	in->pp = legacy_pp(in);
	if (op != 0x0f) {
		in->opcode_map = X86_MAP_PRIMARY;
		in->opcode = op;
		d->attr = map_primary[op];
		return X86_OK;
	}
	st = fetch8(&d->c, &op);
	if (st != X86_OK)
		return st;
	if (op == 0x38 || op == 0x3a) {
		in->opcode_map = op == 0x38 ? X86_MAP_0F38 : X86_MAP_0F3A;
		/* Every 0F 38 opcode has a ModRM; every 0F 3A one also an Ib (tables ). */
		d->attr = op == 0x38 ? F_MODRM : F_MODRM | I_B;
		return fetch8(&d->c, &in->opcode);
	}
	in->opcode_map = X86_MAP_0F;
	in->opcode = op;
	d->attr = map_0f[op];
	return X86_OK;
}

/* The effective operand size before byte forms (SDM Vol. 2A 2.2.1.2 and 2.2.1.7, table 2-4). */
static uint8_t operand_size(const struct decoder *d, uint16_t attr)
{
	bool o16 = d->in->opsize_prefix;

	if (d->in->vex)
		return (d->ext & EXT_W) ? 8 : 4;
	if (attr & F_CTRL)
		return d->mode == X86_MODE_64 ? 8 : 4;	/* 66h and REX.W are ignored */
	if (d->mode == X86_MODE_64) {
		if ((attr & F_IO) && (d->ext & EXT_W))
			return 4;
		if ((attr & F_F64) || (d->ext & EXT_W))
			return 8;
		if (attr & F_D64)
			return o16 ? 2 : 8;
		return o16 ? 2 : 4;
	}
	if (d->mode == X86_MODE_32)
		return o16 ? 2 : 4;
	return o16 ? 4 : 2;
}

/* The effective address size (SDM Vol. 2A 2.2.1.3 and table 2-4). */
static uint8_t address_size(enum x86_mode mode, bool a16)
{
	if (mode == X86_MODE_64)
		return a16 ? 4 : 8;
	if (mode == X86_MODE_32)
		return a16 ? 2 : 4;
	return a16 ? 4 : 2;
}

/* Reads a displacement of n bytes and sign-extends it. */
static enum x86_decode_status read_disp(struct decoder *d, unsigned int n)
{
	uint64_t v;
	enum x86_decode_status st = fetch(&d->c, n, &v);

	if (st != X86_OK)
		return st;
	d->in->disp_size = (uint8_t)n;
	d->in->disp = (int64_t)x86_sext(v, n);
	return X86_OK;
}

/* 16-bit addressing: ModRM.rm selects one of eight base/index pairs (SDM Vol. 2A table 2-1). */
static enum x86_decode_status modrm_mem16(struct decoder *d)
{
	/* BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP, BX; a lone register is the base. */
	static const uint8_t base16[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
	static const uint8_t index16[8] = {
		6, 7, 6, 7, X86_REG_NONE, X86_REG_NONE, X86_REG_NONE, X86_REG_NONE,
	};
	struct x86_insn *in = d->in;
	unsigned int rm = in->modrm & 7;

	in->base = base16[rm];
	in->index = index16[rm];
	if (in->mod == 0 && rm == 6) {
		in->base = X86_REG_NONE;	/* disp16 alone */
		return read_disp(d, 2);
	}
	return in->mod ? read_disp(d, in->mod == 1 ? 1 : 2) : X86_OK;
}

/* 32/64-bit addressing: ModRM, SIB, displacement (SDM Vol. 2A tables 2-2, 2-3, 2.2.1.6). */
static enum x86_decode_status modrm_mem32(struct decoder *d)
{
	struct x86_insn *in = d->in;
	enum x86_decode_status st;
	unsigned int rm = in->modrm & 7;

	in->base = in->rm;
	if (rm == 4) {
		st = fetch8(&d->c, &in->sib);
		if (st != X86_OK)
			return st;
		in->has_sib = true;
		in->scale = (uint8_t)(1u << (in->sib >> 6));
		in->index = (uint8_t)(((in->sib >> 3) & 7) | ((d->ext & EXT_X) ? 8 : 0));
		in->base = (uint8_t)((in->sib & 7) | ((d->ext & EXT_B) ? 8 : 0));
		if (in->index == 4)
			in->index = X86_REG_NONE;
		/* Base 101b with mod 00 means disp32 and no base, whatever REX.B says. */
		if ((in->sib & 7) == 5 && in->mod == 0) {
			in->base = X86_REG_NONE;
			return read_disp(d, 4);
		}
	} else if (rm == 5 && in->mod == 0) {
		/* disp32 alone; 64-bit mode makes it RIP-relative even with 67h (2.2.1.6). */
		in->base = X86_REG_NONE;
		in->rip_relative = d->mode == X86_MODE_64;
		return read_disp(d, 4);
	}
	if (in->mod == 0)
		return X86_OK;
	return read_disp(d, in->mod == 1 ? 1 : 4);
}

/* Reads ModRM and the SIB and displacement it calls for (SDM Vol. 2A 2.1.3-2.1.5). */
static enum x86_decode_status read_modrm(struct decoder *d)
{
	struct x86_insn *in = d->in;
	enum x86_decode_status st = fetch8(&d->c, &in->modrm);

	if (st != X86_OK)
		return st;
	in->has_modrm = true;
	in->mod = in->modrm >> 6;
	in->reg = (uint8_t)(((in->modrm >> 3) & 7) | ((d->ext & EXT_R) ? 8 : 0));
	in->rm = (uint8_t)((in->modrm & 7) | ((d->ext & EXT_B) ? 8 : 0));
	/* MOV to/from CRn/DRn ignore mod and always name a register (SDM Vol. 2B "MOV"). */
	if (d->attr & F_CTRL)
		in->mod = 3;
	if (in->mod == 3)
		return X86_OK;
	if (in->address_size == 2)
		return modrm_mem16(d);
	return modrm_mem32(d);
}

/* Whether a bit-per-ModRM table (C0h..FFh) has the register form modrm. */
static bool reg_form_in(uint64_t table, uint8_t modrm)
{
	return (table >> (modrm - 0xc0)) & 1;
}

/* One-byte-map groups and x87 escapes: which ModRM values exist (SDM tables ). */
static bool group_ok_primary(const struct x86_insn *in)
{
	unsigned int r = (in->modrm >> 3) & 7;

	switch (in->opcode) {
	case 0x8c:
		return r <= 5;			/* MOV Ev, Sreg: ES..GS */
	case 0x8e:
		return r <= 5 && r != 1;	/* MOV Sreg, Ew: loading CS is #UD */
	case 0x8f:
		return r == 0;			/* group 1A: POP Ev */
	case 0xc6:
	case 0xc7:
		/* Group 11: MOV /0, and XABORT/XBEGIN as C6 F8 / C7 F8 only. */
		return r == 0 || in->modrm == 0xf8;
	case 0xfe:
		return r <= 1;			/* group 4: INC, DEC */
	case 0xff:
		/* Group 5: /3 and /5 (far CALL/JMP) take m16:16/32/64 only. */
		return r != 7 && !((r == 3 || r == 5) && in->mod == 3);
	case 0xd8 ... 0xdf:
		if (in->mod == 3)
			return (x87_reg_forms[in->opcode - 0xd8][r] >> (in->modrm & 7)) & 1;
		/* D9 /1, DB /4, DB /6 and DD /5 are reserved memory forms. */
		return !((in->opcode == 0xd9 && r == 1) || (in->opcode == 0xdd && r == 5) ||
			 (in->opcode == 0xdb && (r == 4 || r == 6)));
	default:
		return true;			/* groups 1, 2 and 3 define every /r */
	}
}

/* Group 7 (0F 01): memory forms /0-/7 but /5 (RSTORSSP needs F3), register forms by table. */
static bool group7_ok(const struct decoder *d)
{
	const struct x86_insn *in = d->in;
	unsigned int r = (in->modrm >> 3) & 7;

	if (in->mod != 3)
		return r != 5 || in->pp == 2;
	if (in->modrm == 0xf8)
		return d->mode == X86_MODE_64;	/* SWAPGS */
	return reg_form_in(grp7_reg_forms, in->modrm) ||
	       (in->pp != 0 && reg_form_in(grp7_reg_forms_prefixed, in->modrm));
}

/*
 * Group 15 (0F AE), whose rows table A-6 splits by SIMD prefix. Memory:
 * FXSAVE .. CLFLUSH; 66: CLWB, CLFLUSHOPT; F3: PTWRITE, CLRSSBSY.
 * Registers: LFENCE, MFENCE, SFENCE; 66: TPAUSE; F3: RDFSBASE ..
 * WRGSBASE (64-bit mode only), PTWRITE, INCSSP, UMONITOR; F2: UMWAIT.
 */
static bool group15_ok(const struct decoder *d)
{
	static const uint8_t mem_rows[4] = { 0xff, 0xc0, 0x50, 0x00 };
	static const uint8_t reg_rows[4] = { 0xe0, 0x40, 0x70, 0x40 };
	const struct x86_insn *in = d->in;
	unsigned int r = (in->modrm >> 3) & 7;

	if (in->mod != 3)
		return (mem_rows[in->pp] >> r) & 1;
	if (in->pp == 2 && r <= 3)
		return d->mode == X86_MODE_64;
	return (reg_rows[in->pp] >> r) & 1;
}

/*
 * Group 9 (0F C7), split by SIMD prefix (table A-6). Memory: CMPXCHG8B/16B
 * (any prefix: F2/F3 are HLE hints there), XRSTORS, XSAVEC, XSAVES,
 * VMPTRLD, VMPTRST; 66: VMCLEAR; F3: VMXON. Registers: RDRAND, RDSEED
 * (none or 66); F3: RDPID and, in 64-bit mode, SENDUIPI.
 */
static bool group9_ok(const struct decoder *d)
{
	static const uint8_t mem_rows[4] = { 0xfa, 0x42, 0x42, 0x02 };
	static const uint8_t reg_rows[4] = { 0xc0, 0xc0, 0x80, 0x00 };
	const struct x86_insn *in = d->in;
	unsigned int r = (in->modrm >> 3) & 7;

	if (in->mod != 3)
		return (mem_rows[in->pp] >> r) & 1;
	if (in->pp == 2 && r == 6)
		return d->mode == X86_MODE_64;
	return (reg_rows[in->pp] >> r) & 1;
}

/*
 * VIA PadLock (VIA PadLock Programming Guide; in neither the SDM nor the
 * APM): F3 0F A6 C0/C8/D0 (MONTMUL, XSHA1, XSHA256), 0F A7 C0 (XSTORE) and
 * F3 0F A7 C8-E8 (REP XCRYPTECB .. XCRYPTOFB).
 */
static bool padlock_ok(const struct x86_insn *in)
{
	uint8_t m = in->modrm;

	if (in->mod != 3 || (m & 7) || in->repne)
		return false;
	if (in->opcode == 0xa6)
		return in->rep && m <= 0xd0;
	return m == 0xc0 || (in->rep && m <= 0xe8);
}

/*
 * The 0F 78/79 pair: VMREAD/VMWRITE without prefix; with 66/F2 the SSE4a
 * EXTRQ/INSERTQ register forms (APM Vol. 4), of which 66 0F 78 exists as /0.
 */
static bool sse4a_ok(const struct x86_insn *in)
{
	if (in->pp == 0)
		return true;
	if (in->pp == 2 || in->mod != 3)
		return false;
	return in->opcode == 0x79 || in->pp == 3 || ((in->modrm >> 3) & 7) == 0;
}

/* Whether the CRn/DRn exists: CR0, CR2-CR4, CR8, DR0-DR7 (SDM Vol. 2A 2.2.2, Vol. 3A 2.5). */
static bool ctrl_reg_ok(const struct x86_insn *in)
{
	unsigned int r = in->reg;

	if (in->opcode & 1)
		return r <= 7;
	return r == 0 || r == 2 || r == 3 || r == 4 || r == 8;
}

/* 0F-map groups: which ModRM values exist (SDM table A-6). */
static bool group_ok_0f(const struct decoder *d)
{
	const struct x86_insn *in = d->in;
	unsigned int r = (in->modrm >> 3) & 7;

	switch (in->opcode) {
	case 0x00:
		return r <= 5;			/* group 6: SLDT .. VERW */
	case 0x01:
		return group7_ok(d);
	case 0x20 ... 0x23:
		return ctrl_reg_ok(in);
	case 0x71:
	case 0x72:
		return r == 2 || r == 4 || r == 6;	/* groups 12, 13 */
	case 0x73:
		/* Group 14: PSRLDQ /3 and PSLLDQ /7 exist for XMM (66) only. */
		return r == 2 || r == 6 || ((r == 3 || r == 7) && in->pp == 1);
	case 0x78:
	case 0x79:
		return sse4a_ok(in);
	case 0xae:
		return group15_ok(d);
	case 0xb8:
		return in->pp == 2;		/* POPCNT; JMPE is IA-64 only */
	case 0xba:
		return r >= 4;			/* group 8: BT, BTS, BTR, BTC */
	case 0xc7:
		return group9_ok(d);
	case 0xa6:
	case 0xa7:
		return padlock_ok(in);
	default:
		return true;
	}
}

/* Whether the opcode and ModRM just read exist in this mode. */
static bool opcode_ok(const struct decoder *d)
{
	const struct x86_insn *in = d->in;
	uint16_t a = d->attr;

	if (!in->vex && in->opcode_map == X86_MAP_0F38)
		return (map_0f38_defined[in->opcode / 64] >> (in->opcode % 64)) & 1;
	if (!in->vex && in->opcode_map == X86_MAP_0F3A)
		return (map_0f3a_defined[in->opcode / 64] >> (in->opcode % 64)) & 1;
	if (((a & F_MEM) && in->mod == 3) || ((a & F_REG) && in->mod != 3))
		return false;
	if (!(a & F_GROUP) || in->vex)
		return true;
	if (in->opcode_map == X86_MAP_PRIMARY)
		return group_ok_primary(in);
	return group_ok_0f(d);
}

/* Whether LOCK may prefix this instruction (SDM Vol. 2A "LOCK"): memory destinations of RMW ops. */
static bool lock_ok(const struct decoder *d)
{
	const struct x86_insn *in = d->in;
	unsigned int r = (in->modrm >> 3) & 7;

	if (in->opcode_map == X86_MAP_0F && (in->opcode == 0x20 || in->opcode == 0x22))
		return r == 0 && !(d->ext & EXT_R);	/* AMD LOCK MOV CR0, see group_attr() */
	if (in->vex || !in->has_modrm || in->mod == 3)
		return false;
	if (d->attr & F_LOCK)
		return true;
	if (in->opcode_map == X86_MAP_PRIMARY) {
		switch (in->opcode) {
		case 0x80 ... 0x83:
			return r != 7;		/* not CMP */
		case 0xf6:
		case 0xf7:
			return r == 2 || r == 3;	/* NOT, NEG */
		case 0xfe:
		case 0xff:
			return r <= 1;		/* INC, DEC */
		}
		return false;
	}
	if (in->opcode_map == X86_MAP_0F && in->opcode == 0xba)
		return r >= 5;			/* BTS, BTR, BTC */
	return in->opcode_map == X86_MAP_0F && in->opcode == 0xc7 && r == 1;
}

/*
 * Completes what depends on ModRM within groups (SDM table A-6): TEST's
 * immediate in group 3, the 64-bit operand sizes in group 5, SSE4a's two
 * immediates, and reg = 8 for AMD's LOCK MOV CR0 (APM Vol. 3 "MOV CRn").
 */
static void group_attr(struct decoder *d)
{
	struct x86_insn *in = d->in;
	unsigned int r = (in->modrm >> 3) & 7;

	if (in->vex)
		return;
	if (in->opcode_map == X86_MAP_0F) {
		if (in->opcode == 0x78 && in->pp != 0)
			d->attr |= I_BB;			/* EXTRQ/INSERTQ Ib, Ib */
		if ((in->opcode == 0x20 || in->opcode == 0x22) && in->lock && in->reg == 0)
			in->reg = 8;
		return;
	}
	if (in->opcode_map != X86_MAP_PRIMARY)
		return;
	if ((in->opcode == 0xf6 || in->opcode == 0xf7) && r <= 1)
		d->attr |= in->opcode == 0xf6 ? I_B : I_Z;	/* TEST Eb, Ib / Ev, Iz */
	if (in->opcode == 0xff && (r == 2 || r == 4))
		d->attr |= F_F64;				/* near CALL/JMP */
	if (in->opcode == 0xff && r == 6)
		d->attr |= F_D64;				/* PUSH Ev */
}

/* Reads an immediate of n bytes into *value and *size. */
static enum x86_decode_status read_imm(struct decoder *d, unsigned int n, uint64_t *value,
				       uint8_t *size)
{
	*size = (uint8_t)n;
	return fetch(&d->c, n, value);
}

/* Reads the immediates the opcode calls for (SDM Vol. 2A 2.1.4, 2.2.1.4, 2.2.1.5). */
static enum x86_decode_status read_imms(struct decoder *d)
{
	struct x86_insn *in = d->in;
	unsigned int z = in->operand_size == 2 ? 2 : 4;
	enum x86_decode_status st;

	switch (d->attr & IMM_MASK) {
	case I_B:
		return read_imm(d, 1, &in->imm, &in->imm_size);
	case I_W:
		return read_imm(d, 2, &in->imm, &in->imm_size);
	case I_D:
		return read_imm(d, 4, &in->imm, &in->imm_size);
	case I_Z:
		return read_imm(d, z, &in->imm, &in->imm_size);
	case I_V:
		return read_imm(d, in->operand_size, &in->imm, &in->imm_size);
	case I_MOFFS:
		/* The offset is an address: address-size wide, 8 bytes in 64-bit mode. */
		return read_disp(d, in->address_size);
	case I_PTR:
		st = read_imm(d, z, &in->imm, &in->imm_size);
		return st != X86_OK ? st : read_imm(d, 2, &in->imm2, &in->imm2_size);
	case I_WB:
		st = read_imm(d, 2, &in->imm, &in->imm_size);
		return st != X86_OK ? st : read_imm(d, 1, &in->imm2, &in->imm2_size);
	case I_BB:
		st = read_imm(d, 1, &in->imm, &in->imm_size);
		return st != X86_OK ? st : read_imm(d, 1, &in->imm2, &in->imm2_size);
	default:
		return X86_OK;
	}
}

/* Opcode onwards: ModRM, validity, sizes and immediates. */
static enum x86_decode_status decode_body(struct decoder *d)
{
	struct x86_insn *in = d->in;
	enum x86_decode_status st;

	if ((d->attr & F_UD) || ((d->attr & F_I64) && d->mode == X86_MODE_64))
		return X86_INVALID;
	if (d->attr & F_MODRM) {
		st = read_modrm(d);
		if (st != X86_OK)
			return st;
		if (!opcode_ok(d))
			return X86_INVALID;
		group_attr(d);
	}
	if (in->lock && !lock_ok(d))
		return X86_INVALID;
	in->operand_size = operand_size(d, d->attr);
	st = read_imms(d);
	if (st != X86_OK)
		return st;
	if (d->attr & F_BYTE)
		in->operand_size = 1;
	return X86_OK;
}

enum x86_decode_status x86_decode(const uint8_t *bytes, size_t avail, enum x86_mode mode,
				  struct x86_insn *out)
{
	struct decoder d = { .c = { bytes, avail, 0 }, .mode = mode, .in = out };
	enum x86_decode_status st;
	uint8_t op;

	memset(out, 0, sizeof(*out));
	out->segment = X86_SEG_NONE;
	out->base = X86_REG_NONE;
	out->index = X86_REG_NONE;
	out->scale = 1;
	st = read_prefixes(&d, &op);
	if (st != X86_OK)
		return st;
	out->address_size = address_size(mode, out->addrsize_prefix);
	st = read_opcode(&d, op);
	if (st != X86_OK)
		return st;
	st = decode_body(&d);
	if (st != X86_OK)
		return st;
	out->len = (uint8_t)d.c.pos;
	return X86_OK;
}

/* Keeps the low size bytes of v. */
static uint64_t truncate_to(uint64_t v, unsigned int size)
{
	return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

uint64_t x86_effective_address(const struct x86_insn *in, const uint64_t gpr[16],
			       uint64_t rip_next)
{
	uint64_t ea = (uint64_t)in->disp;

	if (in->rip_relative)
		ea += rip_next;
	if (in->base != X86_REG_NONE)
		ea += gpr[in->base & 15];
	if (in->index != X86_REG_NONE)
		ea += gpr[in->index & 15] * in->scale;
	return truncate_to(ea, in->address_size);
}
