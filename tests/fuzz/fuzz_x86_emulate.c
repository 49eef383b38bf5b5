/*
 * Fuzz target: the x86 emulator (guest/x86/x86_emulate.c).
 *
 * Input: a mode, a vendor, a fault to inject, a REP chunk size, RFLAGS, the sixteen GPRs
 * (each raw, or an offset into the data window), segment bases, a 16-byte pattern that fills
 * the data window, then the instruction bytes (at most 15), in an exact-size heap buffer.
 *
 * 1. Any mode, either vendor: the emulator reaches memory only through the callbacks, with
 *    lengths 1, 2, 4, 8 or 16, and only inside the data window it was given (any other
 *    address is a #PF the callback reports, and ASan watches the host side); it obeys
 *    x86_emulate.h: nothing accessed and nothing changed for UNSUPPORTED and UNDECODABLE; on
 *    FAULT the callback's fault comes back unchanged, registers, RIP and RFLAGS stay (REP
 *    string instructions keep their completed iterations) and no write of a non-REP
 *    instruction happened; on OK, RIP is past the instruction, or on it for a REP with
 *    iterations left. The same input gives the same result twice.
 * 2. 64-bit mode, the host's vendor: when the emulator completes the instruction inside the
 *    data window, and Zydis confirms it is one of the emulated instructions with only general
 *    registers, no RSP, no FS/GS override and every memory operand inside the window (its own
 *    address computation, not Umbra's), the instruction also runs natively on the host
 *    (tests/unit/x86_native.c). Registers but RSP, RIP, the data window and RFLAGS must agree;
 *    the flags x86_emulate.h documents as undefined (AF after OR/AND/XOR, OF/SF/AF/PF after
 *    BTS/BTR/BTC) are the only ones not compared. The one documented vendor difference, REP
 *    with a zero count at 32-bit address size, is compared as it is: the emulator runs as the
 *    host's vendor, so the same checks hold on Intel and AMD hosts.
 */
#include "tests/fuzz/fuzz.h"

#include <setjmp.h>
#include <signal.h>

#include <Zydis/Zydis.h>

#include "guest/x86/x86_emulate.h"
#include "tests/unit/x86_native.h"

#define ARITH_FLAGS	0x8d5ull	/* CF PF AF ZF SF OF */
#define DF_FLAG		0x400ull
#define RSP		4
#define RCX		1
#define RSI		6
#define RDI		7

static ZydisDecoder zydis64;
static unsigned long runs, compared;

static void print_counts(void)
{
	fprintf(stderr, "x86_emulate: %lu inputs, %lu compared with the host (%s, emulated as %s)\n",
		runs, compared, oracle.vendor_name, oracle.vendor == X86_VENDOR_AMD ? "AMD" : "Intel");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	atexit(print_counts);
	if (!oracle_init() ||
	    !ZYAN_SUCCESS(ZydisDecoderInit(&zydis64, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64))) {
		fprintf(stderr, "x86_emulate: no native oracle (host vendor or mmap) or no Zydis\n");
		abort();
	}
	return 0;
}

/* ---- memory: the data window, with an access log and an injected fault ---- */

struct env {
	uint64_t base;		/* linear address of the window = host address of oracle.data */
	unsigned accesses, fail_at;	/* fail_at: 1-based index of the access that faults, or 0 */
	bool wrote, outside;
	struct x86_fault given;	/* the fault the callbacks reported last */
};

static bool env_access(struct env *e, uint64_t linear, unsigned len, struct x86_fault *f)
{
	FUZZ_CHECK(len == 1 || len == 2 || len == 4 || len == 8 || len == 16, "access of %u bytes", len);
	e->accesses++;
	if (e->accesses == e->fail_at || linear < e->base || linear - e->base > DATA_SIZE - len) {
		e->outside |= e->accesses != e->fail_at;
		e->given = (struct x86_fault){ .vector = 14, .has_error_code = true,
					       .error_code = e->accesses & 7, .cr2 = linear };
		*f = e->given;
		return false;
	}
	return true;
}

static bool cb_read(void *ctx, uint64_t linear, void *buf, unsigned len, struct x86_fault *f)
{
	if (!env_access(ctx, linear, len, f))
		return false;
	memcpy(buf, (void *)(uintptr_t)linear, len);
	return true;
}

