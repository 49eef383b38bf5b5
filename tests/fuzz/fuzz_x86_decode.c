/*
 * Fuzz target: the x86 decoder (guest/x86/x86_decode.c), differentially against Zydis.
 *
 * Input: up to 15 instruction bytes, decoded in 16-, 32- and 64-bit mode. For each mode the
 * shared oracle (tests/unit/x86_oracle.c) compares validity, length, ModRM/SIB, displacement,
 * immediates, opcode, map, address size, the emulated subset's operand size and the memory
 * operand (base, index, scale, displacement, RIP-relativity) with Zydis's decode; a
 * disagreement outside the documented classes (tests/fuzz/decoder-triage.md) is a finding.
 * Independently of Zydis: every proper prefix of a valid instruction is X86_TRUNCATED (from
 * exact-size heap buffers, so ASan sees a read past avail), more bytes after it change
 * nothing, and the effective address can be computed. At exit, the counts of each outcome and
 * excluded class are printed for triage.
 */
#include "tests/fuzz/fuzz.h"

#include "tests/unit/x86_oracle.h"

static unsigned long outcomes[4], excluded[EX_COUNT];

static void print_counts(void)
{
	fprintf(stderr, "x86_decode: both valid %lu, both invalid %lu, excluded %lu, mismatches %lu\n",
		outcomes[ORACLE_BOTH_OK], outcomes[ORACLE_BOTH_BAD], outcomes[ORACLE_EXCLUDED],
		outcomes[ORACLE_MISMATCH]);
	fprintf(stderr, "x86_decode: excluded:");
	for (int i = 0; i < EX_COUNT; i++)
		fprintf(stderr, " %s %lu", excl_names[i], excluded[i]);
	fprintf(stderr, "\n");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!oracle_init()) {
		fprintf(stderr, "Zydis did not initialise\n");
		abort();
	}
	atexit(print_counts);
	return 0;
}

static void dump(const char *why, const uint8_t *b, size_t n, int mode)
{
	fprintf(stderr, "x86_decode: %s in mode %d:", why, mode);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %02x", b[i]);
	fprintf(stderr, "\n");
}

/* Decodes b[0..n) from a heap buffer of exactly n bytes. */
static enum x86_decode_status decode_exact(const uint8_t *b, size_t n, int mode, struct x86_insn *in)
{
	uint8_t *copy = malloc(n ? n : 1);
	enum x86_decode_status st;

	memcpy(copy, b, n);
	st = x86_decode(n ? copy : NULL, n, (enum x86_mode)mode, in);
	free(copy);
	return st;
}

static void check_mode(const uint8_t *b, size_t n, int mode)
{
	struct x86_insn in, again;
	struct oracle_verdict v;
	enum x86_decode_status st = decode_exact(b, n, mode, &in);

	FUZZ_CHECK(st == X86_OK || st == X86_TRUNCATED || st == X86_TOO_LONG || st == X86_INVALID,
		   "status %d", st);
	oracle_judge(b, n, mode, st, &in, &v);
	outcomes[v.outcome]++;
	if (v.outcome == ORACLE_EXCLUDED)
		excluded[v.ex]++;
	if (v.outcome == ORACLE_MISMATCH) {
		dump(v.why, b, n, mode);
		FUZZ_CHECK(false, "oracle: %s (ours %d len %u, Zydis %#x len %u)", v.why, st,
			   st == X86_OK ? in.len : 0, v.zs, ZYAN_SUCCESS(v.zs) ? v.zi.length : 0);
	}
	if (st != X86_OK)
		return;

	uint64_t gpr[16];

	FUZZ_CHECK(in.len >= 1 && in.len <= n && in.len <= X86_MAX_INSN_LEN, "len %u of %zu", in.len, n);
	for (size_t k = 0; k < in.len; k++) {
		if (decode_exact(b, k, mode, &again) != X86_TRUNCATED) {
			dump("truncation not reported", b, k, mode);
			FUZZ_CHECK(false, "%zu of %u bytes", k, in.len);
		}
	}
	/* The instruction's own bytes decide: trailing bytes are never read as part of it. */
	FUZZ_CHECK(decode_exact(b, in.len, mode, &again) == X86_OK && again.len == in.len &&
		   again.opcode == in.opcode && again.modrm == in.modrm && again.imm == in.imm &&
		   again.disp == in.disp, "decode differs without the trailing bytes");
	FUZZ_CHECK(in.address_size == 2 || in.address_size == 4 || in.address_size == 8,
		   "address size %u", in.address_size);
	FUZZ_CHECK(in.operand_size == 1 || in.operand_size == 2 || in.operand_size == 4 ||
		   in.operand_size == 8, "operand size %u", in.operand_size);
	FUZZ_CHECK(in.base == X86_REG_NONE || in.base < 16, "base %u", in.base);
	FUZZ_CHECK(in.index == X86_REG_NONE || in.index < 16, "index %u", in.index);
	for (int i = 0; i < 16; i++)
		gpr[i] = 0x0101010101010101ull * (unsigned)i;
	(void)x86_effective_address(&in, gpr, 0x1000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > X86_MAX_INSN_LEN)
		size = X86_MAX_INSN_LEN;
	for (int mode = X86_MODE_16; mode <= X86_MODE_64; mode++)
		check_mode(data, size, mode);
	return 0;
}
