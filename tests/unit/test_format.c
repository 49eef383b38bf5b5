/* Host unit tests for lib/format.c: vsnprintk compared against the host's snprintf. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format.h"

/* Both snprintf and snprintk have this type, so one dispatcher drives either. */
typedef int (*printer_fn)(char *, size_t, const char *, ...);

/* The C type the single value argument is passed as. */
enum argkind {
	K_INT, K_UINT, K_LONG, K_ULONG, K_LLONG, K_ULLONG,
	K_SSIZE, K_SIZE, K_PTRDIFF, K_UPTRDIFF, K_INTMAX, K_UINTMAX,
	K_PTR, K_STR,
};

/* One formatted call: a format with up to two '*' arguments and one value. */
struct call {
	char fmt[64];
	int nstars;
	int stars[2];
	enum argkind kind;
	uint64_t bits;		/* integer values, reinterpreted as kind */
	const void *ptr;	/* K_PTR and K_STR */
};

/* The hosted reference and ours, under one signature. */
static printer_fn const ref_fn = snprintf;
static printer_fn const our_fn = snprintk;

#define BUF_LEN 512
#define SENTINEL 0x5a

/* Passes the '*' arguments, then the value, exactly as the format expects them. */
#define CALL_WITH(fn, buf, size, c, arg)					\
	((c)->nstars == 0 ? (fn)((buf), (size), (c)->fmt, (arg)) :		\
	 (c)->nstars == 1 ? (fn)((buf), (size), (c)->fmt, (c)->stars[0], (arg)) : \
	 (fn)((buf), (size), (c)->fmt, (c)->stars[0], (c)->stars[1], (arg)))

static int invoke(printer_fn fn, char *buf, size_t size, const struct call *c)
{
	switch (c->kind) {
	case K_INT: return CALL_WITH(fn, buf, size, c, (int)c->bits);
	case K_UINT: return CALL_WITH(fn, buf, size, c, (unsigned int)c->bits);
	case K_LONG: return CALL_WITH(fn, buf, size, c, (long)c->bits);
	case K_ULONG: return CALL_WITH(fn, buf, size, c, (unsigned long)c->bits);
	case K_LLONG: return CALL_WITH(fn, buf, size, c, (long long)c->bits);
	case K_ULLONG: return CALL_WITH(fn, buf, size, c, (unsigned long long)c->bits);
	case K_SSIZE: return CALL_WITH(fn, buf, size, c, (ssize_t)c->bits);
	case K_SIZE: return CALL_WITH(fn, buf, size, c, (size_t)c->bits);
	case K_PTRDIFF: return CALL_WITH(fn, buf, size, c, (ptrdiff_t)c->bits);
	case K_UPTRDIFF: return CALL_WITH(fn, buf, size, c, (size_t)c->bits);
	case K_INTMAX: return CALL_WITH(fn, buf, size, c, (intmax_t)c->bits);
	case K_UINTMAX: return CALL_WITH(fn, buf, size, c, (uintmax_t)c->bits);
	case K_PTR: return CALL_WITH(fn, buf, size, c, (void *)c->ptr);
	case K_STR: return CALL_WITH(fn, buf, size, c, (const char *)c->ptr);
	}
	fail_msg("bad argkind %d", (int)c->kind);
	return -1;
}

static void describe(const struct call *c, size_t size, int ref_n, int our_n,
		     const char *ref, const char *ours)
{
	print_error("format \"%s\" stars=%d [%d, %d] kind=%d bits=0x%llx ptr=%p size=%zu\n",
		    c->fmt, c->nstars, c->stars[0], c->stars[1], (int)c->kind,
		    (unsigned long long)c->bits, c->ptr, size);
	print_error("  expected %d \"%s\"\n  got      %d \"%s\"\n", ref_n, ref, our_n, ours);
}