static bool cb_write(void *ctx, uint64_t linear, const void *buf, unsigned len, struct x86_fault *f)
{
	struct env *e = ctx;

	if (!env_access(e, linear, len, f))
		return false;
	memcpy((void *)(uintptr_t)linear, buf, len);
	e->wrote = true;
	return true;
}

/* ---- the input ---- */

struct fcase {
	struct x86_emu_cpu cpu;
	unsigned fail_at, chunk;
	bool native;
	uint8_t pattern[16];
	uint8_t code[X86_MAX_INSN_LEN];
	size_t len;
};

static void parse(struct fuzz_in *in, struct fcase *c)
{
	uint8_t hdr = fuzz_u8(in), sel;

	memset(c, 0, sizeof(*c));
	c->cpu.mode = (hdr & 3) == 3 ? X86_MODE_64 : (enum x86_mode)(hdr & 3);
	c->cpu.vendor = (hdr & 4) ? X86_VENDOR_AMD : X86_VENDOR_INTEL;
	c->native = c->cpu.mode == X86_MODE_64;	/* every 64-bit case is also run natively */
	c->cpu.la57 = hdr & 16;
	c->fail_at = fuzz_u8(in) % 8;
	c->chunk = fuzz_u8(in);
	c->cpu.rflags = 0x2 | (fuzz_u16(in) & (ARITH_FLAGS | DF_FLAG));
	for (int i = 0; i < 16; i++) {
		sel = fuzz_u8(in);
		/* Mostly addresses in (or near) the window, so that operands land in it. */
		c->cpu.gpr[i] = (sel & 0x80) ? fuzz_u64(in)
					     : (uint64_t)(uintptr_t)oracle.data + (uint64_t)(int16_t)fuzz_u16(in);
	}
	sel = fuzz_u8(in);
	for (int s = 0; s < 6; s++)
		c->cpu.seg_base[s] = (sel >> s & 1) ? fuzz_u32(in) : 0;
	c->cpu.seg_base[X86_SEG_FS] = c->cpu.mode == X86_MODE_64 ? oracle.fs_base : c->cpu.seg_base[X86_SEG_FS];
	c->cpu.seg_base[X86_SEG_GS] = c->cpu.mode == X86_MODE_64 ? oracle.gs_base : c->cpu.seg_base[X86_SEG_GS];
	fuzz_bytes(in, c->pattern, sizeof(c->pattern));
	c->len = fuzz_bytes(in, c->code, sizeof(c->code));
	c->cpu.rip = (uint64_t)(uintptr_t)oracle.insn;
}

static void fill_window(const struct fcase *c)
{
	for (size_t i = 0; i < DATA_SIZE; i++)
		oracle.data[i] = c->pattern[i % 16] ^ (uint8_t)(i >> 4);
}

/* One call of the emulator on an exact-size copy of the bytes. */
static enum x86_emu_status emulate(struct x86_emu_cpu *cpu, const struct fcase *c, struct env *e,
				   struct x86_fault *f, struct x86_insn *in)
{
	const struct x86_emu_ops ops = { .read = cb_read, .write = cb_write, .ctx = e };
	uint8_t *bytes = malloc(c->len ? c->len : 1);
	enum x86_emu_status st;

	memcpy(bytes, c->code, c->len);
	st = x86_emulate(cpu, bytes, c->len, &ops, c->chunk, f, in);
	free(bytes);
	return st;
}

/* Field by field: the structures have padding. */
static bool same_fault(const struct x86_fault *a, const struct x86_fault *b)
{
	return a->vector == b->vector && a->has_error_code == b->has_error_code &&
	       (!a->has_error_code || a->error_code == b->error_code) && a->cr2 == b->cr2;
}

static bool same_cpu(const struct x86_emu_cpu *a, const struct x86_emu_cpu *b)
{
	return !memcmp(a->gpr, b->gpr, sizeof(a->gpr)) && a->rip == b->rip && a->rflags == b->rflags &&
	       !memcmp(a->seg_base, b->seg_base, sizeof(a->seg_base)) && a->mode == b->mode &&
	       a->la57 == b->la57 && a->vendor == b->vendor;
}

static bool is_rep_string(const struct x86_insn *in)
{
	return in->opcode_map == X86_MAP_PRIMARY && (in->rep || in->repne) &&
	       (in->opcode == 0xa4 || in->opcode == 0xa5 || in->opcode == 0xaa || in->opcode == 0xab);
}

