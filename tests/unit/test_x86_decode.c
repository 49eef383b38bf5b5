/* Host unit tests for guest/x86/x86_decode.c: hand-written cases, malformed input, and Zydis as an oracle. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/x86/x86_decode.h"
#include "tests/unit/x86_oracle.h"

/* ------------------------------------------------------------------------------------------- */
/* Exact-size heap copies: ASan reports any read at or past avail. */

/* One buffer per length 0..15, allocated once, each exactly that long. */
static uint8_t *exact_buf[X86_MAX_INSN_LEN + 1];

static void exact_bufs_init(void)
{
	for (size_t n = 0; n <= X86_MAX_INSN_LEN; n++) {
		if (!exact_buf[n])
			exact_buf[n] = malloc(n ? n : 1);
		assert_non_null(exact_buf[n]);
	}
}

/* Decodes the first n bytes of b from a heap buffer of exactly n bytes. */
static enum x86_decode_status decode_exact(const uint8_t *b, size_t n, enum x86_mode mode,
					   struct x86_insn *in)
{
	assert_true(n <= X86_MAX_INSN_LEN);
	memcpy(exact_buf[n], b, n);
	return x86_decode(exact_buf[n], n, mode, in);
}

/* Every proper prefix of a valid instruction must be reported as truncated. */
static bool truncations_ok(const uint8_t *b, size_t len, enum x86_mode mode)
{
	struct x86_insn in;

	for (size_t k = 0; k < len; k++)
		if (decode_exact(b, k, mode, &in) != X86_TRUNCATED)
			return false;
	return true;
}

/* ------------------------------------------------------------------------------------------- */
/* Hand-written cases: bytes in hex and the expected fields in a small key=value language. */

static size_t parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		assert_true(n < max);
		out[n++] = (uint8_t)strtoul(s, (char **)&s, 16);
	}
	return n;
}

static const char *const reg_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static uint8_t parse_reg(const char *v)
{
	if (!strcmp(v, "-"))
		return X86_REG_NONE;
	for (unsigned int i = 0; i < 16; i++)
		if (!strcmp(v, reg_names[i]))
			return (uint8_t)i;
	fail_msg("bad register name %s", v);
	return 0;
}

static int8_t parse_seg(const char *v)
{
	static const char *const names[] = { "es", "cs", "ss", "ds", "fs", "gs" };

	for (int i = 0; i < 6; i++)
		if (!strcmp(v, names[i]))
			return (int8_t)i;
	fail_msg("bad segment name %s", v);
	return 0;
}

/* "VALUE:SIZE" with a signed or 0x-prefixed value. */
static void parse_sized(const char *v, uint64_t *value, uint8_t *size)
{
	char *end;

	if (*v == '-')
		*value = (uint64_t)strtoll(v, &end, 0);
	else
		*value = strtoull(v, &end, 0);
	assert_int_equal(*end, ':');
	*size = (uint8_t)strtoul(end + 1, NULL, 10);
}

/*
 * The expectation language: "invalid", "truncated", "toolong", or a list of
 * key=value and flag words. len, map and op must be given; modrm=, sib=,
 * disp=, imm=, imm2=, seg= and the flags (lock rep repne rip vex o16 a16)
 * are always checked: absent means none/false. Other keys (mod reg rm base
 * index scale osz asz rex pp enc) are checked when given.
 */
struct expect {
	struct x86_insn want;
	bool chk_mod, chk_reg, chk_rm, chk_base, chk_index, chk_scale;
	bool chk_osz, chk_asz, chk_rex, chk_pp, chk_enc;
};

static void parse_expect(const char *text, struct expect *e)
{
	char buf[512], *save = NULL;
	struct x86_insn *w = &e->want;
	bool have_len = false, have_map = false, have_op = false;

	memset(e, 0, sizeof(*e));
	w->segment = X86_SEG_NONE;
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *v = strchr(tok, '=');
		uint64_t x;

		if (v)
			*v++ = 0;
		if (!strcmp(tok, "len")) { w->len = (uint8_t)atoi(v); have_len = true; }
		else if (!strcmp(tok, "map")) { w->opcode_map = (uint8_t)atoi(v); have_map = true; }
		else if (!strcmp(tok, "op")) { w->opcode = (uint8_t)strtoul(v, NULL, 16); have_op = true; }
		else if (!strcmp(tok, "modrm")) { w->has_modrm = true; w->modrm = (uint8_t)strtoul(v, NULL, 16); }
		else if (!strcmp(tok, "sib")) { w->has_sib = true; w->sib = (uint8_t)strtoul(v, NULL, 16); }
		else if (!strcmp(tok, "mod")) { w->mod = (uint8_t)atoi(v); e->chk_mod = true; }
		else if (!strcmp(tok, "reg")) { w->reg = (uint8_t)atoi(v); e->chk_reg = true; }
		else if (!strcmp(tok, "rm")) { w->rm = (uint8_t)atoi(v); e->chk_rm = true; }
		else if (!strcmp(tok, "base")) { w->base = parse_reg(v); e->chk_base = true; }
		else if (!strcmp(tok, "index")) { w->index = parse_reg(v); e->chk_index = true; }
		else if (!strcmp(tok, "scale")) { w->scale = (uint8_t)atoi(v); e->chk_scale = true; }
		else if (!strcmp(tok, "osz")) { w->operand_size = (uint8_t)atoi(v); e->chk_osz = true; }
		else if (!strcmp(tok, "asz")) { w->address_size = (uint8_t)atoi(v); e->chk_asz = true; }
		else if (!strcmp(tok, "rex")) { w->rex = (uint8_t)strtoul(v, NULL, 16); e->chk_rex = true; }
		else if (!strcmp(tok, "pp")) { w->pp = (uint8_t)atoi(v); e->chk_pp = true; }
		else if (!strcmp(tok, "enc")) {
			w->encoding = !strcmp(v, "vex") ? X86_ENC_VEX : !strcmp(v, "evex") ? X86_ENC_EVEX :
				      !strcmp(v, "xop") ? X86_ENC_XOP : X86_ENC_LEGACY;
			e->chk_enc = true;
		}
		else if (!strcmp(tok, "disp")) { parse_sized(v, &x, &w->disp_size); w->disp = (int64_t)x; }
		else if (!strcmp(tok, "imm")) parse_sized(v, &w->imm, &w->imm_size);
		else if (!strcmp(tok, "imm2")) parse_sized(v, &w->imm2, &w->imm2_size);
		else if (!strcmp(tok, "seg")) w->segment = parse_seg(v);
		else if (!strcmp(tok, "lock")) w->lock = true;
		else if (!strcmp(tok, "rep")) w->rep = true;
		else if (!strcmp(tok, "repne")) w->repne = true;
		else if (!strcmp(tok, "rip")) w->rip_relative = true;
		else if (!strcmp(tok, "vex")) w->vex = true;
		else if (!strcmp(tok, "o16")) w->opsize_prefix = true;
		else if (!strcmp(tok, "a16")) w->addrsize_prefix = true;
		else fail_msg("unknown expectation key %s", tok);
	}
	assert_true(have_len && have_map && have_op);
}

#define CHECK_FIELD(cond, field)							\
	do {										\
		if ((cond) && (long long)got->field != (long long)w->field) {		\
			print_error("%s: %s is %lld, expected %lld\n", where, #field,	\
				    (long long)got->field, (long long)w->field);	\
			ok = false;							\
		}									\
	} while (0)

/* Compares a decoded instruction with an expectation; prints every difference. */
static bool matches(const struct x86_insn *got, const struct expect *e, const char *where)
{
	const struct x86_insn *w = &e->want;
	bool ok = true;

	CHECK_FIELD(true, len);
	CHECK_FIELD(true, opcode_map);
	CHECK_FIELD(true, opcode);
	CHECK_FIELD(true, has_modrm);
	CHECK_FIELD(w->has_modrm, modrm);
	CHECK_FIELD(true, has_sib);
	CHECK_FIELD(w->has_sib, sib);
	CHECK_FIELD(true, disp_size);
	CHECK_FIELD(true, disp);
	CHECK_FIELD(true, imm_size);
	CHECK_FIELD(true, imm);
	CHECK_FIELD(true, imm2_size);
	CHECK_FIELD(true, imm2);
	CHECK_FIELD(true, segment);
	CHECK_FIELD(true, lock);
	CHECK_FIELD(true, rep);
	CHECK_FIELD(true, repne);
	CHECK_FIELD(true, rip_relative);
	CHECK_FIELD(true, vex);
	CHECK_FIELD(true, opsize_prefix);
	CHECK_FIELD(true, addrsize_prefix);
	CHECK_FIELD(e->chk_mod, mod);
	CHECK_FIELD(e->chk_reg, reg);
	CHECK_FIELD(e->chk_rm, rm);
	CHECK_FIELD(e->chk_base, base);
	CHECK_FIELD(e->chk_index, index);
	CHECK_FIELD(e->chk_scale, scale);
	CHECK_FIELD(e->chk_osz, operand_size);
	CHECK_FIELD(e->chk_asz, address_size);
	CHECK_FIELD(e->chk_rex, rex);
	CHECK_FIELD(e->chk_pp, pp);
	CHECK_FIELD(e->chk_enc, encoding);
	return ok;
}

struct hand_case {
	enum x86_mode mode;
	const char *hex;
	const char *expect;
};