/* Full-size comparison of return value and every output byte including the NUL. */
static void compare_full(const struct call *c)
{
	char ref[BUF_LEN], ours[BUF_LEN];
	int rn = invoke(ref_fn, ref, sizeof(ref), c);
	int on;

	memset(ours, SENTINEL, sizeof(ours));
	on = invoke(our_fn, ours, sizeof(ours), c);
	if (rn < 0 || rn >= BUF_LEN - 1) {
		describe(c, sizeof(ref), rn, on, "", "");
		fail_msg("reference output does not fit the test buffer");
	}
	if (on != rn || memcmp(ours, ref, (size_t)rn + 1) != 0) {
		describe(c, sizeof(ref), rn, on, ref, ours);
		fail();
	}
}

/*
 * Every buffer size from 0 to strlen + 1 against the full reference output:
 * same return value, the longest prefix that fits, a NUL right after it and
 * nothing written at or past size. Size 0 uses a NULL buffer.
 */
static void compare_truncated(const struct call *c)
{
	char ref[BUF_LEN], ours[BUF_LEN];
	int n = invoke(ref_fn, ref, sizeof(ref), c);
	size_t size, i;

	for (size = 0; size <= (size_t)n + 1; size++) {
		size_t kept = size ? (size - 1 < (size_t)n ? size - 1 : (size_t)n) : 0;
		bool ok;
		int on;

		memset(ours, SENTINEL, (size_t)n + 8);
		on = invoke(our_fn, size ? ours : NULL, size, c);
		ok = on == n && memcmp(ours, ref, kept) == 0 && (!size || ours[kept] == '\0');
		for (i = size; i < (size_t)n + 8; i++)
			ok = ok && ours[i] == (char)SENTINEL;
		if (!ok) {
			ours[BUF_LEN - 1] = '\0';
			describe(c, size, n, on, ref, ours);
			fail();
		}
	}
}

static void check_call(const struct call *c, bool truncate)
{
	compare_full(c);
	if (truncate)
		compare_truncated(c);
}

/* ---------------------------------------------------------------------------------------- */
/* Grid dimensions, shared by the generated tests. */

struct field {
	const char *text;
	bool star;
	int value;		/* the '*' argument */
	int prec;		/* effective precision, -1 for none (used to filter) */
};

static const struct field widths[] = {
	{ "", false, 0, 0 }, { "1", false, 0, 0 }, { "2", false, 0, 0 },
	{ "6", false, 0, 0 }, { "21", false, 0, 0 }, { "30", false, 0, 0 },
	{ "*", true, 7, 0 }, { "*", true, -7, 0 }, { "*", true, 0, 0 },
	{ "*", true, 25, 0 },
};