/* ---- part 1: the contract, in any mode ---- */

static enum x86_emu_status check_contract(const struct fcase *c, struct x86_insn *in)
{
	struct x86_emu_cpu cpu = c->cpu, cpu2 = c->cpu;
	struct env e = { .base = (uintptr_t)oracle.data, .fail_at = c->fail_at };
	struct env e2 = e;
	struct x86_fault f, f2;
	struct x86_insn in2;
	enum x86_emu_status st, st2;
	static uint8_t after[DATA_SIZE];

	fill_window(c);
	memset(in, 0, sizeof(*in));
	st = emulate(&cpu, c, &e, &f, in);
	memcpy(after, oracle.data, DATA_SIZE);
	FUZZ_CHECK(st <= X86_EMU_UNDECODABLE, "status %d", st);

	if (st == X86_EMU_UNSUPPORTED || st == X86_EMU_UNDECODABLE) {
		FUZZ_CHECK(e.accesses == 0, "%s after %u accesses", x86_emu_status_name(st), e.accesses);
		FUZZ_CHECK(same_cpu(&cpu, &c->cpu), "%s changed the CPU state",
			   x86_emu_status_name(st));
	} else if (st == X86_EMU_FAULT) {
		bool rep = is_rep_string(in);
		struct x86_emu_cpu want = c->cpu;

		if (e.given.vector && e.accesses && f.vector == 14)
			FUZZ_CHECK(same_fault(&f, &e.given), "the callback's fault was changed");
		else
			FUZZ_CHECK(f.vector == 13 || f.vector == 12, "fault vector %u of its own", f.vector);
		if (rep) {
			want.gpr[RCX] = cpu.gpr[RCX];
			want.gpr[RSI] = cpu.gpr[RSI];
			want.gpr[RDI] = cpu.gpr[RDI];
		} else {
			FUZZ_CHECK(!e.wrote, "a faulting instruction wrote memory first");
		}
		FUZZ_CHECK(same_cpu(&cpu, &want), "a fault changed the CPU state");
	} else {
		uint64_t past = c->cpu.rip + in->len;

		if (c->cpu.mode != X86_MODE_64)
			past = (uint32_t)past;
		FUZZ_CHECK(cpu.rip == past || (is_rep_string(in) && cpu.rip == c->cpu.rip),
			   "RIP %#llx after an instruction of %u bytes at %#llx",
			   (unsigned long long)cpu.rip, in->len, (unsigned long long)c->cpu.rip);
		FUZZ_CHECK(!(cpu.rflags & ~(ARITH_FLAGS | DF_FLAG | 0x2)) &&
			   (cpu.rflags & DF_FLAG) == (c->cpu.rflags & DF_FLAG), "RFLAGS %#llx",
			   (unsigned long long)cpu.rflags);
	}
	FUZZ_CHECK(st == X86_EMU_UNDECODABLE ||
		   x86_decode(c->code, c->len, c->cpu.mode, &in2) == X86_OK, "decoded_out without a decode");

	/* Deterministic: the same again gives the same state, fault and memory. */
	fill_window(c);
	st2 = emulate(&cpu2, c, &e2, &f2, &in2);
	FUZZ_CHECK(st2 == st && same_cpu(&cpu2, &cpu) && e2.accesses == e.accesses &&
		   !memcmp(after, oracle.data, DATA_SIZE), "a second run differs");
	if (st == X86_EMU_FAULT)
		FUZZ_CHECK(same_fault(&f, &f2), "a second run faults differently");
	return st;
}

/* ---- part 2: against the host, in 64-bit mode ---- */

