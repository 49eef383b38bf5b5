/*
 * Shared helpers of the libFuzzer targets (tests/fuzz/fuzz_*.c): a reader that takes typed
 * values from the fuzzer's input (zeros once it runs out, so every input is a valid script),
 * and FUZZ_CHECK, which stops the run with a message when an invariant does not hold.
 */
#ifndef UMBRA_TESTS_FUZZ_FUZZ_H
#define UMBRA_TESTS_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The fuzzer's input as a stream of little-endian values. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint64_t fuzz_take(struct fuzz_in *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (uint64_t)*in->p << (8 * i);
	return v;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in) { return (uint8_t)fuzz_take(in, 1); }
static inline uint16_t fuzz_u16(struct fuzz_in *in) { return (uint16_t)fuzz_take(in, 2); }
static inline uint32_t fuzz_u32(struct fuzz_in *in) { return (uint32_t)fuzz_take(in, 4); }
static inline uint64_t fuzz_u64(struct fuzz_in *in) { return fuzz_take(in, 8); }

/* Copies up to len bytes (fewer when the input ends) to out; returns how many. */
static inline size_t fuzz_bytes(struct fuzz_in *in, void *out, size_t len)
{
	if (len > in->n)
		len = in->n;
	memcpy(out, in->p, len);
	in->p += len;
	in->n -= len;
	return len;
}

/* An invariant of the code under test: a violation is a finding, reported like a crash. */
#define FUZZ_CHECK(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__,	\
				__LINE__, #cond);				\
			fprintf(stderr, __VA_ARGS__);				\
			fputc('\n', stderr);					\
			abort();						\
		}								\
	} while (0)

#endif
