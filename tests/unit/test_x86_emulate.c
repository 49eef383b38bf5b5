/* Host unit tests for guest/x86/x86_emulate.c: the host CPU as oracle (64-bit), hand cases (16/32). */
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
#include <asm/prctl.h>
#include <cpuid.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest/x86/x86_emulate.h"
#include "tests/unit/x86_native.h"

#define CF	(1ULL << 0)
#define PF	(1ULL << 2)
#define AF	(1ULL << 4)
#define ZF	(1ULL << 6)
#define SF	(1ULL << 7)
#define DF	(1ULL << 10)
#define OF	(1ULL << 11)
#define ARITH	(CF | PF | AF | ZF | SF | OF)

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };

/* ------------------------------------------------------------------------------------------- */
/* Random numbers (xorshift64*), and "interesting" values that reach carries and overflows. */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

static unsigned int rndn(struct rng *r, unsigned int n)
{
	return (unsigned int)(rnd(r) % n);
}

static uint64_t rnd_value(struct rng *r)
{
	static const uint64_t special[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
		0xffffffff, 0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL, 0xfffffffe,
		0x0f, 0x10, 0xfffffffffffffff0ULL,
	};

	switch (rndn(r, 4)) {
	case 0:
		return special[rndn(r, sizeof(special) / sizeof(special[0]))];
	case 1:
		return rnd(r) & 0xff;
	default:
		return rnd(r);
	}
}

/* ------------------------------------------------------------------------------------------- */
/* Memory for the emulator: a host buffer seen at some linear address, with an access log and
 * a fault injected at a chosen access. */

struct access {
	bool write;
	uint64_t linear;
	unsigned int len;
};

struct mem_env {
	uint8_t *buf;
	uint64_t linear;	/* linear address of buf[0] */
	size_t size;
	int fail_at;		/* index of the access that faults, -1 for none */
	bool any_address;	/* fuzzing: reads give a pattern, writes vanish */
	bool out_of_range;
	unsigned int n;
	struct access log[64];
};

static const struct x86_fault injected = {
	.vector = 14, .has_error_code = true, .error_code = 0x7, .cr2 = 0x1234,
};

/* Logs an access and decides whether it faults or lies outside the buffer. */
static bool mem_access(struct mem_env *m, bool write, uint64_t linear, unsigned int len,
		       struct x86_fault *f)
{
	unsigned int i = m->n++;

	if (i < 64)
		m->log[i] = (struct access){ write, linear, len };
	assert_true(len == 1 || len == 2 || len == 4 || len == 8 || len == 16);
	if ((int)i == m->fail_at) {
		f->vector = injected.vector;
		f->has_error_code = injected.has_error_code;
		f->error_code = injected.error_code;
		f->cr2 = linear;
		return false;
	}
	if (m->any_address)
		return true;
	if (linear < m->linear || linear - m->linear > m->size || len > m->size - (linear - m->linear)) {
		m->out_of_range = true;
		f->vector = 0xff;
		return false;
	}
	return true;
}

static bool cb_read(void *ctx, uint64_t linear, void *buf, unsigned int len, struct x86_fault *f)
{
	struct mem_env *m = ctx;

	if (!mem_access(m, false, linear, len, f))
		return false;
	if (m->any_address)
		memset(buf, (int)(linear & 0xff), len);
	else
		memcpy(buf, m->buf + (linear - m->linear), len);
	return true;
}

static bool cb_write(void *ctx, uint64_t linear, const void *buf, unsigned int len,
		     struct x86_fault *f)
{
	struct mem_env *m = ctx;

	if (!mem_access(m, true, linear, len, f))
		return false;
	if (!m->any_address)
		memcpy(m->buf + (linear - m->linear), buf, len);
	return true;
}

static void env_init(struct mem_env *m, uint8_t *buf, uint64_t linear, size_t size)
{
	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->linear = linear;
	m->size = size;
	m->fail_at = -1;
}

static struct x86_emu_ops ops_for(struct mem_env *m)
{
	return (struct x86_emu_ops){ .read = cb_read, .write = cb_write, .ctx = m };
}

/* Runs the emulator on bytes copied to an exact-size heap buffer (ASan catches over-reads). */
static enum x86_emu_status emulate_exact(struct x86_emu_cpu *cpu, const uint8_t *b, size_t n,
					 struct mem_env *m, unsigned int max, struct x86_fault *f)
{
	uint8_t *copy = malloc(n ? n : 1);
	struct x86_emu_ops ops = ops_for(m);
	enum x86_emu_status st;

	assert_non_null(copy);
	memcpy(copy, b, n);
	st = x86_emulate(cpu, copy, n, &ops, max, f, NULL);
	free(copy);
	return st;
}

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


/* ------------------------------------------------------------------------------------------- */
/* Instruction forms and a random encoder of each, with registers that put the memory operand
 * inside the data pages. */

enum form_kind { K_MODRM, K_MOFFS, K_STRING };
enum size_kind { SZ_BYTE, SZ_V, SZ_V32, SZ_CX8 };

struct form {
	const char *name;
	enum form_kind kind;
	uint8_t opc[2], opc_len;
	int8_t digit_lo, digit_hi;	/* ModRM.reg range, -1: a register operand */
	enum size_kind size;
	uint8_t imm;			/* 0, 1 (imm8), 4 (imm16/32 by operand size) */
	bool lock, bt_reg, movs, cmpxchg;
	uint64_t flags;			/* RFLAGS bits compared */
};

#define ALL (ARITH | DF)
#define BTF (CF | ZF | DF)

static const struct form forms[] = {
	{ "mov Eb,Gb", K_MODRM, { 0x88 }, 1, -1, -1, SZ_BYTE, 0, false, false, false, false, ALL },
	{ "mov Ev,Gv", K_MODRM, { 0x89 }, 1, -1, -1, SZ_V, 0, false, false, false, false, ALL },
	{ "mov Eb,Ib", K_MODRM, { 0xc6 }, 1, 0, 0, SZ_BYTE, 1, false, false, false, false, ALL },
	{ "mov Ev,Iz", K_MODRM, { 0xc7 }, 1, 0, 0, SZ_V, 4, false, false, false, false, ALL },
	{ "mov moffs,AL", K_MOFFS, { 0xa2 }, 1, 0, 0, SZ_BYTE, 0, false, false, false, false, ALL },
	{ "mov moffs,rAX", K_MOFFS, { 0xa3 }, 1, 0, 0, SZ_V, 0, false, false, false, false, ALL },
	{ "movnti", K_MODRM, { 0x0f, 0xc3 }, 2, -1, -1, SZ_V32, 0, false, false, false, false, ALL },
	{ "xchg Eb,Gb", K_MODRM, { 0x86 }, 1, -1, -1, SZ_BYTE, 0, true, false, false, false, ALL },
	{ "xchg Ev,Gv", K_MODRM, { 0x87 }, 1, -1, -1, SZ_V, 0, true, false, false, false, ALL },
	{ "cmpxchg Eb,Gb", K_MODRM, { 0x0f, 0xb0 }, 2, -1, -1, SZ_BYTE, 0, true, false, false, true, ALL },
	{ "cmpxchg Ev,Gv", K_MODRM, { 0x0f, 0xb1 }, 2, -1, -1, SZ_V, 0, true, false, false, true, ALL },
	{ "cmpxchg8b/16b", K_MODRM, { 0x0f, 0xc7 }, 2, 1, 1, SZ_CX8, 0, true, false, false, true, ALL },
	{ "add Eb,Gb", K_MODRM, { 0x00 }, 1, -1, -1, SZ_BYTE, 0, true, false, false, false, ALL },
	{ "add Ev,Gv", K_MODRM, { 0x01 }, 1, -1, -1, SZ_V, 0, true, false, false, false, ALL },
	{ "or Eb,Gb", K_MODRM, { 0x08 }, 1, -1, -1, SZ_BYTE, 0, true, false, false, false, ALL },
	{ "or Ev,Gv", K_MODRM, { 0x09 }, 1, -1, -1, SZ_V, 0, true, false, false, false, ALL },
	{ "adc Eb,Gb", K_MODRM, { 0x10 }, 1, -1, -1, SZ_BYTE, 0, true, false, false, false, ALL },
	{ "adc Ev,Gv", K_MODRM, { 0x11 }, 1, -1, -1, SZ_V, 0, true, false, false, false, ALL },
	{ "sbb Eb,Gb", K_MODRM, { 0x18 }, 1, -1, -1, SZ_BYTE, 0, true, false, false, false, ALL },
	{ "sbb Ev,Gv", K_MODRM, { 0x19 }, 1, -1, -1, SZ_V, 0, true, false, false, false, ALL },
	{ "and Eb,Gb", K_MODRM, { 0x20 }, 1, -1, -1, SZ_BYTE, 0, true, false, false, false, ALL },
	{ "and Ev,Gv", K_MODRM, { 0x21 }, 1, -1, -1, SZ_V, 0, true, false, false, false, ALL },
	{ "sub Eb,Gb", K_MODRM, { 0x28 }, 1, -1, -1, SZ_BYTE, 0, true, false, false, false, ALL },
	{ "sub Ev,Gv", K_MODRM, { 0x29 }, 1, -1, -1, SZ_V, 0, true, false, false, false, ALL },
	{ "xor Eb,Gb", K_MODRM, { 0x30 }, 1, -1, -1, SZ_BYTE, 0, true, false, false, false, ALL },
	{ "xor Ev,Gv", K_MODRM, { 0x31 }, 1, -1, -1, SZ_V, 0, true, false, false, false, ALL },
	{ "grp1 Eb,Ib", K_MODRM, { 0x80 }, 1, 0, 6, SZ_BYTE, 1, true, false, false, false, ALL },
	{ "grp1 Ev,Iz", K_MODRM, { 0x81 }, 1, 0, 6, SZ_V, 4, true, false, false, false, ALL },
	{ "grp1 Ev,Ib", K_MODRM, { 0x83 }, 1, 0, 6, SZ_V, 1, true, false, false, false, ALL },
	{ "bts Ev,Gv", K_MODRM, { 0x0f, 0xab }, 2, -1, -1, SZ_V, 0, true, true, false, false, BTF },
	{ "btr Ev,Gv", K_MODRM, { 0x0f, 0xb3 }, 2, -1, -1, SZ_V, 0, true, true, false, false, BTF },
	{ "btc Ev,Gv", K_MODRM, { 0x0f, 0xbb }, 2, -1, -1, SZ_V, 0, true, true, false, false, BTF },
	{ "bt* Ev,Ib", K_MODRM, { 0x0f, 0xba }, 2, 5, 7, SZ_V, 1, true, false, false, false, BTF },
	{ "stos b", K_STRING, { 0xaa }, 1, 0, 0, SZ_BYTE, 0, false, false, false, false, ALL },
	{ "stos v", K_STRING, { 0xab }, 1, 0, 0, SZ_V, 0, false, false, false, false, ALL },
	{ "movs b", K_STRING, { 0xa4 }, 1, 0, 0, SZ_BYTE, 0, false, false, true, false, ALL },
	{ "movs v", K_STRING, { 0xa5 }, 1, 0, 0, SZ_V, 0, false, false, true, false, ALL },
};