static bool allowed_mnemonic(ZydisMnemonic m)
{
	static const ZydisMnemonic ok[] = {
		ZYDIS_MNEMONIC_MOV, ZYDIS_MNEMONIC_MOVNTI, ZYDIS_MNEMONIC_XCHG, ZYDIS_MNEMONIC_CMPXCHG,
		ZYDIS_MNEMONIC_CMPXCHG8B, ZYDIS_MNEMONIC_CMPXCHG16B, ZYDIS_MNEMONIC_ADD,
		ZYDIS_MNEMONIC_OR, ZYDIS_MNEMONIC_ADC, ZYDIS_MNEMONIC_SBB, ZYDIS_MNEMONIC_AND,
		ZYDIS_MNEMONIC_SUB, ZYDIS_MNEMONIC_XOR, ZYDIS_MNEMONIC_BTS, ZYDIS_MNEMONIC_BTR,
		ZYDIS_MNEMONIC_BTC, ZYDIS_MNEMONIC_STOSB, ZYDIS_MNEMONIC_STOSW, ZYDIS_MNEMONIC_STOSD,
		ZYDIS_MNEMONIC_STOSQ, ZYDIS_MNEMONIC_MOVSB, ZYDIS_MNEMONIC_MOVSW, ZYDIS_MNEMONIC_MOVSD,
		ZYDIS_MNEMONIC_MOVSQ,
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (ok[i] == m)
			return true;
	return false;
}

static bool is_rsp(ZydisRegister r)
{
	return r == ZYDIS_REGISTER_RSP || r == ZYDIS_REGISTER_ESP || r == ZYDIS_REGISTER_SP ||
	       r == ZYDIS_REGISTER_SPL;
}

/*
 * The flags x86_emulate.h documents as undefined, whose values processors may choose: AF
 * after OR, AND and XOR; OF, SF, AF and PF after BTS, BTR and BTC. They are the only flags not
 * compared with the host.
 */
static uint64_t undefined_flags_of(ZydisMnemonic m)
{
	if (m == ZYDIS_MNEMONIC_OR || m == ZYDIS_MNEMONIC_AND || m == ZYDIS_MNEMONIC_XOR)
		return 0x10;
	if (m == ZYDIS_MNEMONIC_BTS || m == ZYDIS_MNEMONIC_BTR || m == ZYDIS_MNEMONIC_BTC)
		return 0x800 | 0x80 | 0x10 | 0x4;
	return 0;
}

/* Zydis's view: may this run natively on the host, reaching only the data window? */
static bool native_safe(const struct fcase *c, const struct x86_emu_cpu *cpu, const struct x86_insn *in,
			uint64_t *undefined_flags)
{
	ZydisDecodedInstruction zi;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	static ZydisRegisterContext ctx;
	uint64_t window = (uintptr_t)oracle.data;
	uint64_t count = 1;

	if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&zydis64, c->code, c->len, &zi, ops)) ||
	    zi.length != in->len || !allowed_mnemonic(zi.mnemonic))
		return false;
	for (int i = 0; i < 16; i++) {
		ctx.values[ZydisRegisterEncode(ZYDIS_REGCLASS_GPR64, (ZyanU8)i)] = cpu->gpr[i];
		ctx.values[ZydisRegisterEncode(ZYDIS_REGCLASS_GPR32, (ZyanU8)i)] = (uint32_t)cpu->gpr[i];
		ctx.values[ZydisRegisterEncode(ZYDIS_REGCLASS_GPR16, (ZyanU8)i)] = (uint16_t)cpu->gpr[i];
	}
	if (zi.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE)) {
		count = in->address_size == 8 ? cpu->gpr[RCX] : in->address_size == 4 ?
			(uint32_t)cpu->gpr[RCX] : (uint16_t)cpu->gpr[RCX];
		if (count > 256)
			return false;
	}
	for (unsigned i = 0; i < zi.operand_count; i++) {
		const ZydisDecodedOperand *op = &ops[i];
		ZyanU64 addr;
		uint64_t size = op->size / 8, span;

		if (op->type == ZYDIS_OPERAND_TYPE_REGISTER) {
			ZydisRegisterClass rc = ZydisRegisterGetClass(op->reg.value);

			if (is_rsp(op->reg.value) || (rc != ZYDIS_REGCLASS_GPR8 && rc != ZYDIS_REGCLASS_GPR16 &&
			    rc != ZYDIS_REGCLASS_GPR32 && rc != ZYDIS_REGCLASS_GPR64 &&
			    rc != ZYDIS_REGCLASS_FLAGS && rc != ZYDIS_REGCLASS_IP))
				return false;
			continue;
		}
		if (op->type != ZYDIS_OPERAND_TYPE_MEMORY)
			continue;
		if (op->mem.type != ZYDIS_MEMOP_TYPE_MEM || is_rsp(op->mem.base) || is_rsp(op->mem.index) ||
		    op->mem.segment == ZYDIS_REGISTER_FS || op->mem.segment == ZYDIS_REGISTER_GS ||
		    !ZYAN_SUCCESS(ZydisCalcAbsoluteAddressEx(&zi, op, cpu->rip, &ctx, &addr)))
			return false;
		/* A REP string operand moves by size per iteration, either way (DF). */
		span = count * size;
		if (addr < window + span || addr + span + 16 > window + DATA_SIZE)
			return false;
	}
	*undefined_flags = undefined_flags_of(zi.mnemonic);
	return true;
}

