/* Parser for Umbra's command line: a table of options, each with its own value parser. */
#include "lib/options.h"
#include "lib/format.h"
#include "lib/printk.h"
#include "lib/string.h"

#define OPTION_WORD_MAX 128

struct option_def {
	const char *name;
	/* Parses value into o; returns false when the value is not acceptable. */
	bool (*parse)(struct umbra_options *o, const char *value);
	const char *values;	/* what parse accepts, for error messages */
	const char *help;
};

/* Parses a decimal or 0x-prefixed hexadecimal number that must fit below limit. */
static bool parse_number(const char *s, uint64_t limit, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		if (d > limit || v > (limit - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static bool parse_backend(struct umbra_options *o, const char *v)
{
	if (!strcmp(v, "auto"))
		o->backend = BACKEND_AUTO;
	else if (!strcmp(v, "vmx"))
		o->backend = BACKEND_VMX;
	else if (!strcmp(v, "svm"))
		o->backend = BACKEND_SVM;
	else
		return false;
	return true;
}

static bool parse_loglevel(struct umbra_options *o, const char *v)
{
	static const char *const names[] = { "err", "warn", "info", "debug" };
	uint64_t n;

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(v, names[i])) {
			o->loglevel = (int)i;
			return true;
		}
	}
	if (!parse_number(v, LOG_DEBUG, &n))
		return false;
	o->loglevel = (int)n;
	return true;
}

static bool parse_on_off(bool *out, const char *v)
{
	if (!strcmp(v, "on") || !strcmp(v, "1") || !strcmp(v, "yes"))
		*out = true;
	else if (!strcmp(v, "off") || !strcmp(v, "0") || !strcmp(v, "no"))
		*out = false;
	else
		return false;
	return true;
}

static bool parse_debug_exit(struct umbra_options *o, const char *v)
{
	return parse_on_off(&o->debug_exit, v);
}

static bool parse_serial(struct umbra_options *o, const char *v)
{
	uint64_t port;

	if (!strcmp(v, "com1"))
		o->serial_base = 0x3f8;
	else if (!strcmp(v, "com2"))
		o->serial_base = 0x2f8;
	else if (!strcmp(v, "none"))
		o->serial_base = 0;
	else if (parse_number(v, 0xfff8, &port) && port != 0)
		o->serial_base = (uint16_t)port;
	else
		return false;
	return true;
}

static bool parse_baud(struct umbra_options *o, const char *v)
{
	uint64_t baud;

	/* The divisor is 115200 / baud and must be a whole number of at least 1. */
	if (!parse_number(v, 115200, &baud) || baud == 0 || 115200 % baud)
		return false;
	o->baud = (uint32_t)baud;
	return true;
}

static bool parse_crash(struct umbra_options *o, const char *v)
{
	if (!strcmp(v, "ud"))
		o->crash = CRASH_UD;
	else if (!strcmp(v, "pf"))
		o->crash = CRASH_PF;
	else if (!strcmp(v, "panic"))
		o->crash = CRASH_PANIC;
	else if (!strcmp(v, "none"))
		o->crash = CRASH_NONE;
	else
		return false;
	return true;
}

/* A size: a number with an optional K, M or G suffix (binary units), whole pages, from min to
 * max bytes. */
static bool parse_size(const char *v, uint64_t min, uint64_t max, uint64_t *out)
{
	char digits[24];
	size_t n = strlen(v);
	unsigned shift = 0;
	uint64_t size;

	if (n == 0 || n >= sizeof(digits))
		return false;
	memcpy(digits, v, n + 1);
	switch (digits[n - 1]) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	}
	if (shift)
		digits[n - 1] = '\0';
	if (!parse_number(digits, max >> shift, &size))
		return false;
	size <<= shift;
	if (size < min || size > max || size % 4096)
		return false;
	*out = size;
	return true;
}

/* 4 MiB to 64 GiB. */
static bool parse_guest_mem(struct umbra_options *o, const char *v)
{
	return parse_size(v, 4ULL << 20, 64ULL << 30, &o->guest_mem);
}

/* 256 KiB (about 40 shadow pages: mm/shadow_pool.h's minimum with room) to 64 GiB. */
static bool parse_shadow_mem(struct umbra_options *o, const char *v)
{
	return parse_size(v, 256ULL << 10, 64ULL << 30, &o->shadow_mem);
}

static bool parse_audit(struct umbra_options *o, const char *v)
{
	if (!strcmp(v, "exit"))
		o->audit_at_exit = true;
	else if (!strcmp(v, "off"))
		o->audit_at_exit = false;
	else
		return false;
	return true;
}