#define M16 X86_MODE_16
#define M32 X86_MODE_32
#define M64 X86_MODE_64

/* The emulated subset and the instructions that commonly exit, in 64-bit mode. */
static const struct hand_case cases64[] = {
	/* MOV to memory, all widths, register and immediate forms; REX, 66h, SIB, RIP. */
	{ M64, "88 07", "len=2 map=0 op=88 osz=1 asz=8 modrm=07 mod=0 reg=0 rm=7 base=rdi index=-" },
	{ M64, "40 88 37", "len=3 map=0 op=88 osz=1 rex=40 modrm=37 mod=0 reg=6 rm=7 base=rdi" },
	{ M64, "89 0c 24", "len=3 map=0 op=89 osz=4 modrm=0c reg=1 rm=4 sib=24 base=rsp index=- scale=1" },
	{ M64, "48 89 0c 24", "len=4 map=0 op=89 osz=8 rex=48 modrm=0c reg=1 sib=24 base=rsp" },
	{ M64, "66 89 08", "len=3 map=0 op=89 o16 osz=2 modrm=08 reg=1 rm=0 base=rax" },
	{ M64, "66 48 89 08", "len=4 map=0 op=89 o16 osz=8 rex=48 modrm=08 base=rax" },
	/* A REX followed by a legacy prefix is ignored (SDM 2.2.1). */
	{ M64, "48 66 89 08", "len=4 map=0 op=89 o16 osz=2 rex=0 modrm=08 base=rax" },
	{ M64, "4c 89 04 c5 00 10 00 00",
	  "len=8 map=0 op=89 osz=8 rex=4c modrm=04 mod=0 reg=8 rm=4 sib=c5 base=- index=rax scale=8 disp=0x1000:4" },
	{ M64, "42 89 04 2d 78 56 34 12",
	  "len=8 map=0 op=89 osz=4 rex=42 modrm=04 sib=2d base=- index=r13 scale=1 disp=0x12345678:4" },
	{ M64, "41 89 45 f8", "len=4 map=0 op=89 rex=41 modrm=45 mod=1 reg=0 rm=13 base=r13 disp=-8:1" },
	{ M64, "41 89 45 00", "len=4 map=0 op=89 rex=41 modrm=45 mod=1 rm=13 base=r13 disp=0:1" },
	{ M64, "41 89 04 24", "len=4 map=0 op=89 rex=41 modrm=04 rm=12 sib=24 base=r12 index=-" },
	/* REX.X makes SIB index 100b r12 instead of "no index". */
	{ M64, "43 89 04 24", "len=4 map=0 op=89 rex=43 modrm=04 sib=24 base=r12 index=r12 scale=1" },
	/* SIB base 101b with mod 00 has no base even with REX.B. */
	{ M64, "41 89 04 25 78 56 34 12",
	  "len=8 map=0 op=89 rex=41 modrm=04 rm=12 sib=25 base=- index=- disp=0x12345678:4" },
	{ M64, "67 41 89 04 25 78 56 34 12",
	  "len=9 map=0 op=89 a16 asz=4 rex=41 modrm=04 sib=25 base=- index=- disp=0x12345678:4" },
	{ M64, "89 05 78 56 34 12", "len=6 map=0 op=89 modrm=05 mod=0 rm=5 rip base=- index=- disp=0x12345678:4" },
	{ M64, "67 89 05 f0 ff ff ff", "len=7 map=0 op=89 a16 asz=4 modrm=05 rip disp=-16:4" },
	{ M64, "67 89 00", "len=3 map=0 op=89 a16 asz=4 modrm=00 base=rax" },
	{ M64, "c6 00 ff", "len=3 map=0 op=c6 osz=1 modrm=00 reg=0 base=rax imm=0xff:1" },
	{ M64, "c7 00 78 56 34 12", "len=6 map=0 op=c7 osz=4 modrm=00 base=rax imm=0x12345678:4" },
	{ M64, "48 c7 00 ff ff ff ff", "len=7 map=0 op=c7 osz=8 rex=48 modrm=00 imm=0xffffffff:4" },
	{ M64, "66 c7 00 34 12", "len=5 map=0 op=c7 o16 osz=2 modrm=00 imm=0x1234:2" },
	{ M64, "c7 44 24 08 01 00 00 00", "len=8 map=0 op=c7 osz=4 modrm=44 sib=24 base=rsp disp=8:1 imm=1:4" },
	{ M64, "48 b8 88 77 66 55 44 33 22 11", "len=10 map=0 op=b8 osz=8 rex=48 imm=0x1122334455667788:8" },
	{ M64, "b8 78 56 34 12", "len=5 map=0 op=b8 osz=4 imm=0x12345678:4" },
	{ M64, "66 b8 34 12", "len=4 map=0 op=b8 o16 osz=2 imm=0x1234:2" },
	{ M64, "0f 11 07", "len=3 map=1 op=11 modrm=07 base=rdi pp=0" },
	{ M64, "66 0f 11 07", "len=4 map=1 op=11 o16 modrm=07 base=rdi pp=1" },
	{ M64, "f3 0f 11 07", "len=4 map=1 op=11 rep modrm=07 base=rdi pp=2" },
	{ M64, "48 0f c3 07", "len=4 map=1 op=c3 osz=8 rex=48 modrm=07 base=rdi" },
	{ M64, "0f c3 07", "len=3 map=1 op=c3 osz=4 modrm=07 base=rdi" },
	/* XCHG, CMPXCHG, CMPXCHG8B/16B. */
	{ M64, "86 07", "len=2 map=0 op=86 osz=1 modrm=07 base=rdi" },
	{ M64, "87 07", "len=2 map=0 op=87 osz=4 modrm=07 base=rdi" },
	{ M64, "f0 87 07", "len=3 map=0 op=87 lock osz=4 modrm=07 base=rdi" },
	{ M64, "f0 0f b1 0f", "len=4 map=1 op=b1 lock osz=4 modrm=0f reg=1 rm=7 base=rdi" },
	{ M64, "f0 48 0f b1 0f", "len=5 map=1 op=b1 lock osz=8 rex=48 modrm=0f reg=1 base=rdi" },
	{ M64, "f0 0f b0 0f", "len=4 map=1 op=b0 lock osz=1 modrm=0f reg=1 base=rdi" },
	{ M64, "f0 0f c7 0f", "len=4 map=1 op=c7 lock osz=4 modrm=0f reg=1 rm=7 base=rdi" },
	{ M64, "f0 48 0f c7 0f", "len=5 map=1 op=c7 lock osz=8 rex=48 modrm=0f reg=1 base=rdi" },
	/* HLE hints: F2/F3 with LOCK. */
	{ M64, "f2 f0 0f b1 0f", "len=5 map=1 op=b1 lock repne osz=4 modrm=0f reg=1 base=rdi" },
	/* LOCKed group 1 and ALU forms. */
	{ M64, "f0 80 0f 01", "len=4 map=0 op=80 lock osz=1 modrm=0f reg=1 base=rdi imm=1:1" },
	{ M64, "f0 81 27 ff 0f 00 00", "len=7 map=0 op=81 lock osz=4 modrm=27 reg=4 base=rdi imm=0xfff:4" },
	{ M64, "f0 48 83 37 ff", "len=5 map=0 op=83 lock osz=8 rex=48 modrm=37 reg=6 base=rdi imm=0xff:1" },
	{ M64, "f0 66 83 07 80", "len=5 map=0 op=83 lock o16 osz=2 modrm=07 reg=0 base=rdi imm=0x80:1" },
	{ M64, "f0 48 81 2f 00 00 00 80", "len=8 map=0 op=81 lock osz=8 rex=48 modrm=2f reg=5 imm=0x80000000:4" },
	{ M64, "f0 09 07", "len=3 map=0 op=09 lock osz=4 modrm=07 base=rdi" },
	{ M64, "f0 21 07", "len=3 map=0 op=21 lock osz=4 modrm=07 base=rdi" },
	{ M64, "f0 31 07", "len=3 map=0 op=31 lock osz=4 modrm=07 base=rdi" },
	{ M64, "f0 01 07", "len=3 map=0 op=01 lock osz=4 modrm=07 base=rdi" },
	{ M64, "f0 29 07", "len=3 map=0 op=29 lock osz=4 modrm=07 base=rdi" },
	{ M64, "f0 08 07", "len=3 map=0 op=08 lock osz=1 modrm=07 base=rdi" },
	{ M64, "f0 20 07", "len=3 map=0 op=20 lock osz=1 modrm=07 base=rdi" },
	{ M64, "f0 30 07", "len=3 map=0 op=30 lock osz=1 modrm=07 base=rdi" },
	{ M64, "f0 00 07", "len=3 map=0 op=00 lock osz=1 modrm=07 base=rdi" },
	{ M64, "f0 28 07", "len=3 map=0 op=28 lock osz=1 modrm=07 base=rdi" },
	{ M64, "f0 4c 09 3c 24", "len=5 map=0 op=09 lock osz=8 rex=4c modrm=3c reg=15 sib=24 base=rsp" },
	/* BTS, BTR, BTC. */
	{ M64, "f0 48 0f ab 07", "len=5 map=1 op=ab lock osz=8 rex=48 modrm=07 base=rdi" },
	{ M64, "f0 0f b3 07", "len=4 map=1 op=b3 lock osz=4 modrm=07 base=rdi" },
	{ M64, "f0 0f bb 07", "len=4 map=1 op=bb lock osz=4 modrm=07 base=rdi" },
	{ M64, "f0 0f ba 2f 05", "len=5 map=1 op=ba lock osz=4 modrm=2f reg=5 base=rdi imm=5:1" },
	{ M64, "f0 0f ba 37 3f", "len=5 map=1 op=ba lock osz=4 modrm=37 reg=6 base=rdi imm=0x3f:1" },
	{ M64, "f0 48 0f ba 3f 00", "len=6 map=1 op=ba lock osz=8 rex=48 modrm=3f reg=7 base=rdi imm=0:1" },
	{ M64, "0f ba 20 01", "len=4 map=1 op=ba osz=4 modrm=20 reg=4 base=rax imm=1:1" },
	/* REP STOS/MOVS. */
	{ M64, "f3 aa", "len=2 map=0 op=aa rep osz=1 asz=8" },
	{ M64, "f3 48 ab", "len=3 map=0 op=ab rep osz=8 rex=48" },
	{ M64, "f3 ab", "len=2 map=0 op=ab rep osz=4" },
	{ M64, "f3 a4", "len=2 map=0 op=a4 rep osz=1" },
	{ M64, "f3 66 a5", "len=3 map=0 op=a5 rep o16 osz=2" },
	{ M64, "f3 a5", "len=2 map=0 op=a5 rep osz=4" },
	{ M64, "f3 67 a4", "len=3 map=0 op=a4 rep a16 asz=4 osz=1" },
	{ M64, "64 f3 a4", "len=3 map=0 op=a4 rep seg=fs osz=1" },
	/* Instructions that commonly exit. */
	{ M64, "0f a2", "len=2 map=1 op=a2" },
	{ M64, "f4", "len=1 map=0 op=f4" },
	{ M64, "e4 60", "len=2 map=0 op=e4 osz=1 imm=0x60:1" },
	{ M64, "e7 80", "len=2 map=0 op=e7 osz=4 imm=0x80:1" },
	{ M64, "66 e7 80", "len=3 map=0 op=e7 o16 osz=2 imm=0x80:1" },
	{ M64, "ec", "len=1 map=0 op=ec osz=1" },
	{ M64, "ed", "len=1 map=0 op=ed osz=4" },
	{ M64, "66 ef", "len=2 map=0 op=ef o16 osz=2" },
	/* Port I/O ignores REX.W. */
	{ M64, "48 ef", "len=2 map=0 op=ef osz=4 rex=48" },
	{ M64, "66 48 e5 60", "len=4 map=0 op=e5 o16 osz=4 rex=48 imm=0x60:1" },
	{ M64, "f3 48 6d", "len=3 map=0 op=6d rep osz=4 rex=48" },
	{ M64, "6c", "len=1 map=0 op=6c osz=1" },
	{ M64, "f3 6f", "len=2 map=0 op=6f rep osz=4" },
	{ M64, "f3 6d", "len=2 map=0 op=6d rep osz=4" },
	{ M64, "0f 32", "len=2 map=1 op=32" },
	{ M64, "0f 30", "len=2 map=1 op=30" },
	{ M64, "0f 20 d8", "len=3 map=1 op=20 osz=8 modrm=d8 mod=3 reg=3 rm=0" },
	{ M64, "44 0f 22 c0", "len=4 map=1 op=22 osz=8 rex=44 modrm=c0 mod=3 reg=8 rm=0" },
	{ M64, "41 0f 22 e7", "len=4 map=1 op=22 osz=8 rex=41 modrm=e7 mod=3 reg=4 rm=15" },
	/* MOV CR ignores mod: no displacement, mod reads as 3. */
	{ M64, "0f 22 00", "len=3 map=1 op=22 osz=8 modrm=00 mod=3 reg=0 rm=0 base=-" },
	{ M64, "0f 20 45", "len=3 map=1 op=20 osz=8 modrm=45 mod=3 reg=0 rm=5" },
	{ M64, "66 0f 20 d8", "len=4 map=1 op=20 o16 osz=8 modrm=d8 reg=3" },
	{ M64, "0f 21 f8", "len=3 map=1 op=21 osz=8 modrm=f8 mod=3 reg=7 rm=0" },
	{ M64, "0f 06", "len=2 map=1 op=06" },
	{ M64, "0f 01 f0", "len=3 map=1 op=01 modrm=f0 mod=3 reg=6 rm=0" },
	{ M64, "0f 01 30", "len=3 map=1 op=01 modrm=30 mod=0 reg=6 rm=0 base=rax" },
	{ M64, "0f 01 e0", "len=3 map=1 op=01 modrm=e0 mod=3 reg=4 rm=0" },
	{ M64, "0f 01 20", "len=3 map=1 op=01 modrm=20 mod=0 reg=4 base=rax" },
	{ M64, "0f 01 38", "len=3 map=1 op=01 modrm=38 mod=0 reg=7 rm=0 base=rax" },
	{ M64, "0f 01 3d 00 01 00 00", "len=7 map=1 op=01 modrm=3d reg=7 rm=5 rip disp=0x100:4" },
	{ M64, "0f 01 d1", "len=3 map=1 op=01 modrm=d1 mod=3 reg=2 rm=1" },
	{ M64, "0f 01 d0", "len=3 map=1 op=01 modrm=d0" },
	{ M64, "0f 01 c1", "len=3 map=1 op=01 modrm=c1" },
	{ M64, "0f 01 d9", "len=3 map=1 op=01 modrm=d9" },
	{ M64, "0f 01 d8", "len=3 map=1 op=01 modrm=d8" },
	{ M64, "0f 01 f8", "len=3 map=1 op=01 modrm=f8" },
	{ M64, "0f 01 f9", "len=3 map=1 op=01 modrm=f9" },
	{ M64, "cc", "len=1 map=0 op=cc" },
	{ M64, "cd 80", "len=2 map=0 op=cd imm=0x80:1" },
	{ M64, "cf", "len=1 map=0 op=cf osz=4" },
	{ M64, "48 cf", "len=2 map=0 op=cf osz=8 rex=48" },
	{ M64, "0f 31", "len=2 map=1 op=31" },
	{ M64, "0f 09", "len=2 map=1 op=09" },
	{ M64, "0f 08", "len=2 map=1 op=08" },
	{ M64, "f3 90", "len=2 map=0 op=90 rep" },
	{ M64, "0f 0b", "len=2 map=1 op=0b" },
	/* Segment overrides: ES/CS/SS/DS are ignored in 64-bit mode, the last FS/GS counts. */
	{ M64, "64 89 07", "len=3 map=0 op=89 seg=fs modrm=07" },
	{ M64, "2e 89 07", "len=3 map=0 op=89 modrm=07" },
	{ M64, "65 2e 89 07", "len=4 map=0 op=89 seg=gs modrm=07" },
	{ M64, "64 65 89 07", "len=4 map=0 op=89 seg=gs modrm=07" },
	/* The later of F2/F3 counts. */
	{ M64, "f2 f3 a4", "len=3 map=0 op=a4 rep" },
	{ M64, "f3 f2 a4", "len=3 map=0 op=a4 repne" },
	/* Branches: 64-bit operand size, 66h ignored (Intel). */
	{ M64, "66 e8 00 00 00 00", "len=6 map=0 op=e8 o16 osz=8 imm=0:4" },
	{ M64, "e8 fb ff ff ff", "len=5 map=0 op=e8 osz=8 imm=0xfffffffb:4" },
	{ M64, "eb fe", "len=2 map=0 op=eb osz=8 imm=0xfe:1" },
	{ M64, "0f 84 00 01 00 00", "len=6 map=1 op=84 osz=8 imm=0x100:4" },
	{ M64, "ff 15 00 00 00 00", "len=6 map=0 op=ff osz=8 modrm=15 reg=2 rip disp=0:4" },
	{ M64, "ff e0", "len=2 map=0 op=ff osz=8 modrm=e0 reg=4 mod=3 rm=0" },
	{ M64, "ff 2c 24", "len=3 map=0 op=ff osz=4 modrm=2c reg=5 sib=24 base=rsp" },
	{ M64, "c2 08 00", "len=3 map=0 op=c2 osz=8 imm=8:2" },
	/* Default 64-bit operand size: PUSH, POP. */
	{ M64, "8f c0", "len=2 map=0 op=8f osz=8 modrm=c0 mod=3 reg=0 rm=0" },
	{ M64, "66 8f c0", "len=3 map=0 op=8f o16 osz=2 modrm=c0" },
	{ M64, "41 50", "len=2 map=0 op=50 osz=8 rex=41" },
	{ M64, "6a 01", "len=2 map=0 op=6a osz=8 imm=1:1" },
	{ M64, "68 78 56 34 12", "len=5 map=0 op=68 osz=8 imm=0x12345678:4" },
	{ M64, "66 68 34 12", "len=4 map=0 op=68 o16 osz=2 imm=0x1234:2" },
	{ M64, "ff 35 00 00 00 00", "len=6 map=0 op=ff osz=8 modrm=35 reg=6 rip disp=0:4" },
	/* moffs: address-size wide, 8 bytes in 64-bit mode. */
	{ M64, "a3 88 77 66 55 44 33 22 11", "len=9 map=0 op=a3 osz=4 disp=0x1122334455667788:8 base=- index=-" },
	{ M64, "48 a3 88 77 66 55 44 33 22 11", "len=10 map=0 op=a3 osz=8 rex=48 disp=0x1122334455667788:8" },
	{ M64, "67 a3 78 56 34 12", "len=6 map=0 op=a3 a16 asz=4 disp=0x12345678:4" },
	{ M64, "a2 00 00 00 00 00 00 00 80", "len=9 map=0 op=a2 osz=1 disp=0x8000000000000000:8" },
	{ M64, "c8 10 00 01", "len=4 map=0 op=c8 osz=8 imm=0x10:2 imm2=1:1" },
	/* Group 3: only TEST (/0, /1) has an immediate. */
	{ M64, "f6 00 12", "len=3 map=0 op=f6 osz=1 modrm=00 reg=0 imm=0x12:1" },
	{ M64, "f6 08 12", "len=3 map=0 op=f6 osz=1 modrm=08 reg=1 imm=0x12:1" },
	{ M64, "f6 10", "len=2 map=0 op=f6 osz=1 modrm=10 reg=2" },
	{ M64, "f7 00 78 56 34 12", "len=6 map=0 op=f7 osz=4 modrm=00 imm=0x12345678:4" },
	{ M64, "48 f7 00 ff ff ff ff", "len=7 map=0 op=f7 osz=8 rex=48 modrm=00 imm=0xffffffff:4" },
	{ M64, "66 f7 00 34 12", "len=5 map=0 op=f7 o16 osz=2 modrm=00 imm=0x1234:2" },
	{ M64, "f7 18", "len=2 map=0 op=f7 osz=4 modrm=18 reg=3" },
	{ M64, "f0 f7 18", "len=3 map=0 op=f7 lock osz=4 modrm=18 reg=3" },
	/* XABORT and XBEGIN live in group 11. */
	{ M64, "c6 f8 01", "len=3 map=0 op=c6 osz=1 modrm=f8 mod=3 reg=7 rm=0 imm=1:1" },
	{ M64, "c7 f8 00 01 00 00", "len=6 map=0 op=c7 osz=4 modrm=f8 reg=7 imm=0x100:4" },
	/* VEX, EVEX and XOP. */
	{ M64, "c5 f8 77", "len=3 map=1 op=77 vex enc=vex pp=0" },
	{ M64, "c5 78 10 00", "len=4 map=1 op=10 vex enc=vex modrm=00 reg=8 base=rax" },
	{ M64, "c4 e2 79 18 00", "len=5 map=2 op=18 vex enc=vex pp=1 modrm=00 base=rax" },
	{ M64, "c4 e3 79 0f c1 08", "len=6 map=3 op=0f vex enc=vex modrm=c1 mod=3 reg=0 rm=1 imm=8:1" },
	{ M64, "c4 c1 78 11 00", "len=5 map=1 op=11 vex enc=vex modrm=00 rm=8 base=r8" },
	{ M64, "c4 e2 f8 f2 c1", "len=5 map=2 op=f2 vex enc=vex osz=8 modrm=c1 reg=0 rm=1" },
	{ M64, "c4 e2 78 f2 c1", "len=5 map=2 op=f2 vex enc=vex osz=4 modrm=c1" },
	{ M64, "c5 f9 c5 c0 01", "len=5 map=1 op=c5 vex enc=vex pp=1 modrm=c0 imm=1:1" },
	{ M64, "62 f1 7c 48 10 00", "len=6 map=1 op=10 vex enc=evex modrm=00 base=rax" },
	/* Compressed disp8*N is still one byte. */
	{ M64, "62 f1 7c 48 10 40 01", "len=7 map=1 op=10 vex enc=evex modrm=40 base=rax disp=1:1" },
	{ M64, "62 f3 7d 48 0f c1 08", "len=7 map=3 op=0f vex enc=evex modrm=c1 imm=8:1" },
	{ M64, "62 f1 7c 48 c2 c1 00", "len=7 map=1 op=c2 vex enc=evex modrm=c1 imm=0:1" },
	{ M64, "62 f5 7c 48 58 c1", "len=6 map=5 op=58 vex enc=evex modrm=c1" },
	{ M64, "8f e8 78 a2 c1 10", "len=6 map=8 op=a2 vex enc=xop modrm=c1 imm=0x10:1" },
	{ M64, "8f e9 78 81 c1", "len=5 map=9 op=81 vex enc=xop modrm=c1" },
	{ M64, "8f ea 78 10 c1 78 56 34 12", "len=9 map=10 op=10 vex enc=xop modrm=c1 imm=0x12345678:4" },
	/* Legacy three-byte maps and SSE4a. */
	{ M64, "66 0f 38 00 c1", "len=5 map=2 op=00 o16 pp=1 modrm=c1" },
	{ M64, "66 0f 3a 0f c1 08", "len=6 map=3 op=0f o16 pp=1 modrm=c1 imm=8:1" },
	{ M64, "0f 38 f0 00", "len=4 map=2 op=f0 modrm=00 base=rax" },
	{ M64, "66 0f 78 c0 04 08", "len=6 map=1 op=78 o16 pp=1 modrm=c0 imm=4:1 imm2=8:1" },
	{ M64, "f2 0f 78 c1 04 08", "len=6 map=1 op=78 repne pp=3 modrm=c1 imm=4:1 imm2=8:1" },
	{ M64, "0f 78 c1", "len=3 map=1 op=78 osz=8 modrm=c1" },
	{ M64, "0f 0d 08", "len=3 map=1 op=0d modrm=08 base=rax" },
	{ M64, "dd 05 00 00 00 00", "len=6 map=0 op=dd modrm=05 rip disp=0:4" },
};