#define NFORMS (sizeof(forms) / sizeof(forms[0]))

/* One generated case: the bytes, the input registers and memory, where it lives. */
struct tcase {
	uint8_t code[16];
	size_t len;
	struct hstate in;
	unsigned int opsize;
};

/* The effective address target for a segment: linear t minus the segment's base. */
static uint64_t ea_for(uint64_t t, uint8_t seg_prefix)
{
	if (seg_prefix == 0x64)
		return t - oracle.fs_base;
	if (seg_prefix == 0x65)
		return t - oracle.gs_base;
	return t;
}

static const uint8_t seg_prefixes[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };

/* Picks a segment override prefix (0 for none); FS/GS only where a 64-bit offset can reach. */
static uint8_t pick_seg(struct rng *r, bool allow_based)
{
	uint8_t p;

	if (rndn(r, 3))
		return 0;
	do
		p = seg_prefixes[rndn(r, 6)];
	while (!allow_based && ((p == 0x64 && oracle.fs_base) || (p == 0x65 && oracle.gs_base)));
	return p;
}

/* Puts n prefix bytes in random order at out. */
static size_t emit_prefixes(struct rng *r, uint8_t *out, uint8_t *pre, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rndn(r, (unsigned int)i);
		uint8_t t = pre[i - 1];

		pre[i - 1] = pre[j];
		pre[j] = t;
	}
	memcpy(out, pre, n);
	return n;
}