static bool parse_mmu(struct umbra_options *o, const char *v)
{
	if (!strcmp(v, "shadow"))
		o->mmu = MMU_MODE_SHADOW;
	else if (!strcmp(v, "tdp"))
		o->mmu = MMU_MODE_TDP;
	else
		return false;
	return true;
}

static const struct option_def option_table[] = {
	{ "backend", parse_backend, "auto|vmx|svm",
	  "backend=auto|vmx|svm  virtualization backend (auto: VMX, else SVM)" },
	{ "loglevel", parse_loglevel, "err|warn|info|debug|0-3",
	  "loglevel=err|warn|info|debug|0-3  console verbosity (info)" },
	{ "debug_exit", parse_debug_exit, "on|off",
	  "debug_exit=on|off  end QEMU/Bochs through their exit ports when Umbra stops (off)" },
	{ "serial", parse_serial, "com1|com2|0xPORT|none",
	  "serial=com1|com2|0xPORT|none  host console UART (com1)" },
	{ "baud", parse_baud, "a divisor of 115200",
	  "baud=N  console speed, a divisor of 115200 (115200)" },
	{ "guest_mem", parse_guest_mem, "a size from 4M to 64G, e.g. 64M",
	  "guest_mem=SIZE  guest RAM, with K, M or G suffix (64M)" },
	{ "audit", parse_audit, "exit|off",
	  "audit=exit|off  check every shadow entry against the guest when the guest stops (off)" },
	{ "mmu", parse_mmu, "shadow|tdp",
	  "mmu=shadow|tdp  guest paging: shadow page tables, or the CPU's EPT/NPT (shadow)" },
	{ "shadow_mem", parse_shadow_mem, "a size from 256K to 64G, e.g. 32M",
	  "shadow_mem=SIZE  shadow page tables and reverse map, with K, M or G suffix "
	  "(1/32 of host memory, 24M to 1G)" },
	{ "crash", parse_crash, "ud|pf|panic|none",
	  "crash=ud|pf|panic|none  deliberately fail after the boot report (diagnostics)" },
};
#define OPTION_COUNT (sizeof(option_table) / sizeof(option_table[0]))

void options_set_defaults(struct umbra_options *o)
{
	memset(o, 0, sizeof(*o));
	o->backend = BACKEND_AUTO;
	o->loglevel = LOG_INFO;
	o->serial_base = 0x3f8;
	o->baud = 115200;
	o->crash = CRASH_NONE;
	o->guest_mem = 64ULL << 20;
	o->mmu = MMU_MODE_SHADOW;
}

const char *options_help(unsigned index)
{
	return index < OPTION_COUNT ? option_table[index].help : NULL;
}

/* Appends one formatted problem line to errs without ever overflowing it. */
__attribute__((format(printf, 3, 4)))
static void errs_append(char *errs, size_t errlen, const char *fmt, ...)
{
	size_t used = strnlen(errs, errlen);
	va_list ap;

	if (used + 1 >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintk(errs + used, errlen - used, fmt, ap);
	va_end(ap);
}

/* Applies one word "key=value" (or "key"); returns false and explains in errs when it is bad. */
static bool options_apply_word(struct umbra_options *o, char *word, char *errs, size_t errlen)
{
	char *eq = strchr(word, '=');
	const char *value = "";

	if (eq) {
		*eq = '\0';
		value = eq + 1;
	}
	for (unsigned i = 0; i < OPTION_COUNT; i++) {
		if (strcmp(word, option_table[i].name))
			continue;
		if (option_table[i].parse(o, value))
			return true;
		errs_append(errs, errlen, "bad value \"%s\" for %s (expected %s)\n", value, word,
			    option_table[i].values);
		return false;
	}
	errs_append(errs, errlen, "unknown option \"%s\"\n", word);
	return false;
}

unsigned options_parse(const char *cmdline, struct umbra_options *o, char *errs, size_t errlen)
{
	char word[OPTION_WORD_MAX];
	unsigned problems = 0;

	if (errlen)
		errs[0] = '\0';
	while (*cmdline) {
		size_t n = 0;

		while (*cmdline == ' ' || *cmdline == '\t')
			cmdline++;
		if (!*cmdline)
			break;
		while (cmdline[n] && cmdline[n] != ' ' && cmdline[n] != '\t')
			n++;
		if (n >= sizeof(word)) {
			errs_append(errs, errlen, "option too long: \"%.32s...\"\n", cmdline);
			problems++;
		} else {
			memcpy(word, cmdline, n);
			word[n] = '\0';
			if (!options_apply_word(o, word, errs, errlen))
				problems++;
		}
		cmdline += n;
	}
	return problems;
}