static const struct hand_case cases32[] = {
	{ M32, "89 07", "len=2 map=0 op=89 osz=4 asz=4 modrm=07 base=rdi" },
	{ M32, "66 89 07", "len=3 map=0 op=89 o16 osz=2 asz=4 modrm=07 base=rdi" },
	/* 67h selects 16-bit addressing: rm 111b is [BX]. */
	{ M32, "67 89 07", "len=3 map=0 op=89 a16 asz=2 modrm=07 base=rbx index=-" },
	{ M32, "89 05 78 56 34 12", "len=6 map=0 op=89 modrm=05 mod=0 rm=5 base=- index=- disp=0x12345678:4" },
	{ M32, "89 04 25 78 56 34 12", "len=7 map=0 op=89 modrm=04 sib=25 base=- index=- disp=0x12345678:4" },
	{ M32, "89 44 24 08", "len=4 map=0 op=89 modrm=44 mod=1 sib=24 base=rsp disp=8:1" },
	{ M32, "89 84 8e 00 01 00 00",
	  "len=7 map=0 op=89 modrm=84 mod=2 rm=4 sib=8e base=rsi index=rcx scale=4 disp=0x100:4" },
	{ M32, "c6 05 00 10 00 00 01", "len=7 map=0 op=c6 osz=1 modrm=05 base=- disp=0x1000:4 imm=1:1" },
	{ M32, "f0 0f c7 0e", "len=4 map=1 op=c7 lock osz=4 modrm=0e reg=1 rm=6 base=rsi" },
	{ M32, "f3 ab", "len=2 map=0 op=ab rep osz=4 asz=4" },
	{ M32, "48", "len=1 map=0 op=48 osz=4" },
	{ M32, "c4 00", "len=2 map=0 op=c4 osz=4 modrm=00 base=rax" },
	{ M32, "c5 f8 77", "len=3 map=1 op=77 vex enc=vex" },
	{ M32, "c4 e2 79 18 00", "len=5 map=2 op=18 vex enc=vex modrm=00 base=rax" },
	/* VEX.B is ignored outside 64-bit mode. */
	{ M32, "c4 c2 79 18 00", "len=5 map=2 op=18 vex enc=vex modrm=00 rm=0 base=rax" },
	{ M32, "62 f1 7c 48 10 00", "len=6 map=1 op=10 vex enc=evex modrm=00 base=rax" },
	{ M32, "62 00", "len=2 map=0 op=62 osz=4 modrm=00 base=rax" },
	{ M32, "8f e8 78 a2 c1 10", "len=6 map=8 op=a2 vex enc=xop modrm=c1 imm=0x10:1" },
	{ M32, "8f c0", "len=2 map=0 op=8f osz=4 modrm=c0" },
	{ M32, "a3 78 56 34 12", "len=5 map=0 op=a3 osz=4 disp=0x12345678:4" },
	{ M32, "67 a3 34 12", "len=4 map=0 op=a3 a16 asz=2 disp=0x1234:2" },
	{ M32, "9a 78 56 34 12 34 12", "len=7 map=0 op=9a osz=4 imm=0x12345678:4 imm2=0x1234:2" },
	{ M32, "66 9a 34 12 78 56", "len=6 map=0 op=9a o16 osz=2 imm=0x1234:2 imm2=0x5678:2" },
	{ M32, "ea 78 56 34 12 08 00", "len=7 map=0 op=ea imm=0x12345678:4 imm2=8:2" },
	{ M32, "c8 10 00 01", "len=4 map=0 op=c8 osz=4 imm=0x10:2 imm2=1:1" },
	{ M32, "f7 00 78 56 34 12", "len=6 map=0 op=f7 modrm=00 imm=0x12345678:4" },
	{ M32, "66 f7 00 34 12", "len=5 map=0 op=f7 o16 modrm=00 imm=0x1234:2" },
	{ M32, "0f 20 c0", "len=3 map=1 op=20 osz=4 modrm=c0 mod=3 reg=0 rm=0" },
	/* AMD's LOCK MOV CR0 reaches CR8. */
	{ M32, "f0 0f 20 c0", "len=4 map=1 op=20 lock osz=4 modrm=c0 reg=8" },
	{ M32, "f0 0f 22 c0", "len=4 map=1 op=22 lock osz=4 modrm=c0 reg=8" },
	{ M32, "06", "len=1 map=0 op=06" },
	{ M32, "0f a0", "len=2 map=1 op=a0 osz=4" },
	{ M32, "d6", "len=1 map=0 op=d6" },
	{ M32, "82 00 01", "len=3 map=0 op=82 osz=1 modrm=00 imm=1:1" },
	{ M32, "e8 78 56 34 12", "len=5 map=0 op=e8 osz=4 imm=0x12345678:4" },
	{ M32, "66 e8 34 12", "len=4 map=0 op=e8 o16 osz=2 imm=0x1234:2" },
	{ M32, "66 0f 84 34 12", "len=5 map=1 op=84 o16 osz=2 imm=0x1234:2" },
	{ M32, "36 89 07", "len=3 map=0 op=89 seg=ss modrm=07" },
	{ M32, "26 89 07", "len=3 map=0 op=89 seg=es modrm=07" },
	{ M32, "2e 3e 89 07", "len=4 map=0 op=89 seg=ds modrm=07" },
	{ M32, "64 2e 89 07", "len=4 map=0 op=89 seg=cs modrm=07" },
	{ M32, "0f 01 d9", "len=3 map=1 op=01 modrm=d9" },
	/* The emulated subset in 32-bit mode. */
	{ M32, "88 07", "len=2 map=0 op=88 osz=1 modrm=07 base=rdi" },
	{ M32, "c7 00 78 56 34 12", "len=6 map=0 op=c7 osz=4 modrm=00 base=rax imm=0x12345678:4" },
	{ M32, "66 c7 00 34 12", "len=5 map=0 op=c7 o16 osz=2 modrm=00 base=rax imm=0x1234:2" },
	{ M32, "0f c3 07", "len=3 map=1 op=c3 osz=4 modrm=07 base=rdi" },
	{ M32, "0f 11 47 10", "len=4 map=1 op=11 modrm=47 base=rdi disp=0x10:1" },
	{ M32, "87 07", "len=2 map=0 op=87 osz=4 modrm=07 base=rdi" },
	{ M32, "f0 0f b1 0f", "len=4 map=1 op=b1 lock osz=4 modrm=0f reg=1 base=rdi" },
	{ M32, "f0 83 08 01", "len=4 map=0 op=83 lock osz=4 modrm=08 reg=1 base=rax imm=1:1" },
	{ M32, "f0 80 20 fe", "len=4 map=0 op=80 lock osz=1 modrm=20 reg=4 base=rax imm=0xfe:1" },
	{ M32, "f0 21 07", "len=3 map=0 op=21 lock osz=4 modrm=07 base=rdi" },
	{ M32, "f0 0f ab 07", "len=4 map=1 op=ab lock osz=4 modrm=07 base=rdi" },
	{ M32, "f0 0f ba 30 03", "len=5 map=1 op=ba lock osz=4 modrm=30 reg=6 base=rax imm=3:1" },
	{ M32, "f3 a5", "len=2 map=0 op=a5 rep osz=4" },
	{ M32, "f3 aa", "len=2 map=0 op=aa rep osz=1" },
	{ M32, "0f 22 d8", "len=3 map=1 op=22 osz=4 modrm=d8 mod=3 reg=3 rm=0" },
	{ M32, "0f 01 38", "len=3 map=1 op=01 modrm=38 reg=7 base=rax" },
	{ M32, "0f 01 d1", "len=3 map=1 op=01 modrm=d1" },
	{ M32, "ef", "len=1 map=0 op=ef osz=4" },
	{ M32, "e6 80", "len=2 map=0 op=e6 osz=1 imm=0x80:1" },
	{ M32, "0f 32", "len=2 map=1 op=32" },
	{ M32, "0f a2", "len=2 map=1 op=a2" },
	{ M32, "f4", "len=1 map=0 op=f4" },
	{ M32, "cd 21", "len=2 map=0 op=cd imm=0x21:1" },
};