/* All ones in the low size bytes. */
static uint64_t size_mask_test(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* Writes the low size bytes of v at p. */
static void put_le(uint8_t *p, unsigned int size, uint64_t v)
{
	for (unsigned int i = 0; i < size; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Random values in every register (rsp stays 0), random arithmetic flags and DF. */
static void random_state(struct rng *r, struct hstate *s)
{
	for (int i = 0; i < 16; i++)
		s->gpr[i] = rnd_value(r);
	s->gpr[RSP] = 0;
	s->rflags = 0x2 | (rnd(r) & ARITH) | (rndn(r, 4) == 0 ? DF : 0);
}

/* Operand size for a form: 1, or 2/4/8 with the prefixes that select it. */
static unsigned int pick_opsize(struct rng *r, const struct form *fm, bool *p66, bool *rexw)
{
	*p66 = false;
	*rexw = false;
	switch (fm->size) {
	case SZ_BYTE:
		*p66 = rndn(r, 4) == 0;	/* ignored */
		return 1;
	case SZ_CX8:
		*p66 = rndn(r, 4) == 0;	/* ignored */
		*rexw = rndn(r, 2);
		return *rexw ? 16 : 8;
	case SZ_V32:
		*rexw = rndn(r, 2);
		return *rexw ? 8 : 4;
	default:
		switch (rndn(r, 3)) {
		case 0:
			*p66 = true;
			*rexw = rndn(r, 4) == 0;	/* W wins over 66 */
			return *rexw ? 8 : 2;
		case 1:
			return 4;
		default:
			*rexw = true;
			return 8;
		}
	}
}

/* Encodes a random ModRM-memory instance of fm and sets registers and memory to match. */
static void gen_modrm(struct rng *r, const struct form *fm, struct tcase *tc, uint8_t *mem)
{
	uint8_t pre[6], *p = tc->code;
	size_t npre = 0;
	bool p66, rexw, a32 = rndn(r, 4) == 0, lock = fm->lock && rndn(r, 2);
	unsigned int opsize = pick_opsize(r, fm, &p66, &rexw);
	uint8_t rex, mod, rm, regf, ss = 0, idx = 0, bs = 0, seg;
	int base, index, regop;
	bool sib, rip, want_rex;
	unsigned int disp_size;
	uint64_t t, e, sc, disp, idxv;
	size_t disp_pos;

	for (;;) {
		want_rex = rexw || rndn(r, 2);
		rex = want_rex ? (uint8_t)(0x40 | (rexw ? 8 : 0) | (rnd(r) & 7)) : 0;
		mod = (uint8_t)rndn(r, 3);
		rm = (uint8_t)rndn(r, 8);
		regf = fm->digit_lo < 0 ? (uint8_t)rndn(r, 8)
					: (uint8_t)(fm->digit_lo + rndn(r, fm->digit_hi - fm->digit_lo + 1));
		regop = fm->digit_lo < 0 ? regf | ((rex & 4) << 1) : -1;
		if (regop == RSP && (opsize != 1 || rex))
			continue;
		sib = rm == 4;
		rip = !sib && rm == 5 && mod == 0;
		base = index = -1;
		if (sib) {
			ss = (uint8_t)rndn(r, 4);
			idx = (uint8_t)rndn(r, 8);
			bs = (uint8_t)rndn(r, 8);
			if (bs == 4 && !(rex & 1))
				continue;	/* rsp base */
			if (!(bs == 5 && mod == 0))
				base = bs | ((rex & 1) << 3);
			if ((idx | ((rex & 2) << 2)) != 4)
				index = idx | ((rex & 2) << 2);
		} else if (!rip) {
			base = rm | ((rex & 1) << 3);
		}
		if (base >= 0 && base == index)
			continue;
		/* A register bit offset must not also be an address register. */
		if (fm->bt_reg && (regop == base || regop == index))
			continue;
		break;
	}
	seg = pick_seg(r, !a32 && (base >= 0 || index >= 0));
	disp_size = mod == 1 ? 1 : (mod == 2 || rip || (sib && base < 0)) ? 4 : 0;

	if (p66)
		pre[npre++] = 0x66;
	if (a32)
		pre[npre++] = 0x67;
	if (lock)
		pre[npre++] = 0xf0;
	if (seg)
		pre[npre++] = seg;
	p += emit_prefixes(r, p, pre, npre);
	if (rex)
		*p++ = rex;
	memcpy(p, fm->opc, fm->opc_len);
	p += fm->opc_len;
	*p++ = (uint8_t)(mod << 6 | (regf & 7) << 3 | rm);
	if (sib)
		*p++ = (uint8_t)(ss << 6 | idx << 3 | bs);
	disp_pos = (size_t)(p - tc->code);
	p += disp_size;
	if (fm->imm)
		p += fm->imm == 1 ? 1 : opsize == 2 ? 2 : 4;
	tc->len = (size_t)(p - tc->code);
	if (fm->imm)
		put_le(tc->code + disp_pos + disp_size, (unsigned int)(tc->len - disp_pos - disp_size),
		       rnd_value(r));

	/* Registers, then the address. */
	random_state(r, &tc->in);
	t = (uint64_t)oracle.data + 2048 + rndn(r, DATA_SIZE - 4096);
	if (opsize == 16)
		t &= ~15ULL;
	e = ea_for(t, seg);
	sc = 1ULL << ss;
	disp = mod == 1 ? (uint64_t)(int64_t)(int8_t)(rndn(r, 240) - 120)
			: (uint64_t)(int64_t)(int32_t)(rnd(r) % 0x200000 - 0x100000);
	if (disp_size == 0)
		disp = 0;
	if (rip) {
		disp = e - ((uint64_t)oracle.insn + tc->len);
	} else if (base < 0) {
		if (index < 0) {
			disp = e;
		} else {
			disp += (e - disp) & (sc - 1);
			tc->in.gpr[index] = (e - disp) / sc;
		}
	} else {
		idxv = index >= 0 ? tc->in.gpr[index] : 0;
		tc->in.gpr[base] = e - idxv * sc - disp;
	}
	put_le(tc->code + disp_pos, disp_size, disp);

	if (fm->bt_reg) {
		int64_t off = (int64_t)rndn(r, 16384) - 8192;

		tc->in.gpr[regop] = (rnd(r) & ~size_mask_test(opsize)) | ((uint64_t)off & size_mask_test(opsize));
	}
	/* Memory contents that make the interesting outcomes likely. */
	if (fm->cmpxchg && rndn(r, 2)) {
		if (opsize >= 8 && fm->size == SZ_CX8) {
			put_le(mem + (t - (uint64_t)oracle.data), opsize / 2, tc->in.gpr[RAX]);
			put_le(mem + (t - (uint64_t)oracle.data) + opsize / 2, opsize / 2, tc->in.gpr[RDX]);
		} else {
			put_le(mem + (t - (uint64_t)oracle.data), opsize, tc->in.gpr[RAX]);
		}
	} else if (regop >= 0 && rndn(r, 4) == 0) {
		uint64_t v = (opsize == 1 && !rex && regop >= 4) ? tc->in.gpr[regop - 4] >> 8 : tc->in.gpr[regop];

		put_le(mem + (t - (uint64_t)oracle.data), opsize, v);
	}
	tc->opsize = opsize;
}

/* Encodes a random MOV moffs,AL/rAX (A2, A3). */
static void gen_moffs(struct rng *r, const struct form *fm, struct tcase *tc, uint8_t *mem)
{
	uint8_t pre[4], *p = tc->code, seg;
	size_t npre = 0;
	bool p66, rexw, a32 = rndn(r, 3) == 0;
	unsigned int opsize = pick_opsize(r, fm, &p66, &rexw);
	uint64_t t;

	(void)mem;
	seg = pick_seg(r, !a32);
	if (p66)
		pre[npre++] = 0x66;
	if (a32)
		pre[npre++] = 0x67;
	if (seg)
		pre[npre++] = seg;
	p += emit_prefixes(r, p, pre, npre);
	if (rexw || rndn(r, 2))
		*p++ = (uint8_t)(0x40 | (rexw ? 8 : 0) | (rnd(r) & 7));
	*p++ = fm->opc[0];
	random_state(r, &tc->in);
	t = (uint64_t)oracle.data + 2048 + rndn(r, DATA_SIZE - 4096);
	put_le(p, a32 ? 4 : 8, ea_for(t, seg));
	p += a32 ? 4 : 8;
	tc->len = (size_t)(p - tc->code);
	tc->opsize = opsize;
}

/* Encodes a random STOS or MOVS, with or without REP, and points rSI/rDI into the data. */
static void gen_string(struct rng *r, const struct form *fm, struct tcase *tc, uint8_t *mem)
{
	uint8_t pre[5], *p = tc->code, seg;
	size_t npre = 0;
	bool p66, rexw, a32 = rndn(r, 3) == 0;
	unsigned int opsize = pick_opsize(r, fm, &p66, &rexw), rep = rndn(r, 3);
	uint64_t garbage = a32 ? rnd(r) << 32 : 0;

	(void)mem;
	seg = pick_seg(r, !a32);
	if (p66)
		pre[npre++] = 0x66;
	if (a32)
		pre[npre++] = 0x67;
	if (seg)
		pre[npre++] = seg;
	if (rep)
		pre[npre++] = rep == 1 ? 0xf3 : 0xf2;
	p += emit_prefixes(r, p, pre, npre);
	if (rexw || rndn(r, 2))
		*p++ = (uint8_t)(0x40 | (rexw ? 8 : 0) | (rnd(r) & 7));
	*p++ = fm->opc[0];
	tc->len = (size_t)(p - tc->code);
	random_state(r, &tc->in);
	if (rndn(r, 2))
		tc->in.rflags |= DF;
	tc->in.gpr[RDI] = (uint64_t)oracle.data + 1024 + rndn(r, DATA_SIZE - 2048) + garbage;
	tc->in.gpr[RSI] = ea_for((uint64_t)oracle.data + 1024 + rndn(r, DATA_SIZE - 2048), seg) +
			  (a32 ? rnd(r) << 32 : 0);
	if (rep)
		tc->in.gpr[RCX] = rndn(r, 13) + (a32 ? rnd(r) << 32 : 0);
	tc->opsize = opsize;
}

/* The emulator's view of a 64-bit oracle case: garbage ES/CS/SS/DS bases (ignored in 64-bit
 * mode), the host's FS and GS bases, the host's vendor. */
static void cpu_from(struct x86_emu_cpu *cpu, const struct hstate *s, struct rng *r)
{
	memset(cpu, 0, sizeof(*cpu));
	memcpy(cpu->gpr, s->gpr, sizeof(cpu->gpr));
	cpu->rflags = s->rflags;
	cpu->rip = (uint64_t)oracle.insn;
	for (int i = 0; i < 4; i++)
		cpu->seg_base[i] = rnd(r);
	cpu->seg_base[X86_SEG_FS] = oracle.fs_base;
	cpu->seg_base[X86_SEG_GS] = oracle.gs_base;
	cpu->mode = X86_MODE_64;
	cpu->vendor = oracle.vendor;
}

static void dump_case(const struct form *fm, const struct tcase *tc, const char *why)
{
	fprintf(stderr, "[%s] %s: bytes", fm->name, why);
	for (size_t i = 0; i < tc->len; i++)
		fprintf(stderr, " %02x", tc->code[i]);
	fprintf(stderr, "\n  in: rflags=%#" PRIx64, tc->in.rflags);
	for (int i = 0; i < 16; i++)
		fprintf(stderr, "%s r%d=%#" PRIx64, i % 4 ? "" : "\n ", i, tc->in.gpr[i]);
	fprintf(stderr, "\n");
}

/* Runs one case under the emulator (in chunks of REP iterations when chunk is set) and natively,
 * and compares registers, the compared flags, RIP and the data pages. */
static void run_case(struct rng *r, const struct form *fm, struct tcase *tc, const uint8_t *init,
		     uint8_t *emu_mem, unsigned int chunk)
{
	struct x86_emu_cpu cpu;
	struct mem_env m;
	struct x86_fault f;
	struct hstate hs = tc->in;
	enum x86_emu_status st;
	unsigned int calls = 0;
	bool bad = false;

	memcpy(oracle.data, init, DATA_SIZE);
	cpu_from(&cpu, &tc->in, r);
	do {
		env_init(&m, oracle.data, (uint64_t)oracle.data, DATA_SIZE);
		st = emulate_exact(&cpu, tc->code, tc->len, &m, chunk ? chunk : 1000, &f);
	} while (st == X86_EMU_OK && cpu.rip == (uint64_t)oracle.insn && ++calls < 100);
	if (st != X86_EMU_OK || m.out_of_range || cpu.rip != (uint64_t)oracle.insn + tc->len) {
		dump_case(fm, tc, "emulator did not complete");
		fprintf(stderr, "  status %s, out of range %d\n", x86_emu_status_name(st), m.out_of_range);
		fail();
	}
	memcpy(emu_mem, oracle.data, DATA_SIZE);
	memcpy(oracle.data, init, DATA_SIZE);
	oracle_run(tc->code, tc->len, &hs);

	for (int i = 0; i < 16; i++) {
		if (i != RSP && hs.gpr[i] != cpu.gpr[i]) {
			fprintf(stderr, "  r%d: native %#" PRIx64 " emulated %#" PRIx64 "\n", i, hs.gpr[i],
				cpu.gpr[i]);
			bad = true;
		}
	}
	if ((hs.rflags ^ cpu.rflags) & fm->flags) {
		fprintf(stderr, "  rflags: native %#" PRIx64 " emulated %#" PRIx64 "\n", hs.rflags,
			cpu.rflags);
		bad = true;
	}
	if ((cpu.rflags ^ tc->in.rflags) & ~(fm->flags | ARITH)) {
		fprintf(stderr, "  rflags: emulator changed non-arithmetic bits\n");
		bad = true;
	}
	for (size_t i = 0; i < DATA_SIZE; i++) {
		if (oracle.data[i] != emu_mem[i]) {
			fprintf(stderr, "  data[%zu]: native %02x emulated %02x\n", i, oracle.data[i],
				emu_mem[i]);
			bad = true;
			break;
		}
	}
	if (bad) {
		dump_case(fm, tc, "mismatch with the host CPU");
		fail();
	}
}

#define ORACLE_CASES_PER_FORM 3000

/* Random data pages: random words, with interesting values sprinkled in. */
static void fill_random(struct rng *r, uint8_t *mem)
{
	uint64_t *w = (uint64_t *)(void *)mem;

	for (size_t i = 0; i < DATA_SIZE / 8; i++)
		w[i] = rnd(r);
	for (unsigned int i = 0; i < 64; i++)
		put_le(mem + rndn(r, DATA_SIZE - 8), 8, rnd_value(r));
}

/* Every form against the host CPU: random prefixes, addressing, registers, flags and memory. */
static void test_oracle_64(void **state)
{
	struct rng r = { 0x9e3779b97f4a7c15ULL };
	static uint8_t init[DATA_SIZE], emu_mem[DATA_SIZE];
	unsigned long total = 0;

	(void)state;
	assert_true(oracle_init());
	for (size_t fi = 0; fi < NFORMS; fi++) {
		const struct form *fm = &forms[fi];

		for (unsigned int n = 0; n < ORACLE_CASES_PER_FORM; n++) {
			struct tcase tc;
			unsigned int chunk = 0;

			fill_random(&r, init);
			memset(&tc, 0, sizeof(tc));
			if (fm->kind == K_MODRM)
				gen_modrm(&r, fm, &tc, init);
			else if (fm->kind == K_MOFFS)
				gen_moffs(&r, fm, &tc, init);
			else
				gen_string(&r, fm, &tc, init);
			if (fm->kind == K_STRING && rndn(&r, 2))
				chunk = 1 + rndn(&r, 4);
			run_case(&r, fm, &tc, init, emu_mem, chunk);
			total++;
		}
	}
	print_message("oracle: %lu cases over %zu forms, host %s, emulated as %s\n", total, NFORMS,
		      oracle.vendor_name, oracle.vendor == X86_VENDOR_AMD ? "AMD" : "Intel");
}

/* ------------------------------------------------------------------------------------------- */
/* Hand-computed cases for 32- and 16-bit code (and a few 64-bit details): a flat buffer of
 * HAND_SIZE bytes at linear 0. */

#define HAND_SIZE 0x60000

struct hand {
	struct x86_emu_cpu cpu;
	struct mem_env m;
	struct x86_fault f;
	uint8_t *mem;
};

static struct hand *hand_new(enum x86_mode mode)
{
	struct hand *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	h->mem = calloc(1, HAND_SIZE);
	assert_non_null(h->mem);
	h->cpu.mode = mode;
	h->cpu.rflags = 0x2;
	env_init(&h->m, h->mem, 0, HAND_SIZE);
	return h;
}

static void hand_free(struct hand *h)
{
	free(h->mem);
	free(h);
}

/* Runs hex at h->cpu.rip; resets the access log first. */
static enum x86_emu_status hand_run(struct hand *h, const char *hex)
{
	uint8_t b[16];
	size_t n = parse_hex(hex, b, sizeof(b));
	int fail_at = h->m.fail_at;
	bool any = h->m.any_address;

	env_init(&h->m, h->mem, 0, HAND_SIZE);
	h->m.fail_at = fail_at;
	h->m.any_address = any;
	return emulate_exact(&h->cpu, b, n, &h->m, 1000, &h->f);
}

static uint64_t mem_le(const struct hand *h, uint64_t linear, unsigned int size)
{
	uint64_t v = 0;

	for (unsigned int i = size; i-- > 0;)
		v = (v << 8) | h->mem[linear + i];
	return v;
}

static void mem_put(struct hand *h, uint64_t linear, unsigned int size, uint64_t v)
{
	put_le(h->mem + linear, size, v);
}

/* Asserts the access log holds exactly the given (write, linear, len) triples. */
static void expect_accesses(const struct hand *h, unsigned int n, const struct access *want)
{
	assert_false(h->m.out_of_range);
	assert_int_equal(h->m.n, n);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(h->m.log[i].write, want[i].write);
		assert_int_equal(h->m.log[i].linear, want[i].linear);
		assert_int_equal(h->m.log[i].len, want[i].len);
	}
}

#define W(a, l) { true, (a), (l) }
#define R(a, l) { false, (a), (l) }
#define EXPECT(h, ...) do { \
	static const struct access want_[] = { __VA_ARGS__ }; \
	expect_accesses((h), sizeof(want_) / sizeof(want_[0]), want_); \
} while (0)

static void test_mov_32(void **state)
{
	struct hand *h = hand_new(X86_MODE_32);

	(void)state;
	h->cpu.seg_base[X86_SEG_DS] = 0x1000;
	h->cpu.seg_base[X86_SEG_FS] = 0x2000;
	h->cpu.seg_base[X86_SEG_SS] = 0x5000;
	h->cpu.rip = 0x400;
	h->cpu.gpr[RBX] = 0x100;
	h->cpu.gpr[RAX] = 0x11223344;
	assert_int_equal(hand_run(h, "89 43 04"), X86_EMU_OK);	/* mov [ebx+4], eax */
	EXPECT(h, W(0x1104, 4));
	assert_int_equal(mem_le(h, 0x1104, 4), 0x11223344);
	assert_int_equal(h->cpu.rip, 0x403);

	assert_int_equal(hand_run(h, "66 89 43 10"), X86_EMU_OK);	/* mov [ebx+16], ax */
	EXPECT(h, W(0x1110, 2));
	assert_int_equal(mem_le(h, 0x1110, 4), 0x3344);

	h->cpu.gpr[RAX] = 0x10;
	assert_int_equal(hand_run(h, "64 c7 00 78 56 34 12"), X86_EMU_OK);	/* mov dword fs:[eax], imm */
	EXPECT(h, W(0x2010, 4));
	assert_int_equal(mem_le(h, 0x2010, 4), 0x12345678);

	h->cpu.gpr[RAX] = 0xcafef00d;
	assert_int_equal(hand_run(h, "a3 00 30 00 00"), X86_EMU_OK);	/* mov [0x3000], eax */
	EXPECT(h, W(0x4000, 4));
	assert_int_equal(mem_le(h, 0x4000, 4), 0xcafef00d);

	/* xchg [esp], ah: SS is the default for an esp base; AH without REX. */
	h->cpu.gpr[RSP] = 0x80;
	h->cpu.gpr[RAX] = 0x1234;
	mem_put(h, 0x5080, 1, 0xab);
	assert_int_equal(hand_run(h, "86 24 24"), X86_EMU_OK);
	EXPECT(h, R(0x5080, 1), W(0x5080, 1));
	assert_int_equal(h->mem[0x5080], 0x12);
	assert_int_equal(h->cpu.gpr[RAX], 0xab34);

	/* ebp base with a DS override uses DS. */
	h->cpu.gpr[RBP] = 0x20;
	assert_int_equal(hand_run(h, "3e 88 45 00"), X86_EMU_OK);
	EXPECT(h, W(0x1020, 1));

	/* EIP wraps at 4 GiB; linear addresses too. */
	h->cpu.rip = 0xfffffffd;
	h->cpu.seg_base[X86_SEG_DS] = 0xfffff000;
	h->cpu.gpr[RBX] = 0x1100;
	assert_int_equal(hand_run(h, "88 03"), X86_EMU_OK);
	EXPECT(h, W(0x100, 1));
	assert_int_equal(h->cpu.rip, 0xffffffff);
	assert_int_equal(hand_run(h, "88 03"), X86_EMU_OK);
	assert_int_equal(h->cpu.rip, 1);
	hand_free(h);
}

static void test_alu_32(void **state)
{
	struct hand *h = hand_new(X86_MODE_32);

	(void)state;
	h->cpu.gpr[RCX] = 0x100;
	h->cpu.gpr[RDX] = 0x80000000;
	mem_put(h, 0x100, 4, 0x0f0f0000);
	h->cpu.rflags = 0x2 | CF | OF | AF | ZF;
	assert_int_equal(hand_run(h, "f0 09 11"), X86_EMU_OK);	/* lock or [ecx], edx */
	EXPECT(h, R(0x100, 4), W(0x100, 4));
	assert_int_equal(mem_le(h, 0x100, 4), 0x8f0f0000);
	assert_int_equal(h->cpu.rflags, 0x2 | SF | PF);

	h->cpu.gpr[RAX] = 0x200;
	h->cpu.gpr[RCX] = 7;
	mem_put(h, 0x200, 4, 5);
	assert_int_equal(hand_run(h, "29 08"), X86_EMU_OK);	/* sub [eax], ecx */
	assert_int_equal(mem_le(h, 0x200, 4), 0xfffffffe);
	assert_int_equal(h->cpu.rflags, 0x2 | CF | SF | AF);

	mem_put(h, 0x200, 4, 0x7fffffff);
	assert_int_equal(hand_run(h, "83 00 01"), X86_EMU_OK);	/* add dword [eax], 1 */
	assert_int_equal(mem_le(h, 0x200, 4), 0x80000000);
	assert_int_equal(h->cpu.rflags, 0x2 | OF | SF | AF | PF);

	mem_put(h, 0x200, 2, 0x00ff);
	assert_int_equal(hand_run(h, "66 81 30 ff 00"), X86_EMU_OK);	/* xor word [eax], 0xff */
	assert_int_equal(mem_le(h, 0x200, 4), 0x80000000);
	assert_int_equal(h->cpu.rflags, 0x2 | ZF | PF);

	/* CMP writes nothing: not emulated. */
	assert_int_equal(hand_run(h, "39 08"), X86_EMU_UNSUPPORTED);
	assert_int_equal(hand_run(h, "80 38 01"), X86_EMU_UNSUPPORTED);
	assert_int_equal(h->m.n, 0);
	hand_free(h);
}

static void test_cmpxchg8b_32(void **state)
{
	struct hand *h = hand_new(X86_MODE_32);

	(void)state;
	h->cpu.gpr[RSI] = 0x300;
	h->cpu.gpr[RAX] = 0x11111111;
	h->cpu.gpr[RDX] = 0x22222222;
	h->cpu.gpr[RBX] = 0x33333333;
	h->cpu.gpr[RCX] = 0x44444444;
	mem_put(h, 0x300, 8, 0x2222222211111111ULL);
	h->cpu.rflags = 0x2 | CF | SF;
	assert_int_equal(hand_run(h, "f0 0f c7 0e"), X86_EMU_OK);	/* lock cmpxchg8b [esi] */
	EXPECT(h, R(0x300, 8), W(0x300, 8));
	assert_int_equal(mem_le(h, 0x300, 8), 0x4444444433333333ULL);
	assert_int_equal(h->cpu.rflags, 0x2 | CF | SF | ZF);
	assert_int_equal(h->cpu.gpr[RAX], 0x11111111);

	assert_int_equal(hand_run(h, "0f c7 0e"), X86_EMU_OK);	/* now unequal */
	EXPECT(h, R(0x300, 8), W(0x300, 8));
	assert_int_equal(mem_le(h, 0x300, 8), 0x4444444433333333ULL);
	assert_int_equal(h->cpu.rflags, 0x2 | CF | SF);
	assert_int_equal(h->cpu.gpr[RAX], 0x33333333);
	assert_int_equal(h->cpu.gpr[RDX], 0x44444444);

	/* cmpxchg [ebx], cl with AL equal, then unequal. */
	h->cpu.gpr[RBX] = 0x310;
	h->cpu.gpr[RAX] = 0x55;
	h->cpu.gpr[RCX] = 0x66;
	mem_put(h, 0x310, 1, 0x55);
	assert_int_equal(hand_run(h, "0f b0 0b"), X86_EMU_OK);
	assert_int_equal(h->mem[0x310], 0x66);
	assert_true(h->cpu.rflags & ZF);
	assert_int_equal(hand_run(h, "0f b0 0b"), X86_EMU_OK);
	EXPECT(h, R(0x310, 1), W(0x310, 1));
	assert_int_equal(h->mem[0x310], 0x66);
	assert_int_equal(h->cpu.gpr[RAX], 0x66);
	assert_false(h->cpu.rflags & ZF);
	assert_true(h->cpu.rflags & CF);	/* 0x55 - 0x66 borrows */
	hand_free(h);
}

static void test_bt_32(void **state)
{
	struct hand *h = hand_new(X86_MODE_32);

	(void)state;
	h->cpu.seg_base[X86_SEG_DS] = 0x1000;
	h->cpu.gpr[RAX] = 0x100;
	h->cpu.gpr[RCX] = 0xffffffff;		/* bit -1: bit 31 of the dword below */
	mem_put(h, 0x10fc, 4, 0x80000000);
	h->cpu.rflags = 0x2 | ZF | SF | OF;
	assert_int_equal(hand_run(h, "0f b3 08"), X86_EMU_OK);	/* btr [eax], ecx */
	EXPECT(h, R(0x10fc, 4), W(0x10fc, 4));
	assert_int_equal(mem_le(h, 0x10fc, 4), 0);
	assert_int_equal(h->cpu.rflags, 0x2 | ZF | SF | OF | CF);

	h->cpu.gpr[RCX] = 100;			/* dword 3, bit 4 */
	assert_int_equal(hand_run(h, "0f ab 08"), X86_EMU_OK);	/* bts [eax], ecx */
	EXPECT(h, R(0x110c, 4), W(0x110c, 4));
	assert_int_equal(mem_le(h, 0x110c, 4), 0x10);
	assert_int_equal(h->cpu.rflags, 0x2 | ZF | SF | OF);

	h->cpu.gpr[RAX] = 0x2000;
	h->cpu.gpr[RCX] = 0xffff8000;		/* 16-bit operand: -32768 bits = -4096 bytes */
	assert_int_equal(hand_run(h, "66 0f bb 08"), X86_EMU_OK);	/* btc [eax], cx */
	EXPECT(h, R(0x2000, 2), W(0x2000, 2));
	assert_int_equal(mem_le(h, 0x2000, 2), 1);
	h->cpu.gpr[RAX] = 0x100;

	/* The imm8 form takes the offset modulo the operand size: 36 -> bit 4. */
	assert_int_equal(hand_run(h, "0f ba 28 24"), X86_EMU_OK);	/* bts dword [eax], 36 */
	EXPECT(h, R(0x1100, 4), W(0x1100, 4));
	assert_int_equal(mem_le(h, 0x1100, 4), 0x10);
	/* Register forms and BT itself do not write memory. */
	assert_int_equal(hand_run(h, "0f ab c8"), X86_EMU_UNSUPPORTED);
	assert_int_equal(hand_run(h, "0f a3 08"), X86_EMU_UNSUPPORTED);
	assert_int_equal(hand_run(h, "0f ba 20 01"), X86_EMU_UNSUPPORTED);
	hand_free(h);
}

static void test_string_32(void **state)
{
	struct hand *h = hand_new(X86_MODE_32);

	(void)state;
	/* rep stosd, DF=1, from ES:0x200 down. */
	h->cpu.seg_base[X86_SEG_ES] = 0x4000;
	h->cpu.seg_base[X86_SEG_DS] = 0x8000;
	h->cpu.rflags = 0x2 | DF;
	h->cpu.gpr[RCX] = 3;
	h->cpu.gpr[RDI] = 0x200;
	h->cpu.gpr[RAX] = 0xdeadbeef;
	h->cpu.rip = 0x1000;
	assert_int_equal(hand_run(h, "f3 ab"), X86_EMU_OK);
	EXPECT(h, W(0x4200, 4), W(0x41fc, 4), W(0x41f8, 4));
	assert_int_equal(h->cpu.gpr[RDI], 0x1f4);
	assert_int_equal(h->cpu.gpr[RCX], 0);
	assert_int_equal(h->cpu.rip, 0x1002);

	/* a16 rep movsb: SI wraps at 64 KiB, the upper halves of ECX/ESI/EDI stay. */
	h->cpu.rflags = 0x2;
	h->cpu.gpr[RCX] = 0xabcd0002;
	h->cpu.gpr[RSI] = 0x1234ffff;
	h->cpu.gpr[RDI] = 0x56780010;
	mem_put(h, 0x8000 + 0xffff, 1, 0xa1);
	mem_put(h, 0x8000, 1, 0xa2);
	assert_int_equal(hand_run(h, "67 f3 a4"), X86_EMU_OK);
	EXPECT(h, R(0x17fff, 1), W(0x4010, 1), R(0x8000, 1), W(0x4011, 1));
	assert_int_equal(mem_le(h, 0x4010, 2), 0xa2a1);
	assert_int_equal(h->cpu.gpr[RCX], 0xabcd0000);
	assert_int_equal(h->cpu.gpr[RSI], 0x12340001);
	assert_int_equal(h->cpu.gpr[RDI], 0x56780012);

	/* movsw with a GS override for the source; ES cannot be overridden. */
	h->cpu.seg_base[X86_SEG_GS] = 0x9000;
	h->cpu.gpr[RSI] = 0x10;
	h->cpu.gpr[RDI] = 0x20;
	h->cpu.gpr[RCX] = 5;
	assert_int_equal(hand_run(h, "65 66 a5"), X86_EMU_OK);
	EXPECT(h, R(0x9010, 2), W(0x4020, 2));
	assert_int_equal(h->cpu.gpr[RSI], 0x12);
	assert_int_equal(h->cpu.gpr[RDI], 0x22);
	assert_int_equal(h->cpu.gpr[RCX], 5);	/* no REP: rCX untouched */

	/* rep with ECX = 0: nothing but RIP. */
	h->cpu.gpr[RCX] = 0;
	h->cpu.rip = 0x1000;
	assert_int_equal(hand_run(h, "f3 a5"), X86_EMU_OK);
	assert_int_equal(h->m.n, 0);
	assert_int_equal(h->cpu.rip, 0x1002);
	assert_int_equal(h->cpu.gpr[RSI], 0x12);
	hand_free(h);
}

static void test_16bit(void **state)
{
	struct hand *h = hand_new(X86_MODE_16);

	(void)state;
	h->cpu.seg_base[X86_SEG_DS] = 0x10000;
	h->cpu.seg_base[X86_SEG_SS] = 0x20000;
	h->cpu.seg_base[X86_SEG_ES] = 0x30000;
	h->cpu.seg_base[X86_SEG_CS] = 0x40000;
	h->cpu.rip = 0x100;
	h->cpu.gpr[RBX] = 0x10;
	h->cpu.gpr[RSI] = 0x20;
	h->cpu.gpr[RAX] = 0x8765beef;
	assert_int_equal(hand_run(h, "89 40 02"), X86_EMU_OK);	/* mov [bx+si+2], ax */
	EXPECT(h, W(0x10032, 2));
	assert_int_equal(mem_le(h, 0x10032, 2), 0xbeef);
	assert_int_equal(h->cpu.rip, 0x103);

	h->cpu.gpr[RBP] = 0x40;
	assert_int_equal(hand_run(h, "89 46 00"), X86_EMU_OK);	/* mov [bp+0], ax: SS */
	EXPECT(h, W(0x20040, 2));

	assert_int_equal(hand_run(h, "66 89 07"), X86_EMU_OK);	/* mov [bx], eax */
	EXPECT(h, W(0x10010, 4));
	assert_int_equal(mem_le(h, 0x10010, 4), 0x8765beef);

	h->cpu.gpr[RBX] = 0x12345;
	assert_int_equal(hand_run(h, "67 89 03"), X86_EMU_OK);	/* mov [ebx], ax */
	EXPECT(h, W(0x22345, 2));

	assert_int_equal(hand_run(h, "a2 34 12"), X86_EMU_OK);	/* mov [0x1234], al */
	EXPECT(h, W(0x11234, 1));

	/* bx+si wraps at 64 KiB. */
	h->cpu.gpr[RBX] = 0xfff0;
	h->cpu.gpr[RSI] = 0x20;
	assert_int_equal(hand_run(h, "88 00"), X86_EMU_OK);
	EXPECT(h, W(0x10010, 1));

	/* rep stosw: DI wraps, CX counts. */
	h->cpu.gpr[RCX] = 0xffff0002;
	h->cpu.gpr[RDI] = 0xfffe;
	h->cpu.gpr[RAX] = 0x4142;
	assert_int_equal(hand_run(h, "f3 ab"), X86_EMU_OK);
	EXPECT(h, W(0x3fffe, 2), W(0x30000, 2));
	assert_int_equal(h->cpu.gpr[RDI], 0x2);
	assert_int_equal(h->cpu.gpr[RCX], 0xffff0000);

	/* movsb with a CS override. */
	h->cpu.gpr[RSI] = 5;
	h->cpu.gpr[RDI] = 6;
	mem_put(h, 0x40005, 1, 0x77);
	assert_int_equal(hand_run(h, "2e a4"), X86_EMU_OK);
	EXPECT(h, R(0x40005, 1), W(0x30006, 1));
	assert_int_equal(h->mem[0x30006], 0x77);

	/* sub byte [bx], 1 from 0. */
	h->cpu.gpr[RBX] = 0x50;
	h->cpu.rflags = 0x2;
	assert_int_equal(hand_run(h, "80 2f 01"), X86_EMU_OK);
	assert_int_equal(h->mem[0x10050], 0xff);
	assert_int_equal(h->cpu.rflags, 0x2 | CF | SF | AF | PF);

	/* btr word [bx], 19 -> bit 3. */
	mem_put(h, 0x10050, 2, 0xffff);
	assert_int_equal(hand_run(h, "0f ba 37 13"), X86_EMU_OK);
	assert_int_equal(mem_le(h, 0x10050, 2), 0xfff7);
	assert_true(h->cpu.rflags & CF);

	/* cmpxchg8b [bx] with 66h is still 8 bytes. */
	h->cpu.gpr[RAX] = 0;
	h->cpu.gpr[RDX] = 0;
	assert_int_equal(hand_run(h, "66 0f c7 0f"), X86_EMU_OK);
	EXPECT(h, R(0x10050, 8), W(0x10050, 8));
	assert_int_equal(h->cpu.gpr[RAX], 0xfff7);
	assert_int_equal(h->cpu.gpr[RDX], 0);
	hand_free(h);
}

/* 64-bit details the oracle cannot reach: non-canonical addresses, misaligned CMPXCHG16B. */
static void test_64bit_faults(void **state)
{
	struct hand *h = hand_new(X86_MODE_64);
	struct x86_emu_cpu before;

	(void)state;
	h->cpu.rip = 0x1000;
	h->cpu.gpr[RAX] = 0x108;			/* 8-byte aligned, not 16 */
	before = h->cpu;
	assert_int_equal(hand_run(h, "f0 48 0f c7 08"), X86_EMU_FAULT);	/* lock cmpxchg16b [rax] */
	assert_int_equal(h->f.vector, 13);
	assert_true(h->f.has_error_code);
	assert_int_equal(h->f.error_code, 0);
	assert_int_equal(h->m.n, 0);
	assert_memory_equal(&h->cpu, &before, sizeof(before));
	h->cpu.gpr[RAX] = 0x110;
	assert_int_equal(hand_run(h, "f0 48 0f c7 08"), X86_EMU_OK);
	EXPECT(h, R(0x110, 16), W(0x110, 16));
	/* Without REX.W it is CMPXCHG8B, which any alignment allows. */
	h->cpu.gpr[RAX] = 0x109;
	assert_int_equal(hand_run(h, "0f c7 08"), X86_EMU_OK);
	EXPECT(h, R(0x109, 8), W(0x109, 8));

	/* Non-canonical: #GP(0), or #SS(0) through an rBP/rSP base; nothing accessed. */
	h->cpu.gpr[RAX] = 0x0000800000000000ULL;
	before = h->cpu;
	assert_int_equal(hand_run(h, "89 18"), X86_EMU_FAULT);
	assert_int_equal(h->f.vector, 13);
	assert_int_equal(h->m.n, 0);
	assert_memory_equal(&h->cpu, &before, sizeof(before));
	h->cpu.gpr[RBP] = 0x00007ffffffffffcULL;	/* the last byte crosses */
	assert_int_equal(hand_run(h, "48 89 5d 00"), X86_EMU_FAULT);
	assert_int_equal(h->f.vector, 12);
	assert_int_equal(h->m.n, 0);
	/* An FS base that makes it non-canonical. */
	h->cpu.seg_base[X86_SEG_FS] = 0x7fffffffff00ULL;
	h->cpu.gpr[RAX] = 0x100;
	assert_int_equal(hand_run(h, "64 88 18"), X86_EMU_FAULT);
	assert_int_equal(h->f.vector, 13);
	/* 57-bit canonical addresses with LA57. */
	h->cpu.la57 = true;
	h->m.any_address = true;
	h->cpu.gpr[RAX] = 0x0000800000000000ULL;
	assert_int_equal(hand_run(h, "89 18"), X86_EMU_OK);
	h->cpu.gpr[RAX] = 0xff00000000000000ULL;
	assert_int_equal(hand_run(h, "89 18"), X86_EMU_OK);
	h->cpu.gpr[RAX] = 0x0100000000000000ULL;
	assert_int_equal(hand_run(h, "89 18"), X86_EMU_FAULT);
	h->cpu.la57 = false;
	h->cpu.gpr[RAX] = 0xffff800000000000ULL;
	assert_int_equal(hand_run(h, "89 18"), X86_EMU_OK);
	EXPECT(h, W(0xffff800000000000ULL, 4));
	hand_free(h);
}

/* In 64-bit mode ES/CS/SS/DS bases are ignored and FS/GS added; RIP-relative uses the next RIP;
 * REX selects SPL-DIL; 32-bit register results zero-extend. */
static void test_64bit_details(void **state)
{
	struct hand *h = hand_new(X86_MODE_64);
	struct x86_insn in;
	struct x86_emu_ops ops = ops_for(&h->m);
	const uint8_t b[] = { 0x40, 0x88, 0x25, 0x10, 0x00, 0x00, 0x00 };	/* mov [rip+16], spl */

	(void)state;
	for (int i = 0; i < 6; i++)
		h->cpu.seg_base[i] = 0x1000 * (i + 1);
	h->cpu.rip = 0x100;
	h->cpu.gpr[RSP] = 0x1234;
	env_init(&h->m, h->mem, 0, HAND_SIZE);
	assert_int_equal(x86_emulate(&h->cpu, b, sizeof(b), &ops, 1, &h->f, &in), X86_EMU_OK);
	assert_int_equal(in.len, 7);
	assert_int_equal(in.opcode, 0x88);
	EXPECT(h, W(0x117, 1));
	assert_int_equal(h->mem[0x117], 0x34);
	assert_int_equal(h->cpu.rip, 0x107);

	h->cpu.gpr[RBX] = 0x200;
	assert_int_equal(hand_run(h, "26 89 03"), X86_EMU_OK);	/* es: ignored */
	EXPECT(h, W(0x200, 4));
	assert_int_equal(hand_run(h, "65 89 03"), X86_EMU_OK);	/* gs: added */
	EXPECT(h, W(0x6200, 4));
	/* A string destination is ES, which counts for nothing in 64-bit mode. */
	h->cpu.gpr[RDI] = 0x300;
	assert_int_equal(hand_run(h, "aa"), X86_EMU_OK);
	EXPECT(h, W(0x300, 1));

	/* cmpxchg with a 32-bit operand that fails loads EAX, zero-extending RAX. */
	h->cpu.gpr[RAX] = 0xffffffff00000001ULL;
	mem_put(h, 0x200, 4, 5);
	assert_int_equal(hand_run(h, "0f b1 0b"), X86_EMU_OK);
	assert_int_equal(h->cpu.gpr[RAX], 5);
	hand_free(h);
}

/* ------------------------------------------------------------------------------------------- */
/* Faults from the callbacks at every access. */

struct fault_case {
	const char *name;
	enum x86_mode mode;
	const char *hex;
	uint64_t gpr[8];	/* rax .. rdi */
	uint64_t rflags;
	unsigned int elements;	/* REP: rCX; the completed iterations survive a fault */
	unsigned int per_iter;	/* accesses per iteration */
};

static const struct fault_case fault_cases[] = {
	{ "mov", X86_MODE_64, "89 18", { 0x100, 0, 0, 7 }, 0x2, 0, 0 },
	{ "xchg", X86_MODE_64, "48 87 18", { 0x100, 0, 0, 7 }, 0x2, 0, 0 },
	{ "lock add", X86_MODE_64, "f0 01 08", { 0x100, 9 }, 0x2, 0, 0 },
	{ "lock sbb imm", X86_MODE_32, "f0 83 18 7f", { 0x100 }, 0x3, 0, 0 },
	{ "cmpxchg equal", X86_MODE_64, "0f b1 18", { 0, 0, 0, 3 }, 0x2, 0, 0 },
	{ "cmpxchg unequal", X86_MODE_64, "0f b1 18", { 0x100, 0, 0, 3 }, 0x2, 0, 0 },
	{ "cmpxchg16b", X86_MODE_64, "48 0f c7 0e", { 0, 1, 0, 2, 0, 0, 0x100 }, 0x2, 0, 0 },
	{ "cmpxchg8b", X86_MODE_16, "0f c7 0c", { 0, 1, 0, 2, 0, 0, 0x100 }, 0x2, 0, 0 },
	{ "bts", X86_MODE_64, "48 0f ab 08", { 0x100, 65 }, 0x2, 0, 0 },
	{ "btc imm", X86_MODE_32, "0f ba 38 03", { 0x100 }, 0x2, 0, 0 },
	{ "movs", X86_MODE_64, "a5", { 0, 0, 0, 0, 0, 0, 0x100, 0x200 }, 0x2, 0, 0 },
	{ "rep movsb", X86_MODE_64, "f3 a4", { 0, 4, 0, 0, 0, 0, 0x100, 0x200 }, 0x2, 4, 2 },
	{ "rep movsq DF", X86_MODE_64, "f3 48 a5", { 0, 3, 0, 0, 0, 0, 0x180, 0x280 }, 0x402, 3, 2 },
	{ "rep stosd a16", X86_MODE_32, "67 f3 ab", { 0, 3, 0, 0, 0, 0, 0, 0x200 }, 0x2, 3, 1 },
	{ "rep stosw DF", X86_MODE_16, "f3 ab", { 0, 5, 0, 0, 0, 0, 0, 0x200 }, 0x402, 5, 1 },
};

/* Sets up a hand environment for c with recognisable memory. */
static struct hand *fault_setup(const struct fault_case *c, unsigned int rcx)
{
	struct hand *h = hand_new(c->mode);

	for (size_t i = 0; i < 0x400; i++)
		h->mem[i] = (uint8_t)(i * 7 + 1);
	memcpy(h->cpu.gpr, c->gpr, sizeof(c->gpr));
	if (c->elements)
		h->cpu.gpr[RCX] = rcx;
	h->cpu.rflags = c->rflags;
	h->cpu.rip = 0x1000;
	return h;
}

static void test_faults_every_access(void **state)
{
	unsigned int checked = 0;

	(void)state;
	for (size_t ci = 0; ci < sizeof(fault_cases) / sizeof(fault_cases[0]); ci++) {
		const struct fault_case *c = &fault_cases[ci];
		struct hand *ref = fault_setup(c, c->elements);
		unsigned int total;

		assert_int_equal(hand_run(ref, c->hex), X86_EMU_OK);
		total = ref->m.n;
		assert_true(total >= 1);
		for (unsigned int k = 0; k < total; k++) {
			struct hand *h = fault_setup(c, c->elements);
			struct x86_emu_cpu before = h->cpu;

			h->m.fail_at = (int)k;
			if (hand_run(h, c->hex) != X86_EMU_FAULT)
				fail_msg("%s: access %u did not fault", c->name, k);
			assert_int_equal(h->m.n, k + 1);
			assert_int_equal(h->f.vector, injected.vector);
			assert_int_equal(h->f.error_code, injected.error_code);
			assert_int_equal(h->f.cr2, h->m.log[k].linear);
			if (!c->elements) {
				/* Nothing committed: registers, RIP, flags, memory. */
				struct hand *fresh = fault_setup(c, 0);

				assert_memory_equal(&h->cpu, &before, sizeof(before));
				assert_memory_equal(h->mem, fresh->mem, 0x400);
				hand_free(fresh);
			} else {
				/* The completed iterations stand: the state of a run with rCX = done,
				 * except rCX itself and RIP. */
				unsigned int done = k / c->per_iter;
				struct hand *part = fault_setup(c, done);

				assert_int_equal(hand_run(part, c->hex), X86_EMU_OK);
				part->cpu.gpr[RCX] = c->elements - done;
				part->cpu.rip = before.rip;
				if (done == 0)
					part->cpu = before;
				assert_memory_equal(&h->cpu, &part->cpu, sizeof(h->cpu));
				assert_memory_equal(h->mem, part->mem, 0x400);
				hand_free(part);
			}
			hand_free(h);
			checked++;
		}
		hand_free(ref);
	}
	print_message("faults: %u injected\n", checked);
}

/* REP bounded by max_iterations: RIP stays until the last chunk; 0 counts as 1. */
static void test_rep_chunks(void **state)
{
	struct hand *h = hand_new(X86_MODE_64);
	uint8_t b[] = { 0xf3, 0x48, 0xab };	/* rep stosq */
	struct x86_emu_ops ops = ops_for(&h->m);
	unsigned int calls = 0;

	(void)state;
	h->cpu.rip = 0x1000;
	h->cpu.gpr[RCX] = 10;
	h->cpu.gpr[RDI] = 0x100;
	h->cpu.gpr[RAX] = 0x0123456789abcdefULL;
	while (h->cpu.rip == 0x1000) {
		assert_int_equal(x86_emulate(&h->cpu, b, sizeof(b), &ops, calls == 0 ? 0 : 4, &h->f,
					     NULL), X86_EMU_OK);
		calls++;
		if (calls == 1)
			assert_int_equal(h->cpu.gpr[RCX], 9);
		assert_true(calls < 10);
	}
	assert_int_equal(calls, 4);	/* 1 + 4 + 4 + 1 */
	assert_int_equal(h->cpu.rip, 0x1003);
	assert_int_equal(h->cpu.gpr[RCX], 0);
	assert_int_equal(h->cpu.gpr[RDI], 0x150);
	assert_int_equal(h->m.n, 10);
	for (unsigned int i = 0; i < 10; i++)
		assert_int_equal(mem_le(h, 0x100 + 8 * i, 8), 0x0123456789abcdefULL);
	/* Exactly max_iterations left: done in one call, RIP advances. */
	h->cpu.gpr[RCX] = 4;
	assert_int_equal(x86_emulate(&h->cpu, b, sizeof(b), &ops, 4, &h->f, NULL), X86_EMU_OK);
	assert_int_equal(h->cpu.rip, 0x1006);
	hand_free(h);
}

/* ------------------------------------------------------------------------------------------- */
/* Where Intel and AMD differ: both models, whatever the host. */

/* The registers of a REP string instruction, with garbage above a 32-bit count of 0. */
struct rep_regs {
	uint64_t rcx, rsi, rdi;
};

static const struct rep_regs rep_zero_in = {
	0xabcd123400000000ULL, 0x3333444400000200ULL, 0x1111222200000100ULL,
};

/* Runs hex once in mode as vendor from rep_zero_in, expecting no access; returns rCX, rSI, rDI. */
static struct rep_regs rep_run(enum x86_vendor vendor, enum x86_mode mode, const char *hex,
			       size_t len)
{
	struct hand *h = hand_new(mode);
	struct rep_regs out;

	h->cpu.vendor = vendor;
	h->cpu.rip = 0x1000;
	h->cpu.gpr[RCX] = rep_zero_in.rcx;
	h->cpu.gpr[RSI] = rep_zero_in.rsi;
	h->cpu.gpr[RDI] = rep_zero_in.rdi;
	assert_int_equal(hand_run(h, hex), X86_EMU_OK);
	assert_int_equal(h->m.n, 0);		/* no iteration */
	assert_int_equal(h->cpu.rip, 0x1000 + len);
	out = (struct rep_regs){ h->cpu.gpr[RCX], h->cpu.gpr[RSI], h->cpu.gpr[RDI] };
	hand_free(h);
	return out;
}

/* REP STOS/MOVS with ECX = 0 under a 32-bit address size in 64-bit mode: Intel writes ECX,
 * EDI (and ESI for MOVS), zero-extending them; AMD leaves RCX, RSI and RDI alone. */
static void test_vendor_rep_zero_count_a32(void **state)
{
	static const struct {
		const char *hex;
		size_t len;
		bool movs;
	} cases[] = {
		{ "67 f3 aa", 3, false },		/* rep stos byte [edi] */
		{ "f3 67 48 ab", 4, false },		/* rep stos qword [edi] */
		{ "67 f2 66 ab", 4, false },		/* F2 acts as F3 */
		{ "67 f3 a4", 3, true },		/* rep movs byte [edi], [esi] */
		{ "67 f3 65 a5", 4, true },		/* with a GS source */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rep_regs in = rep_zero_in;
		struct rep_regs intel = rep_run(X86_VENDOR_INTEL, X86_MODE_64, cases[i].hex,
						cases[i].len);
		struct rep_regs amd = rep_run(X86_VENDOR_AMD, X86_MODE_64, cases[i].hex,
					      cases[i].len);

		assert_int_equal(intel.rcx, 0);
		assert_int_equal(intel.rdi, (uint32_t)in.rdi);
		assert_int_equal(intel.rsi, cases[i].movs ? (uint32_t)in.rsi : in.rsi);
		assert_int_equal(amd.rcx, in.rcx);
		assert_int_equal(amd.rdi, in.rdi);
		assert_int_equal(amd.rsi, in.rsi);
	}
}

/* Where the vendors agree: a 64-bit address size (RCX = 0 is the whole count, nothing is
 * written), a 16-bit one outside 64-bit mode (CX merges), and an iteration that runs (both
 * write the 32-bit registers). */
static void test_vendor_rep_same(void **state)
{
	static const enum x86_vendor vendors[] = { X86_VENDOR_INTEL, X86_VENDOR_AMD };

	(void)state;
	for (size_t v = 0; v < 2; v++) {
		struct hand *h;
		struct rep_regs r;

		/* rep stosb, rep movsq with a 64-bit address size and RCX = 0. */
		h = hand_new(X86_MODE_64);
		h->cpu.vendor = vendors[v];
		h->cpu.gpr[RCX] = 0;
		h->cpu.gpr[RSI] = rep_zero_in.rsi;
		h->cpu.gpr[RDI] = rep_zero_in.rdi;
		assert_int_equal(hand_run(h, "f3 aa"), X86_EMU_OK);
		assert_int_equal(hand_run(h, "f3 48 a5"), X86_EMU_OK);
		assert_int_equal(h->m.n, 0);
		assert_int_equal(h->cpu.gpr[RCX], 0);
		assert_int_equal(h->cpu.gpr[RSI], rep_zero_in.rsi);
		assert_int_equal(h->cpu.gpr[RDI], rep_zero_in.rdi);
		hand_free(h);

		/* a16 in 32-bit code with CX = 0: the upper halves of ECX, ESI, EDI stay. */
		r = rep_run(vendors[v], X86_MODE_32, "67 f3 a4", 3);
		assert_int_equal(r.rcx, rep_zero_in.rcx);
		assert_int_equal(r.rsi, rep_zero_in.rsi);
		assert_int_equal(r.rdi, rep_zero_in.rdi);

		/* a32 in 64-bit mode, ECX = 1: one iteration, then the 32-bit results. */
		h = hand_new(X86_MODE_64);
		h->cpu.vendor = vendors[v];
		h->cpu.gpr[RCX] = 0xabcd000000000001ULL;
		h->cpu.gpr[RSI] = 0x3333444400000200ULL;
		h->cpu.gpr[RDI] = 0x1111222200000100ULL;
		h->mem[0x200] = 0x5a;
		assert_int_equal(hand_run(h, "67 f3 a4"), X86_EMU_OK);
		EXPECT(h, R(0x200, 1), W(0x100, 1));
		assert_int_equal(h->mem[0x100], 0x5a);
		assert_int_equal(h->cpu.gpr[RCX], 0);
		assert_int_equal(h->cpu.gpr[RSI], 0x201);
		assert_int_equal(h->cpu.gpr[RDI], 0x101);
		hand_free(h);
	}
}

/* The loads device registers are read with (MMIO): MOV of each width and REX form, MOVZX,
 * MOVSX, MOVSXD, MOV rAX from moffs, with the merge and zero-extension rules of SDM Vol. 1
 * 3.4.1.1. */
static void test_loads_64(void **state)
{
	struct hand *h = hand_new(X86_MODE_64);

	(void)state;
	h->cpu.gpr[RBX] = 0x100;
	mem_put(h, 0x100, 8, 0x8899aabbccddeeffULL);
	h->cpu.gpr[RAX] = ~0ULL;
	assert_int_equal(hand_run(h, "8b 03"), X86_EMU_OK);		/* mov eax, [rbx] */
	assert_int_equal(h->cpu.gpr[RAX], 0xccddeeffULL);		/* zero-extended */
	assert_int_equal(hand_run(h, "48 8b 0b"), X86_EMU_OK);		/* mov rcx, [rbx] */
	assert_int_equal(h->cpu.gpr[RCX], 0x8899aabbccddeeffULL);
	h->cpu.gpr[RDX] = ~0ULL;
	assert_int_equal(hand_run(h, "66 8b 13"), X86_EMU_OK);		/* mov dx, [rbx] */
	assert_int_equal(h->cpu.gpr[RDX], 0xffffffffffffeeffULL);	/* merged */
	assert_int_equal(hand_run(h, "44 8a 03"), X86_EMU_OK);		/* mov r8b, [rbx] */
	assert_int_equal(h->cpu.gpr[8] & 0xff, 0xff);
	assert_int_equal(hand_run(h, "48 0f b6 33"), X86_EMU_OK);	/* movzx rsi, byte [rbx] */
	assert_int_equal(h->cpu.gpr[RSI], 0xff);
	assert_int_equal(hand_run(h, "48 0f bf 33"), X86_EMU_OK);	/* movsx rsi, word [rbx] */
	assert_int_equal(h->cpu.gpr[RSI], 0xffffffffffffeeffULL);
	assert_int_equal(hand_run(h, "48 63 3b"), X86_EMU_OK);		/* movsxd rdi, [rbx] */
	assert_int_equal(h->cpu.gpr[RDI], 0xffffffffccddeeffULL);
	assert_int_equal(hand_run(h, "48 a1 00 01 00 00 00 00 00 00"), X86_EMU_OK);
	assert_int_equal(h->cpu.gpr[RAX], 0x8899aabbccddeeffULL);	/* mov rax, [moffs64] */
	assert_int_equal(h->m.n, 1);
	hand_free(h);
}

/* ------------------------------------------------------------------------------------------- */
/* What is not emulated, and what does not decode. */

static void test_unsupported(void **state)
{
	static const struct {
		enum x86_mode mode;
		const char *hex;
	} cases[] = {
		{ X86_MODE_64, "01 c0" },		/* add eax, eax */
		{ X86_MODE_64, "88 c3" },		/* mov bl, al */
		{ X86_MODE_64, "8b c3" },		/* mov eax, ebx */
		{ X86_MODE_64, "85 03" },		/* test [rbx], eax */
		{ X86_MODE_64, "0f b6 c3" },		/* movzx eax, bl */
		{ X86_MODE_64, "eb 00" },		/* jmp */
		{ X86_MODE_64, "90" },			/* nop */
		{ X86_MODE_64, "39 03" },		/* cmp [rbx], eax */
		{ X86_MODE_64, "0f b1 c3" },		/* cmpxchg ebx, eax */
		{ X86_MODE_64, "86 c3" },		/* xchg bl, al */
		{ X86_MODE_64, "c7 c0 01 00 00 00" },	/* mov eax, imm */
		{ X86_MODE_64, "f0 ff 03" },		/* lock inc dword [rbx] */
		{ X86_MODE_64, "f0 0f c1 03" },	/* lock xadd [rbx], eax */
		{ X86_MODE_64, "0f 0b" },		/* ud2 */
		{ X86_MODE_64, "ac" },			/* lods */
		{ X86_MODE_64, "f3 a6" },		/* repe cmpsb */
		{ X86_MODE_64, "c5 f9 7f 03" },	/* vmovdqa [rbx], xmm0 (VEX) */
		{ X86_MODE_64, "0f 11 03" },		/* movups [rbx], xmm0 */
		{ X86_MODE_64, "0f c7 33" },		/* vmptrld: 0F C7 /6 */
		{ X86_MODE_64, "0f 38 f0 03" },	/* movbe eax, [rbx] */
		{ X86_MODE_32, "c6 c0 01" },		/* mov al, 1 */
		{ X86_MODE_16, "e6 80" },		/* out 0x80, al */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hand *h = hand_new(cases[i].mode);
		struct x86_emu_cpu before;

		h->cpu.gpr[RBX] = 0x100;
		before = h->cpu;
		if (hand_run(h, cases[i].hex) != X86_EMU_UNSUPPORTED)
			fail_msg("case %zu (%s) is not UNSUPPORTED", i, cases[i].hex);
		assert_int_equal(h->m.n, 0);
		assert_memory_equal(&h->cpu, &before, sizeof(before));
		hand_free(h);
	}
	assert_string_equal(x86_emu_status_name(X86_EMU_UNSUPPORTED), "unsupported");
}

/* Valid emulated instructions cut short at every length, and invalid ones: UNDECODABLE, with
 * nothing accessed or changed (exact-size heap buffers: ASan sees any over-read). */
static void test_undecodable(void **state)
{
	static const struct {
		enum x86_mode mode;
		const char *hex;
	} valid[] = {
		{ X86_MODE_64, "f0 64 67 48 81 84 88 78 56 34 12 ef cd ab 89" },
		{ X86_MODE_64, "66 c7 05 00 01 00 00 34 12" },
		{ X86_MODE_64, "48 a3 88 77 66 55 44 33 00 00" },
		{ X86_MODE_64, "f0 49 0f c7 8c 24 00 01 00 00" },
		{ X86_MODE_64, "f3 48 a5" },
		{ X86_MODE_32, "f0 0f ba 2c 24 05" },
		{ X86_MODE_16, "26 66 c7 47 02 78 56 34 12" },
	};
	static const struct {
		enum x86_mode mode;
		const char *hex;
	} invalid[] = {
		{ X86_MODE_64, "f0 88 03" },		/* LOCK MOV */
		{ X86_MODE_64, "f0 01 c0" },		/* LOCK on a register form */
		{ X86_MODE_64, "0f c7 c8" },		/* CMPXCHG8B with a register */
		{ X86_MODE_64, "06" },			/* PUSH ES in 64-bit mode */
		{ X86_MODE_64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 89 03" },
		{ X86_MODE_64, "0f c3 c0" },		/* MOVNTI with a register */
		{ X86_MODE_32, "f0 a5" },		/* LOCK MOVS */
	};
	uint8_t b[16];
	unsigned int n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		size_t len = parse_hex(valid[i].hex, b, sizeof(b));

		for (size_t k = 0; k <= len; k++) {
			struct hand *h = hand_new(valid[i].mode);
			struct x86_emu_cpu before;
			enum x86_emu_status st;

			h->m.any_address = true;
			h->cpu.gpr[RCX] = 2;
			before = h->cpu;
			st = emulate_exact(&h->cpu, b, k, &h->m, 8, &h->f);
			if (k < len) {
				if (st != X86_EMU_UNDECODABLE)
					fail_msg("valid case %zu cut at %zu: %s", i, k, x86_emu_status_name(st));
				assert_int_equal(h->m.n, 0);
				assert_memory_equal(&h->cpu, &before, sizeof(before));
				n++;
			} else {
				if (st != X86_EMU_OK)
					fail_msg("valid case %zu: %s", i, x86_emu_status_name(st));
			}
			hand_free(h);
		}
	}
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct hand *h = hand_new(invalid[i].mode);
		struct x86_emu_cpu before = h->cpu;

		if (hand_run(h, invalid[i].hex) != X86_EMU_UNDECODABLE)
			fail_msg("invalid case %zu is not UNDECODABLE", i);
		assert_int_equal(h->m.n, 0);
		assert_memory_equal(&h->cpu, &before, sizeof(before));
		hand_free(h);
		n++;
	}
	print_message("undecodable: %u cases\n", n);
}