static sigjmp_buf native_fault;

static void on_native_fault(int sig)
{
	siglongjmp(native_fault, sig);
}

/* Runs the first len bytes natively (the instruction, then the epilogue); returns the signal
 * the instruction raised, or 0. */
static int run_native(const struct fcase *c, size_t len, struct hstate *hs)
{
	struct sigaction sa = { .sa_handler = on_native_fault }, old_segv, old_bus, old_ill;
	volatile int sig;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGILL, &sa, &old_ill);
	sig = sigsetjmp(native_fault, 1);
	if (!sig)
		oracle_run(c->code, len, hs);
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGILL, &old_ill, NULL);
	return sig;
}

static void dump_case(const struct fcase *c, const char *why)
{
	fprintf(stderr, "x86_emulate: %s: bytes", why);
	for (size_t i = 0; i < c->len; i++)
		fprintf(stderr, " %02x", c->code[i]);
	fprintf(stderr, "\n  rflags %#llx", (unsigned long long)c->cpu.rflags);
	for (int i = 0; i < 16; i++)
		fprintf(stderr, "%s r%d=%#llx", i % 4 ? "" : "\n ", i, (unsigned long long)c->cpu.gpr[i]);
	fprintf(stderr, "\n");
}

static void check_native(const struct fcase *c)
{
	struct x86_emu_cpu cpu = c->cpu;
	struct env e = { .base = (uintptr_t)oracle.data };
	struct x86_fault f;
	struct x86_insn in;
	struct hstate hs;
	enum x86_emu_status st;
	unsigned calls = 0;
	uint64_t undefined = 0, mask;
	static uint8_t emulated[DATA_SIZE];
	int sig;

	cpu.vendor = oracle.vendor;
	fill_window(c);
	do
		st = emulate(&cpu, c, &e, &f, &in);
	while (st == X86_EMU_OK && cpu.rip == c->cpu.rip && ++calls < 64);
	if (st != X86_EMU_OK || e.outside || cpu.rip != c->cpu.rip + in.len)
		return;
	if (!native_safe(c, &c->cpu, &in, &undefined))
		return;
	memcpy(emulated, oracle.data, DATA_SIZE);

	fill_window(c);
	memcpy(hs.gpr, c->cpu.gpr, sizeof(hs.gpr));
	hs.rflags = c->cpu.rflags;
	compared++;
	sig = run_native(c, in.len, &hs);
	if (sig) {
		dump_case(c, "the host faulted where the emulator completed");
		FUZZ_CHECK(false, "signal %d", sig);
	}
	for (int i = 0; i < 16; i++) {
		if (i != RSP && hs.gpr[i] != cpu.gpr[i]) {
			dump_case(c, "register differs from the host's");
			FUZZ_CHECK(false, "r%d: host %#llx, emulated %#llx", i, (unsigned long long)hs.gpr[i],
				   (unsigned long long)cpu.gpr[i]);
		}
	}
	mask = (ARITH_FLAGS | DF_FLAG) & ~undefined;
	if ((hs.rflags ^ cpu.rflags) & mask) {
		dump_case(c, "RFLAGS differ from the host's");
		FUZZ_CHECK(false, "host %#llx, emulated %#llx, compared %#llx", (unsigned long long)hs.rflags,
			   (unsigned long long)cpu.rflags, (unsigned long long)mask);
	}
	for (size_t i = 0; i < DATA_SIZE; i++) {
		if (emulated[i] != oracle.data[i]) {
			dump_case(c, "memory differs from the host's");
			FUZZ_CHECK(false, "window byte %zu: host %02x, emulated %02x", i, oracle.data[i],
				   emulated[i]);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fcase c;
	struct x86_insn insn;

	runs++;
	parse(&in, &c);
	(void)check_contract(&c, &insn);
	if (c.native && c.cpu.mode == X86_MODE_64 && !c.cpu.la57)
		check_native(&c);
	return 0;
}