static const struct hand_case cases16[] = {
	{ M16, "89 07", "len=2 map=0 op=89 osz=2 asz=2 modrm=07 mod=0 rm=7 base=rbx index=-" },
	{ M16, "89 00", "len=2 map=0 op=89 modrm=00 base=rbx index=rsi scale=1" },
	{ M16, "89 01", "len=2 map=0 op=89 modrm=01 base=rbx index=rdi" },
	{ M16, "89 02", "len=2 map=0 op=89 modrm=02 base=rbp index=rsi" },
	{ M16, "89 03", "len=2 map=0 op=89 modrm=03 base=rbp index=rdi" },
	{ M16, "89 04", "len=2 map=0 op=89 modrm=04 base=rsi index=-" },
	{ M16, "89 05", "len=2 map=0 op=89 modrm=05 base=rdi index=-" },
	{ M16, "89 42 fe", "len=3 map=0 op=89 modrm=42 mod=1 rm=2 base=rbp index=rsi disp=-2:1" },
	/* mod 00 rm 110b is disp16 alone; with mod 01/10 it is [BP+disp]. */
	{ M16, "89 06 34 12", "len=4 map=0 op=89 modrm=06 mod=0 rm=6 base=- index=- disp=0x1234:2" },
	{ M16, "89 46 00", "len=3 map=0 op=89 modrm=46 base=rbp index=- disp=0:1" },
	{ M16, "89 86 34 12", "len=4 map=0 op=89 modrm=86 mod=2 rm=6 base=rbp disp=0x1234:2" },
	/* No SIB byte in 16-bit addressing, even for rm 100b. */
	{ M16, "89 84 34 12", "len=4 map=0 op=89 modrm=84 base=rsi index=- disp=0x1234:2" },
	{ M16, "66 89 07", "len=3 map=0 op=89 o16 osz=4 asz=2 modrm=07" },
	{ M16, "67 89 04 24", "len=4 map=0 op=89 a16 asz=4 modrm=04 sib=24 base=rsp" },
	{ M16, "67 89 05 78 56 34 12", "len=7 map=0 op=89 a16 asz=4 modrm=05 base=- disp=0x12345678:4" },
	{ M16, "66 67 f3 ab", "len=4 map=0 op=ab rep o16 a16 osz=4 asz=4" },
	{ M16, "c7 06 34 12 78 56", "len=6 map=0 op=c7 osz=2 modrm=06 base=- disp=0x1234:2 imm=0x5678:2" },
	{ M16, "66 c7 06 34 12 78 56 34 12",
	  "len=9 map=0 op=c7 o16 osz=4 modrm=06 disp=0x1234:2 imm=0x12345678:4" },
	{ M16, "e8 34 12", "len=3 map=0 op=e8 osz=2 imm=0x1234:2" },
	{ M16, "66 e8 78 56 34 12", "len=6 map=0 op=e8 o16 osz=4 imm=0x12345678:4" },
	{ M16, "a1 34 12", "len=3 map=0 op=a1 osz=2 disp=0x1234:2" },
	{ M16, "26 89 07", "len=3 map=0 op=89 seg=es modrm=07" },
	{ M16, "0f 01 f0", "len=3 map=1 op=01 modrm=f0 reg=6" },
	{ M16, "ea 34 12 00 f0", "len=5 map=0 op=ea osz=2 imm=0x1234:2 imm2=0xf000:2" },
	{ M16, "c5 f8 77", "len=3 map=1 op=77 vex enc=vex" },
	{ M16, "c5 00", "len=2 map=0 op=c5 modrm=00 base=rbx index=rsi" },
	{ M16, "f0 0f c7 0f", "len=4 map=1 op=c7 lock osz=2 modrm=0f reg=1 base=rbx" },
	{ M16, "cf", "len=1 map=0 op=cf osz=2" },
	/* The emulated subset in 16-bit mode. */
	{ M16, "88 07", "len=2 map=0 op=88 osz=1 modrm=07 base=rbx" },
	{ M16, "c6 07 01", "len=3 map=0 op=c6 osz=1 modrm=07 base=rbx imm=1:1" },
	{ M16, "66 c7 07 78 56 34 12", "len=7 map=0 op=c7 o16 osz=4 modrm=07 base=rbx imm=0x12345678:4" },
	{ M16, "f0 87 07", "len=3 map=0 op=87 lock osz=2 modrm=07 base=rbx" },
	{ M16, "f0 0f b1 0f", "len=4 map=1 op=b1 lock osz=2 modrm=0f reg=1 base=rbx" },
	{ M16, "f0 81 0f 34 12", "len=5 map=0 op=81 lock osz=2 modrm=0f reg=1 base=rbx imm=0x1234:2" },
	{ M16, "f0 0f ba 2f 05", "len=5 map=1 op=ba lock osz=2 modrm=2f reg=5 base=rbx imm=5:1" },
	{ M16, "f3 aa", "len=2 map=0 op=aa rep osz=1 asz=2" },
	{ M16, "f3 a5", "len=2 map=0 op=a5 rep osz=2" },
	{ M16, "0f 22 d8", "len=3 map=1 op=22 osz=4 modrm=d8 mod=3 reg=3" },
	{ M16, "0f 01 3f", "len=3 map=1 op=01 modrm=3f reg=7 base=rbx" },
	{ M16, "0f a2", "len=2 map=1 op=a2" },
	{ M16, "f4", "len=1 map=0 op=f4" },
	{ M16, "ec", "len=1 map=0 op=ec osz=1" },
	{ M16, "0f 30", "len=2 map=1 op=30" },
};