/* Random bytes of random lengths in every mode: any status, never a crash or an over-read;
 * UNSUPPORTED/UNDECODABLE leave everything alone; OK moves RIP by the decoded length. */
static void test_fuzz(void **state)
{
	struct rng r = { 0x0123456789abcdefULL };
	struct mem_env m;
	struct x86_emu_ops ops = ops_for(&m);
	static const uint8_t favourites[] = { 0x0f, 0x66, 0x67, 0xf0, 0xf3, 0xf2, 0x48, 0x64, 0xc7,
					      0xa5, 0xab, 0x81, 0x87, 0xb1, 0xba, 0xab, 0x89 };
	unsigned int count[4] = { 0 };

	(void)state;
	for (unsigned int it = 0; it < 200000; it++) {
		uint8_t bytes[16];
		size_t n = rndn(&r, 16);
		uint8_t *copy = malloc(n ? n : 1);
		struct x86_emu_cpu cpu, before;
		struct x86_insn in;
		struct x86_fault f;
		enum x86_emu_status st;

		assert_non_null(copy);
		for (size_t i = 0; i < n; i++)
			bytes[i] = rndn(&r, 2) ? favourites[rndn(&r, sizeof(favourites))] : (uint8_t)rnd(&r);
		memcpy(copy, bytes, n);
		memset(&cpu, 0, sizeof(cpu));
		for (int i = 0; i < 16; i++)
			cpu.gpr[i] = rnd_value(&r);
		cpu.rflags = 0x2 | (rnd(&r) & (ARITH | DF));
		cpu.mode = (enum x86_mode)rndn(&r, 3);
		cpu.vendor = rndn(&r, 2) ? X86_VENDOR_AMD : X86_VENDOR_INTEL;
		cpu.rip = rnd(&r) & 0xffff;
		before = cpu;
		env_init(&m, NULL, 0, 0);
		m.any_address = true;
		st = x86_emulate(&cpu, n ? copy : NULL, n, &ops, 4, &f, &in);
		free(copy);
		assert_true(st <= X86_EMU_UNDECODABLE);
		count[st]++;
		if (st == X86_EMU_UNSUPPORTED || st == X86_EMU_UNDECODABLE) {
			assert_int_equal(m.n, 0);
			assert_memory_equal(&cpu, &before, sizeof(cpu));
		} else if (st == X86_EMU_OK) {
			assert_true(cpu.rip == before.rip + in.len || cpu.rip == before.rip);
			assert_true(m.n <= 8);
		}
	}
	print_message("fuzz: ok %u fault %u unsupported %u undecodable %u\n", count[0], count[1],
		      count[2], count[3]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mov_32),
		cmocka_unit_test(test_alu_32),
		cmocka_unit_test(test_cmpxchg8b_32),
		cmocka_unit_test(test_bt_32),
		cmocka_unit_test(test_string_32),
		cmocka_unit_test(test_16bit),
		cmocka_unit_test(test_64bit_faults),
		cmocka_unit_test(test_64bit_details),
		cmocka_unit_test(test_faults_every_access),
		cmocka_unit_test(test_rep_chunks),
		cmocka_unit_test(test_vendor_rep_zero_count_a32),
		cmocka_unit_test(test_vendor_rep_same),
		cmocka_unit_test(test_loads_64),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_undecodable),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_oracle_64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