static const struct field precs[] = {
	{ "", false, 0, -1 }, { ".", false, 0, 0 }, { ".0", false, 0, 0 },
	{ ".1", false, 0, 1 }, { ".2", false, 0, 2 }, { ".6", false, 0, 6 },
	{ ".21", false, 0, 21 }, { ".30", false, 0, 30 }, { ".*", true, 4, 4 },
	{ ".*", true, -1, -1 }, { ".*", true, 0, 0 }, { ".*", true, 23, 23 },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Every subset of the five flags, in canonical order. */
static void flag_subset(unsigned int mask, char *out)
{
	static const char all[] = "-0+ #";
	size_t i;

	for (i = 0; i < 5; i++)
		if (mask & (1u << i))
			*out++ = all[i];
	*out = '\0';
}

/* Builds "[%<flags><width><prec><len><conv>]" and its '*' arguments. */
static void build_call(struct call *c, const char *flags, const struct field *w,
		       const struct field *p, const char *len, char conv)
{
	c->nstars = 0;
	if (w->star)
		c->stars[c->nstars++] = w->value;
	if (p->star)
		c->stars[c->nstars++] = p->value;
	snprintf(c->fmt, sizeof(c->fmt), "[%%%s%s%s%s%c]", flags, w->text, p->text, len, conv);
}

/* ---------------------------------------------------------------------------------------- */
/* Integers: conversion x length x flags x width x precision x value. */

struct length {
	const char *text;
	enum argkind sig;
	enum argkind uns;
};

static const struct length lengths[] = {
	{ "", K_INT, K_UINT }, { "hh", K_INT, K_UINT }, { "h", K_INT, K_UINT },
	{ "l", K_LONG, K_ULONG }, { "ll", K_LLONG, K_ULLONG }, { "z", K_SSIZE, K_SIZE },
	{ "t", K_PTRDIFF, K_UPTRDIFF }, { "j", K_INTMAX, K_UINTMAX },
};

/* Narrowing by the argument type and by hh/h is part of what is tested. */
static const uint64_t int_values[] = {
	0, 1, 7, 8, 9, 10, 42, 255, 256, 300, 0x7fff, 0x8000, 65535, 65536,
	(uint64_t)-1, (uint64_t)-42, (uint64_t)-128, (uint64_t)-129,
	INT_MAX, (uint64_t)(int64_t)INT_MIN, UINT_MAX, 0x100000000ull,
	LLONG_MAX, (uint64_t)LLONG_MIN, UINT64_MAX, 0x123456789abcdef0ull,
	1000000000000ull,
};

static const char int_convs[] = "diuxXo";

/* Counts executed comparisons, so the log shows how wide the coverage was. */
static unsigned long run_int_grid(const char *convs, unsigned long stride)
{
	unsigned long count = 0;
	const char *cv;
	size_t l, w, p, v;
	unsigned int mask;

	for (cv = convs; *cv; cv++)
	for (l = 0; l < ARRAY_LEN(lengths); l++)
	for (mask = 0; mask < 32; mask++)
	for (w = 0; w < ARRAY_LEN(widths); w++)
	for (p = 0; p < ARRAY_LEN(precs); p++)
	for (v = 0; v < ARRAY_LEN(int_values); v++) {
		struct call c = { .bits = int_values[v] };
		char flags[8];
		bool is_signed = *cv == 'd' || *cv == 'i';

		flag_subset(mask, flags);
		build_call(&c, flags, &widths[w], &precs[p], lengths[l].text, *cv);
		c.kind = is_signed ? lengths[l].sig : lengths[l].uns;
		/* A stride coprime to every dimension spreads truncation over all of them. */
		check_call(&c, count % stride == 0);
		count++;
	}
	return count;
}

static void test_int_grid_signed(void **state)
{
	(void)state;
	print_message("  %lu signed comparisons\n", run_int_grid("di", 31));
}

static void test_int_grid_unsigned(void **state)
{
	(void)state;
	print_message("  %lu unsigned comparisons\n", run_int_grid("uxXo", 31));
}

/* ---------------------------------------------------------------------------------------- */
/* Strings, characters, pointers: all flag subsets that C gives a meaning. */

static const char *const str_values[] = {
	"", "a", "ab", "abc", "hello", "hello, world!", "\xff\x80 high bytes",
	"0123456789012345678901234567890123456789",
	NULL,
};

static void test_string_grid(void **state)
{
	static const char *const flag_sets[] = { "", "-" };
	unsigned long count = 0;
	size_t f, w, p, v;

	(void)state;
	for (f = 0; f < ARRAY_LEN(flag_sets); f++)
	for (w = 0; w < ARRAY_LEN(widths); w++)
	for (p = 0; p < ARRAY_LEN(precs); p++)
	for (v = 0; v < ARRAY_LEN(str_values); v++) {
		struct call c = { .kind = K_STR, .ptr = str_values[v] };

		/* glibc prints "" for NULL under a precision below 6; we cut "(null)". */
		if (!str_values[v] && precs[p].prec >= 0 && precs[p].prec < 6)
			continue;
		build_call(&c, flag_sets[f], &widths[w], &precs[p], "", 's');
		check_call(&c, true);
		count++;
	}
	print_message("  %lu string comparisons\n", count);
}

static void test_char_grid(void **state)
{
	static const char *const flag_sets[] = { "", "-" };
	static const int chars[] = { 'A', 'z', ' ', '%', '0', 0, 0x80, 0xff, 0x141 };
	unsigned long count = 0;
	size_t f, w, v;

	(void)state;
	for (f = 0; f < ARRAY_LEN(flag_sets); f++)
	for (w = 0; w < ARRAY_LEN(widths); w++)
	for (v = 0; v < ARRAY_LEN(chars); v++) {
		struct call c = { .kind = K_INT, .bits = (uint64_t)chars[v] };

		build_call(&c, flag_sets[f], &widths[w], &precs[0], "", 'c');
		check_call(&c, true);
		count++;
	}
	print_message("  %lu char comparisons\n", count);
}

/* Non-NULL only: glibc prints "(nil)" for NULL, which test_pointer_null covers. */
static void test_pointer_grid(void **state)
{
	static const char *const flag_sets[] = { "", "-", "0", "-0" };
	static int local;
	const uintptr_t ptrs[] = {
		1, 0xf, 0xdeadbeef, 0xffff800000001000ull, UINTPTR_MAX, (uintptr_t)&local,
	};
	unsigned long count = 0;
	size_t f, w, p, v;

	(void)state;
	for (f = 0; f < ARRAY_LEN(flag_sets); f++)
	for (w = 0; w < ARRAY_LEN(widths); w++)
	for (p = 0; p < ARRAY_LEN(precs); p++)
	for (v = 0; v < ARRAY_LEN(ptrs); v++) {
		struct call c = { .kind = K_PTR, .ptr = (const void *)ptrs[v] };

		build_call(&c, flag_sets[f], &widths[w], &precs[p], "", 'p');
		check_call(&c, true);
		count++;
	}
	print_message("  %lu pointer comparisons\n", count);
}

/* Flags in any order and repeated mean the same thing. */
static void test_flag_permutations(void **state)
{
	static const char all[] = "-0+ #";
	static const uint64_t values[] = { 0, 42, (uint64_t)-42, (uint64_t)INT_MIN };
	unsigned long count = 0;
	const char *cv;
	int a, b, d, e, g;
	size_t v;

	(void)state;
	for (a = 0; a < 5; a++)
	for (b = 0; b < 5; b++)
	for (d = 0; d < 5; d++)
	for (e = 0; e < 5; e++)
	for (g = 0; g < 5; g++)
	for (cv = int_convs; *cv; cv++)
	for (v = 0; v < ARRAY_LEN(values); v++) {
		struct call c = { .bits = values[v] };
		bool is_signed = *cv == 'd' || *cv == 'i';

		snprintf(c.fmt, sizeof(c.fmt), "%%%c%c%c%c%c%c12%c", all[a], all[b], all[d],
			 all[e], all[g], all[a], *cv);
		c.kind = is_signed ? K_INT : K_UINT;
		check_call(&c, false);
		count++;
	}
	print_message("  %lu permutation comparisons\n", count);
}

/* ---------------------------------------------------------------------------------------- */
/* Hand-written cases. */

/* Compares a literal call against the host, including every truncation. */
#define SAME_AS_HOST(fmt, ...)							\
	do {									\
		char ref_[BUF_LEN], ours_[BUF_LEN];				\
		int rn_ = snprintf(ref_, sizeof(ref_), fmt, __VA_ARGS__);	\
		int on_ = snprintk(ours_, sizeof(ours_), fmt, __VA_ARGS__);	\
		size_t sz_;							\
		assert_int_equal(on_, rn_);					\
		assert_string_equal(ours_, ref_);				\
		for (sz_ = 0; sz_ <= (size_t)rn_ + 1; sz_++) {			\
			memset(ours_, SENTINEL, sizeof(ours_));			\
			on_ = snprintk(sz_ ? ours_ : NULL, sz_, fmt, __VA_ARGS__); \
			assert_int_equal(on_, rn_);				\
			if (sz_) {						\
				assert_memory_equal(ours_, ref_, sz_ - 1);	\
				assert_int_equal(ours_[sz_ - 1 < (size_t)rn_ ? sz_ - 1 : \
						       (size_t)rn_], 0);	\
			}							\
			assert_int_equal((unsigned char)ours_[sz_], SENTINEL);	\
		}								\
	} while (0)

/* Checks our exact output and return value. */
#define EXPECT(want, fmt, ...)							\
	do {									\
		char buf_[BUF_LEN];						\
		int n_ = snprintk(buf_, sizeof(buf_), fmt, ##__VA_ARGS__);	\
		assert_string_equal(buf_, want);				\
		assert_int_equal(n_, (int)strlen(want));			\
	} while (0)

static void test_literal_and_percent(void **state)
{
	(void)state;
	SAME_AS_HOST("%s", "");
	SAME_AS_HOST("plain text, no conversions%s", "");
	SAME_AS_HOST("%%%s", "");
	SAME_AS_HOST("a%%b%%%%c%d", 5);
	SAME_AS_HOST("100%% done: %d%%", 100);
	EXPECT("%", "%%");
	EXPECT("", "%s", "");
}

static void test_mixed_formats(void **state)
{
	int local = 0;

	(void)state;
	SAME_AS_HOST("%d %i %u %x %X %o %c %s %p", -1, 2, 3u, 0xabcu, 0xabcu, 8u, 'q', "str",
		     (void *)&local);
	SAME_AS_HOST("%hhd|%hd|%ld|%lld|%zd|%td|%jd", (signed char)-5, (short)-300, LONG_MIN,
		     LLONG_MIN, (ssize_t)-7, (ptrdiff_t)PTRDIFF_MIN, INTMAX_MIN);
	SAME_AS_HOST("%hhu|%hu|%lu|%llu|%zu|%tu|%ju", (unsigned char)200, (unsigned short)60000,
		     ULONG_MAX, ULLONG_MAX, SIZE_MAX, (size_t)PTRDIFF_MAX, UINTMAX_MAX);
	SAME_AS_HOST("%*.*d|%-*s|%.*s|%*c", 10, 4, -17, 8, "left", 3, "truncated", -3, 'c');
	SAME_AS_HOST("[%-+8.3d][%+08d][% 08d][%#010x][%#-10o][%#.0o][%#.0x]", 5, -5, 5, 0x1fu,
		     8u, 0u, 0u);
	SAME_AS_HOST("%s=%016llx (%llu)", "cr3", 0x000000001234f000ull, 0x000000001234f000ull);
}

static void test_extremes(void **state)
{
	(void)state;
	SAME_AS_HOST("%d %d %lld %lld", INT_MIN, INT_MAX, LLONG_MIN, LLONG_MAX);
	SAME_AS_HOST("%llu %llx %llo %#llo %#llX", (unsigned long long)UINT64_MAX, 0xffffffffffffffffull,
		     ULLONG_MAX, ULLONG_MAX, ULLONG_MAX);
	SAME_AS_HOST("%.0d|%.0u|%.0x|%.0o|%5.0d|%-5.0x|%+.0d|% .0d", 0, 0u, 0u, 0u, 0, 0u, 0, 0);
	SAME_AS_HOST("%.40d|%.40llx|%060lld", -1, ULLONG_MAX, LLONG_MIN);
	SAME_AS_HOST("%.200d|%300s", 7, "wide");
}

/* The tests below pass odd formats on purpose; gcc would rightly reject them elsewhere. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* %p differs from glibc on purpose: NULL prints "0x0", not "(nil)". */
static void test_pointer_null(void **state)
{
	(void)state;
	EXPECT("0x0", "%p", NULL);
	EXPECT("  0x0", "%5p", NULL);
	EXPECT("0x0  |", "%-5p|", NULL);
	EXPECT("0x000", "%05p", NULL);
	EXPECT("0x0", "%.0p", NULL);
	EXPECT("0x000", "%.3p", NULL);
	EXPECT("0x1", "%p", (void *)1);
	EXPECT("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
}

/* NULL strings print "(null)"; a precision cuts it like any other string. */
static void test_null_string(void **state)
{
	const char *null = NULL;

	(void)state;
	EXPECT("(null)", "%s", null);
	EXPECT("  (null)", "%8s", null);
	EXPECT("(null)  |", "%-8s|", null);
	EXPECT("(null)", "%.6s", null);
	EXPECT("(nu", "%.3s", null);	/* glibc prints "" here */
	EXPECT("", "%.0s", null);
	EXPECT("(n      |", "%-8.2s|", null);
}

/* Lengths beyond INT_MAX give -1; huge widths cost no time past the buffer. */
static void test_overflowing_width(void **state)
{
	char buf[8];

	(void)state;
	/* INT_MIN as a '*' width means '-' with width 2^31, one more than INT_MAX. */
	assert_int_equal(snprintk(buf, sizeof(buf), "%*d", INT_MIN, 1), -1);
	assert_string_equal(buf, "1      ");
	assert_int_equal(snprintk(buf, sizeof(buf), "%2147483647d", 1), INT_MAX);
	assert_string_equal(buf, "       ");
	assert_int_equal(snprintk(buf, sizeof(buf), "%2147483647d%d", 1, 2), -1);
	/* Past 2^32 a plain cast to int would wrap back to a positive count. */
	assert_int_equal(snprintk(NULL, 0, "%2147483647d%2147483647d%2147483647d", 1, 2, 3), -1);
	assert_int_equal(snprintk(buf, sizeof(buf), "%99999999999999999999999d", 1), -1);
	/* 2^64 + 5: a width parsed with wrap-around would come out as 5. */
	assert_int_equal(snprintk(buf, sizeof(buf), "%18446744073709551621d", 1), -1);
	assert_int_equal(snprintk(NULL, 0, "%.2147483647d", 1), INT_MAX);
	assert_int_equal(snprintk(NULL, 0, "%.2147483648d", 1), -1);
	assert_int_equal(snprintk(buf, sizeof(buf), "%.*s", INT_MAX, "ab"), 2);
	assert_string_equal(buf, "ab");
}

/* Unknown conversions are copied literally and consume no argument. */
static void test_unknown_conversion(void **state)
{
	(void)state;
	EXPECT("%y", "%y");
	EXPECT("%y5", "%y%d", 5);
	EXPECT("a%yb%Qc7", "a%yb%Qc%d", 7);
	EXPECT("[%-5y][9]", "[%-5y][%d]", 9);
	EXPECT("%*y7", "%*y%d", 7);
	EXPECT("%.*y7", "%.*y%d", 7);
	EXPECT("%ly|%hhy|%zk|x", "%ly|%hhy|%zk|%s", "x");
	EXPECT("%n3", "%n%d", 3);	/* no %n: it would be a write primitive */
	EXPECT("%f1", "%f%d", 1);	/* no floating point in the kernel */
	EXPECT("%L", "%L");
	EXPECT("%\x01", "%\x01");
}

/* A format that ends inside a specification is copied as it is. */
static void test_truncated_spec(void **state)
{
	(void)state;
	EXPECT("abc%", "abc%");
	EXPECT("%l", "%l");
	EXPECT("%ll", "%ll");
	EXPECT("%-05", "%-05");
	EXPECT("%.*", "%.*");
	EXPECT("5%*", "%d%*", 5);
}

/* "%5%" prints a bare '%' like glibc; the width has no effect. */
static void test_percent_with_width(void **state)
{
	(void)state;
	EXPECT("%", "%5%");
	EXPECT("a%b", "a%-5%b");
}

#pragma GCC diagnostic pop

/* size 0 with a NULL buffer only measures. */
static void test_size_zero_null_buf(void **state)
{
	char buf[4] = { 'x', 'y', 'z', 'w' };

	(void)state;
	assert_int_equal(snprintk(NULL, 0, "%d", 12345), 5);
	assert_int_equal(snprintk(NULL, 0, "%s and %s", "this", "that"), 13);
	assert_int_equal(snprintk(NULL, 0, "%s", ""), 0);
	assert_int_equal(snprintk(NULL, 0, "%-20p|", (void *)0x10), 21);
	/* size 0 with a real buffer must not touch it either. */
	assert_int_equal(snprintk(buf, 0, "%d", 99), 2);
	assert_memory_equal(buf, "xyzw", 4);
	/* size 1 writes just the NUL. */
	assert_int_equal(snprintk(buf, 1, "%d", 99), 2);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], 'y');
}

/* Heap buffers of exact size let ASan catch any write past size. */
static void test_exact_heap_buffers(void **state)
{
	static const char *const want = "-00042|  0xbeef|abc  |%";
	size_t n = strlen(want), size;

	(void)state;
	for (size = 1; size <= n + 1; size++) {
		char *buf = malloc(size);

		assert_non_null(buf);
		assert_int_equal(snprintk(buf, size, "%06d|%8p|%-5.3s|%%", -42, (void *)0xbeef,
					  "abcdef"), (int)n);
		assert_int_equal(strlen(buf), size - 1 < n ? size - 1 : n);
		assert_memory_equal(buf, want, strlen(buf));
		free(buf);
	}
}

/* %.Ns must read at most N bytes: the array has no NUL, so ASan traps on overreading. */
static void test_string_precision_bounded(void **state)
{
	char *raw = malloc(5);

	(void)state;
	assert_non_null(raw);
	memcpy(raw, "hello", 5);
	EXPECT("hello", "%.5s", raw);
	EXPECT("hel", "%.3s", raw);
	EXPECT("  hello", "%7.5s", raw);
	EXPECT("he", "%.*s", 2, raw);
	EXPECT("", "%.0s", raw);
	free(raw);
}


static int via_va_list(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Calls vsnprintk twice on one va_list: we work on a copy, so it stays usable. */
static int via_va_list(char *buf, size_t size, const char *fmt, ...)
{
	char again[BUF_LEN];
	va_list ap;
	int n, m;

	va_start(ap, fmt);
	n = vsnprintk(buf, size, fmt, ap);
	m = vsnprintk(again, sizeof(again), fmt, ap);
	va_end(ap);
	assert_int_equal(n, m);
	if (size)
		assert_memory_equal(buf, again, strlen(buf));
	return n;
}

static void test_vsnprintk(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(via_va_list(buf, sizeof(buf), "%s:%d:%llx", "file", 12, 0xfeedull), 12);
	assert_string_equal(buf, "file:12:feed");
	assert_int_equal(via_va_list(buf, 5, "%s:%d", "file", 12), 7);
	assert_string_equal(buf, "file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_and_percent),
		cmocka_unit_test(test_mixed_formats),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_pointer_null),
		cmocka_unit_test(test_unknown_conversion),
		cmocka_unit_test(test_truncated_spec),
		cmocka_unit_test(test_percent_with_width),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_size_zero_null_buf),
		cmocka_unit_test(test_exact_heap_buffers),
		cmocka_unit_test(test_string_precision_bounded),
		cmocka_unit_test(test_overflowing_width),
		cmocka_unit_test(test_vsnprintk),
		cmocka_unit_test(test_flag_permutations),
		cmocka_unit_test(test_string_grid),
		cmocka_unit_test(test_char_grid),
		cmocka_unit_test(test_pointer_grid),
		cmocka_unit_test(test_int_grid_signed),
		cmocka_unit_test(test_int_grid_unsigned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