/* Encodings that raise #UD, with the reason the decoder must see. */
static const struct hand_case invalid_cases[] = {
	/* Invalid in 64-bit mode (table A-2 "i64"). */
	{ M64, "06", "invalid" }, { M64, "07", "invalid" }, { M64, "0e", "invalid" },
	{ M64, "16", "invalid" }, { M64, "17", "invalid" }, { M64, "1e", "invalid" },
	{ M64, "1f", "invalid" }, { M64, "27", "invalid" }, { M64, "2f", "invalid" },
	{ M64, "37", "invalid" }, { M64, "3f", "invalid" }, { M64, "60", "invalid" },
	{ M64, "61", "invalid" }, { M64, "82 00 01", "invalid" },
	{ M64, "9a 00 00 00 00 00 00", "invalid" }, { M64, "ce", "invalid" },
	{ M64, "d4 0a", "invalid" }, { M64, "d5 0a", "invalid" }, { M64, "d6", "invalid" },
	{ M64, "ea 00 00 00 00 00 00", "invalid" },
	/* 62 is always EVEX in 64-bit mode; map 0 is reserved. */
	{ M64, "62 00 7c 48 10 00", "invalid" },
	/* LOCK on something that is not a locked read-modify-write of memory. */
	{ M64, "f0 89 07", "invalid" }, { M64, "f0 88 07", "invalid" }, { M64, "f0 01 c0", "invalid" },
	{ M64, "f0 90", "invalid" }, { M64, "f0 83 3f 01", "invalid" }, { M64, "f0 0f ba 27 01", "invalid" },
	{ M64, "f0 f6 07 01", "invalid" }, { M64, "f0 c5 f8 77", "invalid" }, { M64, "f0 0f a2", "invalid" },
	{ M64, "f0 c6 00 01", "invalid" }, { M64, "f0 87 c0", "invalid" }, { M64, "f0 f3 a4", "invalid" },
	{ M64, "f0 0f 22 d8", "invalid" }, { M64, "f0 44 0f 22 c0", "invalid" },
	/* Memory-only and register-only forms, undefined group members. */
	{ M64, "8d c0", "invalid" }, { M64, "0f c3 c0", "invalid" }, { M64, "ff d8", "invalid" },
	{ M64, "ff e8", "invalid" }, { M64, "ff f8", "invalid" }, { M64, "fe 10", "invalid" },
	{ M64, "c6 08 00", "invalid" }, { M64, "c7 f9 00 00 00 00", "invalid" },
	{ M64, "0f ba 00 01", "invalid" }, { M64, "0f 00 30", "invalid" },
	{ M64, "0f 71 00 01", "invalid" }, { M64, "0f b2 c0", "invalid" }, { M64, "0f c7 c8", "invalid" },
	{ M64, "f2 0f 78 00 01 02", "invalid" }, { M64, "f3 0f 78 c0", "invalid" },
	/* Segment, control and debug registers that do not exist. */
	{ M64, "8e c8", "invalid" }, { M64, "8c f0", "invalid" }, { M64, "0f 20 c8", "invalid" },
	{ M64, "0f 20 e8", "invalid" }, { M64, "44 0f 20 c8", "invalid" }, { M64, "44 0f 21 c0", "invalid" },
	/* Undefined opcodes, 3DNow!. */
	{ M64, "0f 04", "invalid" }, { M64, "0f 0a", "invalid" }, { M64, "0f 36", "invalid" },
	{ M64, "0f 0f c0 00", "invalid" }, { M64, "0f 3b", "invalid" }, { M64, "0f 7a", "invalid" },
	/* Prefixes VEX/EVEX/XOP forbid, reserved maps and payload bits. */
	{ M64, "66 c5 f8 77", "invalid" }, { M64, "f3 c5 f8 77", "invalid" },
	{ M64, "f2 c4 e2 79 18 00", "invalid" }, { M64, "48 c5 f8 77", "invalid" },
	{ M64, "40 62 f1 7c 48 10 00", "invalid" }, { M64, "66 8f e8 78 a2 c1 10", "invalid" },
	{ M64, "c4 e0 78 10 00", "invalid" }, { M64, "c4 e4 78 10 00", "invalid" },
	{ M64, "8f eb 78 10 c0", "invalid" }, { M64, "62 f1 78 48 10 00", "invalid" },
	{ M64, "62 f9 7c 48 10 00", "invalid" }, { M64, "62 f4 7c 48 10 00", "invalid" },
	/* Legacy mode specifics. */
	{ M32, "0f 01 f8", "invalid" }, { M32, "f0 0f ba 20 05", "invalid" }, { M32, "c4 c0", "truncated" },
	{ M32, "8d c0", "invalid" }, { M32, "62 c0", "truncated" }, { M16, "ff d8", "invalid" },
	{ M32, "f0 0f 22 d8", "invalid" }, { M32, "f0 0f 21 c0", "invalid" },
};

