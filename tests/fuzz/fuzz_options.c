/*
 * Fuzz target: Umbra's command-line parser (lib/options.c).
 *
 * Input: one byte that picks the size of the error buffer, then the command line. Checks:
 *  - every field stays in the range the option's documentation gives, whatever the words;
 *  - the error text is always terminated inside its buffer, and with a buffer large enough
 *    holds exactly one line per problem counted (for lines without a newline of their own);
 *  - parsing the whole line gives the same options and the same problems as parsing its
 *    words one at a time, in order (words are independent, later ones win).
 */
#include "tests/fuzz/fuzz.h"

#include "lib/options.h"
#include "lib/printk.h"

#define LINE_MAX_BYTES 4096

static void check_ranges(const struct umbra_options *o)
{
	FUZZ_CHECK(o->backend == BACKEND_AUTO || o->backend == BACKEND_VMX || o->backend == BACKEND_SVM,
		   "backend %d", o->backend);
	FUZZ_CHECK(o->loglevel >= LOG_ERR && o->loglevel <= LOG_DEBUG, "loglevel %d", o->loglevel);
	FUZZ_CHECK(o->serial_base <= 0xfff8, "serial %#x", o->serial_base);
	FUZZ_CHECK(o->baud >= 1 && o->baud <= 115200 && 115200 % o->baud == 0, "baud %u", o->baud);
	FUZZ_CHECK(o->crash >= CRASH_NONE && o->crash <= CRASH_PANIC, "crash %d", o->crash);
	FUZZ_CHECK(o->guest_mem >= (4ull << 20) && o->guest_mem <= (64ull << 30) &&
		   o->guest_mem % 4096 == 0, "guest_mem %#llx", (unsigned long long)o->guest_mem);
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[LINE_MAX_BYTES + 1], word[LINE_MAX_BYTES + 1];
	static char errs[OPTIONS_ERR_MAX * 8], errs1[OPTIONS_ERR_MAX * 8];
	struct umbra_options whole, split;
	size_t errlen, n;
	unsigned problems, problems_split = 0;

	if (size < 1)
		return 0;
	errlen = data[0] == 0xff ? sizeof(errs) : data[0] % 64;
	n = size - 1 > LINE_MAX_BYTES ? LINE_MAX_BYTES : size - 1;
	memcpy(line, data + 1, n);
	line[n] = '\0';		/* an embedded NUL ends the line early, as in C */

	/* An exact-size heap copy of the error buffer, so ASan sees any write past errlen. */
	char *small = errlen ? malloc(errlen) : NULL;

	options_set_defaults(&whole);
	problems = options_parse(line, &whole, small, errlen);
	check_ranges(&whole);
	if (errlen)
		FUZZ_CHECK(memchr(small, '\0', errlen) != NULL, "error text not terminated");
	free(small);

	/* With a large buffer: one line per problem, and the word-by-word equivalence. */
	options_set_defaults(&whole);
	FUZZ_CHECK(options_parse(line, &whole, errs, sizeof(errs)) == problems, "problem count varies");
	/* (A word may itself hold a newline, which the message quotes as it is.) */
	if (strlen(errs) + 200 < sizeof(errs) && !strchr(line, '\n'))
		FUZZ_CHECK(count_lines(errs) == problems, "%u problems, %u lines", problems,
			   count_lines(errs));

	options_set_defaults(&split);
	for (const char *s = line; *s;) {
		size_t w = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		while (s[w] && s[w] != ' ' && s[w] != '\t')
			w++;
		if (!w)
			break;
		memcpy(word, s, w);
		word[w] = '\0';
		problems_split += options_parse(word, &split, errs1, sizeof(errs1));
		check_ranges(&split);
		s += w;
	}
	FUZZ_CHECK(problems_split == problems, "whole line %u problems, word by word %u", problems,
		   problems_split);
	FUZZ_CHECK(memcmp(&whole, &split, sizeof(whole)) == 0, "whole line and word by word differ");
	return 0;
}