static enum x86_decode_status status_of(const char *expect)
{
	if (!strcmp(expect, "invalid"))
		return X86_INVALID;
	if (!strcmp(expect, "truncated"))
		return X86_TRUNCATED;
	if (!strcmp(expect, "toolong"))
		return X86_TOO_LONG;
	return X86_OK;
}

/* Runs a table of hand cases, each also with trailing bytes and truncated everywhere. */
static void run_cases(const struct hand_case *cases, size_t n)
{
	unsigned int bad = 0;

	exact_bufs_init();
	for (size_t i = 0; i < n; i++) {
		const struct hand_case *c = &cases[i];
		enum x86_decode_status want = status_of(c->expect);
		uint8_t b[X86_MAX_INSN_LEN + 8];
		size_t len = parse_hex(c->hex, b, sizeof(b));
		struct x86_insn in;
		enum x86_decode_status st = decode_exact(b, len, c->mode, &in);
		char where[96];

		snprintf(where, sizeof(where), "mode %d [%s]", c->mode, c->hex);
		if (st != want) {
			print_error("%s: status %d, expected %d\n", where, st, want);
			bad++;
			continue;
		}
		if (want != X86_OK)
			continue;
		struct expect e;

		parse_expect(c->expect, &e);
		if (!matches(&in, &e, where))
			bad++;
		if (e.want.len != len) {
			print_error("%s: test bytes are %zu long, expected length %u\n", where, len,
				    e.want.len);
			bad++;
		}
		if (!truncations_ok(b, len, c->mode)) {
			print_error("%s: a truncation was not reported as such\n", where);
			bad++;
		}
		/* Bytes after the instruction change nothing. */
		memset(b + len, 0x0f, sizeof(b) - len);
		struct x86_insn more;

		if (x86_decode(b, sizeof(b), c->mode, &more) != X86_OK || memcmp(&more, &in, sizeof(in))) {
			print_error("%s: trailing bytes changed the result\n", where);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void test_cases_64(void **state)
{
	(void)state;
	run_cases(cases64, sizeof(cases64) / sizeof(cases64[0]));
}

static void test_cases_32(void **state)
{
	(void)state;
	run_cases(cases32, sizeof(cases32) / sizeof(cases32[0]));
}

static void test_cases_16(void **state)
{
	(void)state;
	run_cases(cases16, sizeof(cases16) / sizeof(cases16[0]));
}

static void test_invalid(void **state)
{
	(void)state;
	run_cases(invalid_cases, sizeof(invalid_cases) / sizeof(invalid_cases[0]));
}

/* ------------------------------------------------------------------------------------------- */
/* Malformed input: empty, too many prefixes, the 15-byte limit. */

static void test_empty(void **state)
{
	struct x86_insn in;
	uint8_t b = 0x90;

	(void)state;
	exact_bufs_init();
	for (int m = X86_MODE_16; m <= X86_MODE_64; m++) {
		assert_int_equal(x86_decode(exact_buf[0], 0, m, &in), X86_TRUNCATED);
		assert_int_equal(x86_decode(&b, 0, m, &in), X86_TRUNCATED);
	}
}

static void test_length_limit(void **state)
{
	uint8_t b[32];
	struct x86_insn in;

	(void)state;
	exact_bufs_init();
	for (int m = X86_MODE_16; m <= X86_MODE_64; m++) {
		/* 14 prefixes and an opcode: exactly 15 bytes. */
		memset(b, 0x66, sizeof(b));
		b[14] = 0x90;
		assert_int_equal(decode_exact(b, 15, m, &in), X86_OK);
		assert_int_equal(in.len, 15);
		/* 15 prefixes: the opcode would be byte 16, whatever follows. */
		b[14] = 0x66;
		b[15] = 0x90;
		assert_int_equal(x86_decode(b, 16, m, &in), X86_TOO_LONG);
		assert_int_equal(decode_exact(b, 15, m, &in), X86_TOO_LONG);
		/* 16 and more prefixes. */
		assert_int_equal(x86_decode(b, sizeof(b), m, &in), X86_TOO_LONG);
		/* With fewer bytes than the limit the decoder cannot know yet. */
		assert_int_equal(decode_exact(b, 10, m, &in), X86_TRUNCATED);
		/* Mixed, repeated prefixes of every group count too. */
		static const uint8_t mix[] = { 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0x66, 0x67 };

		for (size_t i = 0; i < 16; i++)
			b[i] = mix[i % sizeof(mix)];
		assert_int_equal(x86_decode(b, 16, m, &in), X86_TOO_LONG);
		/* An opcode whose immediate crosses the limit. */
		memset(b, 0x66, 12);
		b[12] = 0x05;	/* ADD eAX, Iz: Iw after 66h, but Id in 16-bit mode */
		memset(b + 13, 0, 8);
		assert_int_equal(x86_decode(b, 21, m, &in), m == X86_MODE_16 ? X86_TOO_LONG : X86_OK);
		assert_int_equal(decode_exact(b, 15, m, &in), m == X86_MODE_16 ? X86_TOO_LONG : X86_OK);
		/* ... and one that would be invalid: the limit is reported first. */
		memset(b, 0x66, 15);
		b[15] = 0x06;
		assert_int_equal(x86_decode(b, 16, m, &in), X86_TOO_LONG);
	}
	/* MOV r64, imm64 with 5 prefixes is 15 bytes; with 6 it is too long. */
	memset(b, 0x66, 5);
	b[5] = 0x48;
	b[6] = 0xb8;
	memset(b + 7, 0x11, 8);
	assert_int_equal(decode_exact(b, 15, X86_MODE_64, &in), X86_OK);
	assert_int_equal(in.len, 15);
	assert_true(truncations_ok(b, 15, X86_MODE_64));
	memmove(b + 1, b, 15);
	assert_int_equal(x86_decode(b, 16, X86_MODE_64, &in), X86_TOO_LONG);
	assert_int_equal(decode_exact(b, 15, X86_MODE_64, &in), X86_TOO_LONG);
	/* REX prefixes count towards the limit like the others. */
	memset(b, 0x48, 15);
	b[15] = 0x90;
	assert_int_equal(x86_decode(b, 16, X86_MODE_64, &in), X86_TOO_LONG);
	b[14] = 0x90;
	assert_int_equal(x86_decode(b, 15, X86_MODE_64, &in), X86_OK);
	assert_int_equal(in.rex, 0x48);
}

static void test_sext(void **state)
{
	(void)state;
	assert_true(x86_sext(0x80, 1) == 0xffffffffffffff80ull);
	assert_true(x86_sext(0x7f, 1) == 0x7f);
	assert_true(x86_sext(0x8000, 2) == 0xffffffffffff8000ull);
	assert_true(x86_sext(0xfffffffb, 4) == (uint64_t)-5);
	assert_true(x86_sext(0x12345678, 4) == 0x12345678);
	assert_true(x86_sext(0x8000000000000000ull, 8) == 0x8000000000000000ull);
	assert_true(x86_sext(0x1ff, 1) == (uint64_t)-1);
}

/* ------------------------------------------------------------------------------------------- */
/* Effective addresses. */

struct ea_case {
	enum x86_mode mode;
	const char *hex;
	uint64_t rip_next_base;	/* the instruction's own address; its length is added */
	uint64_t want;
};

static void test_effective_address(void **state)
{
	uint64_t gpr[16];
	static const struct ea_case cases[] = {
		/* rax = 0x1000, rcx = 0x20, rbp = 0xfff0, rsi = 0x20, r12 = 0x3000, rdx = -16. */
		{ M64, "48 8b 84 c8 00 01 00 00", 0, 0x1000 + 0x20 * 8 + 0x100 },
		{ M64, "8b 05 f0 ff ff ff", 0x400000, 0x400000 + 6 - 16 },
		{ M64, "67 8b 05 10 00 00 00", 0xfffffff0, (0xfffffff0 + 7 + 0x10) & 0xffffffff },
		{ M64, "67 8b 02", 0, 0xfffffff0 },
		{ M64, "67 8b 42 20", 0, 0x10 },
		{ M64, "8b 42 20", 0, 0x10 },
		{ M64, "8b 80 f0 ff ff ff", 0, 0x1000 - 16 },
		{ M64, "8b 04 25 f0 ff ff ff", 0, 0xfffffffffffffff0ull },
		{ M64, "4a 8b 04 20", 0, 0x1000 + 0x3000 },
		{ M64, "41 8b 04 24", 0, 0x3000 },
		{ M64, "a1 88 77 66 55 44 33 22 11", 0, 0x1122334455667788ull },
		{ M64, "67 a1 f0 ff ff ff", 0, 0xfffffff0 },
		{ M64, "8b 14 0a", 0, 0x20 - 16 },
		{ M32, "8b 05 f0 ff ff ff", 0, 0xfffffff0 },
		{ M32, "8b 04 8d 00 10 00 00", 0, 0x20 * 4 + 0x1000 },
		{ M32, "8b 42 20", 0, 0x10 },
		{ M16, "8b 42 fe", 0, (0xfff0 + 0x20 - 2) & 0xffff },
		{ M16, "8b 06 34 12", 0, 0x1234 },
		{ M16, "8b 86 20 00", 0, 0x10 },
		{ M16, "67 8b 04 8d 00 10 00 00", 0, 0x20 * 4 + 0x1000 },
	};

	(void)state;
	for (unsigned int i = 0; i < 16; i++)
		gpr[i] = 0xdead0000ull + i;
	gpr[0] = 0x1000;
	gpr[1] = 0x20;
	gpr[2] = (uint64_t)-16;
	gpr[5] = 0xfff0;
	gpr[6] = 0x20;
	gpr[12] = 0x3000;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t b[16];
		size_t n = parse_hex(cases[i].hex, b, sizeof(b));
		struct x86_insn in;

		assert_int_equal(x86_decode(b, n, cases[i].mode, &in), X86_OK);
		assert_int_equal(in.len, n);
		uint64_t ea = x86_effective_address(&in, gpr, cases[i].rip_next_base + in.len);

		if (ea != cases[i].want)
			fail_msg("[%s]: EA %#" PRIx64 ", expected %#" PRIx64, cases[i].hex, ea, cases[i].want);
	}
}

/* ------------------------------------------------------------------------------------------- */
/* The oracle (tests/unit/x86_oracle.c): counts of each outcome over a sweep. */

struct oracle_stats {
	unsigned long inputs;
	unsigned long both_ok;
	unsigned long both_bad;
	unsigned long truncations;
	unsigned long excluded[EX_COUNT];
	unsigned long failures;
};


static void print_bytes(const char *what, const uint8_t *b, size_t n, int mode)
{
	char hex[64] = "";

	for (size_t i = 0; i < n && i < 20; i++)
		snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex), " %02x", b[i]);
	print_message("  %s (mode %d):%s\n", what, mode, hex);
}


/* Compares both decoders on b[0..n) (n <= 15), and checks our truncations. */
static void oracle_compare(const uint8_t *b, size_t n, int mode, struct oracle_stats *s)
{
	struct x86_insn in;
	struct oracle_verdict v;
	enum x86_decode_status st = decode_exact(b, n, (enum x86_mode)mode, &in);
	const char *why;

	oracle_judge(b, n, mode, st, &in, &v);
	why = v.why;
	s->inputs++;
	if (v.outcome == ORACLE_BOTH_OK) {
		s->both_ok++;
		if (!truncations_ok(b, in.len, (enum x86_mode)mode))
			why = "truncation not reported";
		s->truncations += in.len;
	} else if (v.outcome == ORACLE_BOTH_BAD) {
		s->both_bad++;
	} else if (v.outcome == ORACLE_EXCLUDED) {
		s->excluded[v.ex]++;
	}
	if (why) {
		if (s->failures++ < 20) {
			print_message("oracle mismatch: %s: ours %d len %u, Zydis %#x len %u\n", why, st,
				      st == X86_OK ? in.len : 0, v.zs,
				      ZYAN_SUCCESS(v.zs) ? v.zi.length : 0);
			print_bytes("bytes", b, n, mode);
		}
	}
}

static void print_stats(const char *name, const struct oracle_stats *s)
{
	unsigned long ex = 0;

	for (int i = 0; i < EX_COUNT; i++)
		ex += s->excluded[i];
	print_message("%s: %lu encodings; both valid and identical %lu (%lu truncations checked); "
		      "both invalid %lu; excluded %lu; unexplained %lu\n", name, s->inputs, s->both_ok,
		      s->truncations, s->both_bad, ex, s->failures);
	print_message("  excluded:");
	for (int i = 0; i < EX_COUNT; i++)
		print_message(" %s %lu", excl_names[i], s->excluded[i]);
	print_message("\n");
}

/* Prefix sets the sweep puts before each opcode. */
static const uint8_t sweep_prefixes[][4] = {
	{ 0 }, { 1, 0x66 }, { 1, 0x67 }, { 1, 0xf3 }, { 1, 0xf2 }, { 1, 0xf0 }, { 1, 0x64 },
	{ 2, 0xf3, 0x66 }, { 2, 0xf0, 0xf2 },
	/* REX variants, 64-bit mode only (INC/DEC elsewhere, which the sweep covers anyway). */
	{ 1, 0x48 }, { 1, 0x41 }, { 1, 0x4f }, { 2, 0x66, 0x48 }, { 2, 0x48, 0x66 }, { 2, 0xf0, 0x48 },
};
#define SWEEP_LEGACY_PREFIXES 9

/*
 * ModRM bytes: every reg with mod 00/rm 100 (SIB), mod 01/rm 101, mod 10/rm
 * 000 and mod 11/rm 000, plus the disp-only forms (mod 00 rm 101 and, for
 * 16-bit addressing, rm 110) and a few register forms. The groups whose
 * register forms are all distinct instructions (0F 01, x87) get all 256.
 */
static const uint8_t sweep_modrm[] = {
	0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x45, 0x4d, 0x55, 0x5d, 0x65, 0x6d, 0x75, 0x7d,
	0x80, 0x88, 0x90, 0x98, 0xa0, 0xa8, 0xb0, 0xb8, 0xc0, 0xc8, 0xd0, 0xd8, 0xe0, 0xe8, 0xf0, 0xf8,
	0x05, 0x06, 0x3d, 0xc1, 0xf9, 0xff,
};
/* SIB bytes after mod 00 rm 100: a base and an index, and base 101b (disp32, no base). */
static const uint8_t sweep_sib[] = { 0x8e, 0x25 };

/* Appends filler after the opcode bytes so that every field has bytes to read. */
static size_t fill_tail(uint8_t *b, size_t n)
{
	for (uint8_t v = 0x11; n < X86_MAX_INSN_LEN; v += 0x11)
		b[n++] = v;
	return n;
}

/* Compares one legacy-map encoding: prefix set p, map, opcode, ModRM and SIB. */
static void sweep_one(int mode, size_t p, int map, int op, uint8_t modrm, uint8_t sib,
		      struct oracle_stats *s)
{
	uint8_t b[X86_MAX_INSN_LEN];
	size_t n = 0;

	for (int i = 0; i < sweep_prefixes[p][0]; i++)
		b[n++] = sweep_prefixes[p][1 + i];
	if (map >= 1)
		b[n++] = 0x0f;
	if (map >= 2)
		b[n++] = map == 2 ? 0x38 : 0x3a;
	b[n++] = (uint8_t)op;
	b[n++] = modrm;
	b[n++] = sib;
	oracle_compare(b, fill_tail(b, n), mode, s);
}

/* (a) every opcode of the legacy maps, with prefix, ModRM and SIB variants, in all modes. */
static void test_oracle_sweep_legacy(void **state)
{
	struct oracle_stats s = { 0 };

	(void)state;
	exact_bufs_init();
	assert_true(oracle_init());
	for (int mode = 0; mode < 3; mode++)
	for (size_t p = 0; p < sizeof(sweep_prefixes) / sizeof(sweep_prefixes[0]); p++)
	for (int map = 0; map < 4; map++)
	for (int op = 0; op < 256; op++) {
		bool all = (map == 1 && op == 0x01) || (map == 0 && op >= 0xd8 && op <= 0xdf);

		if (mode != X86_MODE_64 && p >= SWEEP_LEGACY_PREFIXES)
			break;
		for (unsigned int m = 0; all && m < 256; m++)
			sweep_one(mode, p, map, op, (uint8_t)m, sweep_sib[0], &s);
		for (size_t m = 0; !all && m < sizeof(sweep_modrm); m++)
			for (size_t si = 0; si < ((sweep_modrm[m] & 0xc7) == 0x04 ? 2 : 1); si++)
				sweep_one(mode, p, map, op, sweep_modrm[m], sweep_sib[si], &s);
	}
	print_stats("oracle sweep, legacy maps", &s);
	assert_int_equal(s.failures, 0);
	assert_true(s.both_ok > 300000);
}

/* (a) continued: every opcode of every VEX, EVEX and XOP map, with payload variants. */
static void test_oracle_sweep_vex(void **state)
{
	struct oracle_stats s = { 0 };
	static const uint8_t modrms[] = { 0x04, 0x05, 0x4c, 0x80, 0xc9 };

	(void)state;
	exact_bufs_init();
	assert_true(oracle_init());
	for (int mode = 0; mode < 3; mode++)
	for (int form = 0; form < 4; form++)
	for (int v = 0; v < 64; v++)
	for (int op = 0; op < 256; op++)
	for (size_t m = 0; m < sizeof(modrms); m++) {
		uint8_t b[X86_MAX_INSN_LEN];
		size_t n = 0;
		int pp = v & 3, l = (v >> 2) & 1, w = (v >> 3) & 1, sel = v >> 4;

		if (form == 0) {
			if (v >= 16)	/* C5: R, vvvv = 1111, L, pp */
				break;
			b[n++] = 0xc5;
			b[n++] = (uint8_t)((w ? 0x78 : 0xf8) | l << 2 | pp);
		} else if (form == 1) {
			/* C4: maps 1-3, and map 0 / 4 as invalid probes. */
			static const uint8_t maps[4] = { 1, 2, 3, 0 };

			b[n++] = 0xc4;
			b[n++] = (uint8_t)(0xe0 | maps[sel]);
			b[n++] = (uint8_t)(w << 7 | 0x78 | l << 2 | pp);
		} else if (form == 2) {
			/* EVEX: maps 1, 2, 3, 5, 6; L'L from l and sel; aaa = 0, V' = 1. */
			static const uint8_t maps[4] = { 1, 2, 3, 5 };

			b[n++] = 0x62;
			b[n++] = (uint8_t)(0xf0 | (sel == 3 && l ? 6 : maps[sel]));
			b[n++] = (uint8_t)(w << 7 | 0x7c | pp);
			b[n++] = (uint8_t)(0x08 | (sel & 1) << 6 | l << 5);
		} else {
			/* XOP maps 8, 9, A, and B as an invalid probe. */
			b[n++] = 0x8f;
			b[n++] = (uint8_t)(0xe8 | sel);
			b[n++] = (uint8_t)(w << 7 | 0x78 | l << 2 | pp);
		}
		b[n++] = (uint8_t)op;
		b[n++] = modrms[m];
		b[n++] = 0x25;
		oracle_compare(b, fill_tail(b, n), mode, &s);
	}
	print_stats("oracle sweep, VEX/EVEX/XOP maps", &s);
	assert_int_equal(s.failures, 0);
	assert_true(s.both_ok > 50000);
}

/* xorshift64*: a fixed, portable pseudo-random sequence. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* A random byte string that starts like an instruction more often than noise does. */
static void structured_bytes(uint64_t *rng, int mode, uint8_t *b)
{
	static const uint8_t legacy[] = { 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65 };
	uint64_t r = rng_next(rng);
	size_t n = 0;

	for (int i = 0, np = (int)(r & 3); i < np; i++)
		b[n++] = legacy[(r >> (2 + 4 * i)) % sizeof(legacy)];
	r = rng_next(rng);
	if (mode == X86_MODE_64 && (r & 1))
		b[n++] = (uint8_t)(0x40 | ((r >> 1) & 15));
	switch ((r >> 5) % 8) {
	case 1: b[n++] = 0x0f; break;
	case 2: b[n++] = 0x0f; b[n++] = 0x38; break;
	case 3: b[n++] = 0x0f; b[n++] = 0x3a; break;
	case 4: b[n++] = 0xc5; b[n++] = (uint8_t)(0xc0 | (r >> 8)); break;
	case 5:
		b[n++] = 0xc4;
		b[n++] = (uint8_t)(0xc0 | (r >> 8 & 0x20) | (1 + (r >> 16) % 3));
		break;
	case 6:
		b[n++] = 0x62;
		b[n++] = (uint8_t)(0xc0 | (r >> 8 & 0x30) | (r >> 16 & 7));
		b[n++] = (uint8_t)((r >> 24) | 4);
		break;
	case 7: b[n++] = 0x8f; b[n++] = (uint8_t)(0xc8 | (r >> 8 & 0x23)); break;
	default: break;
	}
	while (n < X86_MAX_INSN_LEN) {
		r = rng_next(rng);
		for (int i = 0; i < 8 && n < X86_MAX_INSN_LEN; i++)
			b[n++] = (uint8_t)(r >> (8 * i));
	}
}

/* (b) 2 million random 15-byte strings, half uniform, half shaped like instructions. */
static void test_oracle_random(void **state)
{
	struct oracle_stats s = { 0 };
	uint64_t rng = 0x5eed0f0decadeull;

	(void)state;
	exact_bufs_init();
	assert_true(oracle_init());
	for (unsigned long i = 0; i < 2000000; i++) {
		uint8_t b[X86_MAX_INSN_LEN + 1];
		int mode = (int)(i % 3);

		if (i & 1) {
			structured_bytes(&rng, mode, b);
		} else {
			for (size_t n = 0; n < X86_MAX_INSN_LEN; n += 8) {
				uint64_t r = rng_next(&rng);

				memcpy(b + n, &r, 8);
			}
		}
		oracle_compare(b, X86_MAX_INSN_LEN, mode, &s);
	}
	print_stats("oracle, 2M random strings", &s);
	assert_int_equal(s.failures, 0);
	assert_true(s.both_ok > 1000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases_64),
		cmocka_unit_test(test_cases_32),
		cmocka_unit_test(test_cases_16),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_sext),
		cmocka_unit_test(test_effective_address),
		cmocka_unit_test(test_oracle_sweep_legacy),
		cmocka_unit_test(test_oracle_sweep_vex),
		cmocka_unit_test(test_oracle_random),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	for (size_t n = 0; n <= X86_MAX_INSN_LEN; n++)
		free(exact_buf[n]);
	return failed;
}
