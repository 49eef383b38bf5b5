/* The umbra.cfg parser: pure code, shared by umbra.efi and the host unit test. */
#include "boot/efi/uefi_cfg.h"
#include "lib/format.h"

/* One line of the file, cut into the directive word and the rest. */
struct ucfg_line {
	unsigned number;
	const char *word, *rest;
	size_t word_len, rest_len;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool word_is(const struct ucfg_line *l, const char *w)
{
	size_t i;

	for (i = 0; i < l->word_len; i++)
		if (w[i] != l->word[i])
			return false;
	return w[i] == '\0';
}

/* Copies n bytes of src into dst[cap] as a string; false when it does not fit. */
static bool copy_text(char *dst, size_t cap, const char *src, size_t n)
{
	if (n + 1 > cap)
		return false;
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i];
	dst[n] = '\0';
	return true;
}

/* Skips blanks at the front and cuts blanks off the back of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
	while (*n && is_blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_blank((*s)[*n - 1]))
		(*n)--;
}

/* Builds the volume path of a path word: absolute as given, else below UCFG_DIR; '/' -> '\'. */
static int cfg_path(const struct ucfg_line *l, const char *p, size_t n, char *dst,
		    char *err, size_t errlen)
{
	size_t pos = 0;

	if (p[0] != '\\' && p[0] != '/') {
		for (const char *d = UCFG_DIR; *d; d++)
			dst[pos++] = *d;
	}
	if (pos + n + 1 > UCFG_PATH_MAX) {
		snprintk(err, errlen, "umbra.cfg line %u: path is longer than %u characters",
			 l->number, UCFG_PATH_MAX - 1);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		dst[pos++] = p[i] == '/' ? '\\' : p[i];
	dst[pos] = '\0';
	return 0;
}

/* kernel/guest/module: a path word, then the optional rest as the string. */
static int cfg_module(const struct ucfg_line *l, struct umbra_cfg *out, bool guest,
		      char *err, size_t errlen)
{
	const char *p = l->rest, *s;
	size_t n = 0, sn;
	struct ucfg_module *m;

	if (!l->rest_len) {
		snprintk(err, errlen, "umbra.cfg line %u: %s needs a file path", l->number,
			 guest ? "guest" : "module");
		return -1;
	}
	while (n < l->rest_len && !is_blank(p[n]))
		n++;
	s = p + n;
	sn = l->rest_len - n;
	trim(&s, &sn);
	if (out->module_count == UCFG_MAX_MODULES) {
		snprintk(err, errlen, "umbra.cfg line %u: more than %u modules", l->number,
			 UCFG_MAX_MODULES);
		return -1;
	}
	m = &out->modules[out->module_count];
	if (cfg_path(l, p, n, m->path, err, errlen))
		return -1;
	if (guest) {
		static const char word[] = "guest";

		if (sizeof(word) + sn + 1 > UCFG_STRING_MAX)
			goto too_long;
		copy_text(m->string, UCFG_STRING_MAX, word, sizeof(word) - 1);
		if (sn) {
			m->string[sizeof(word) - 1] = ' ';
			copy_text(m->string + sizeof(word), UCFG_STRING_MAX - sizeof(word), s, sn);
		}
		out->have_guest = true;
	} else if (!copy_text(m->string, UCFG_STRING_MAX, s, sn)) {
		goto too_long;
	}
	out->module_count++;
	return 0;
too_long:
	snprintk(err, errlen, "umbra.cfg line %u: module string is longer than %u characters",
		 l->number, UCFG_STRING_MAX - 1);
	return -1;
}

/* Applies one non-empty line; seen_* guard the once-only directives. */
static int cfg_line(const struct ucfg_line *l, struct umbra_cfg *out, bool *seen_kernel,
		    bool *seen_cmdline, char *err, size_t errlen)
{
	const char *once = NULL;

	if (word_is(l, "kernel")) {
		if (*seen_kernel)
			once = "kernel";
		else if (!l->rest_len)
			return snprintk(err, errlen, "umbra.cfg line %u: kernel needs a file path",
					l->number), -1;
		else {
			for (size_t i = 0; i < l->rest_len; i++)
				if (is_blank(l->rest[i]))
					return snprintk(err, errlen, "umbra.cfg line %u: kernel takes "
							"only a path (Umbra's options go on a "
							"cmdline line)", l->number), -1;
			*seen_kernel = true;
			return cfg_path(l, l->rest, l->rest_len, out->kernel, err, errlen);
		}
	} else if (word_is(l, "cmdline")) {
		if (*seen_cmdline)
			once = "cmdline";
		else if (!copy_text(out->cmdline, UCFG_STRING_MAX, l->rest, l->rest_len))
			return snprintk(err, errlen, "umbra.cfg line %u: command line is longer "
					"than %u characters", l->number, UCFG_STRING_MAX - 1), -1;
		else
			return *seen_cmdline = true, 0;
	} else if (word_is(l, "guest")) {
		if (out->have_guest)
			once = "guest";
		else
			return cfg_module(l, out, true, err, errlen);
	} else if (word_is(l, "module")) {
		return cfg_module(l, out, false, err, errlen);
	} else {
		snprintk(err, errlen, "umbra.cfg line %u: unknown directive \"%.*s\" (expected "
			 "kernel, cmdline, guest or module)", l->number,
			 (int)(l->word_len > 32 ? 32 : l->word_len), l->word);
		return -1;
	}
	snprintk(err, errlen, "umbra.cfg line %u: a second %s line (only one is allowed)",
		 l->number, once);
	return -1;
}

/* Cuts [s, s + n) into the directive word and the rest; checks the characters. */
static int cfg_split(struct ucfg_line *l, const char *s, size_t n, char *err, size_t errlen)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c != '\t' && (c < 0x20 || c > 0x7e)) {
			snprintk(err, errlen, "umbra.cfg line %u: byte 0x%02x at column %u is not "
				 "printable ASCII", l->number, c, (unsigned)i + 1);
			return -1;
		}
	}
	trim(&s, &n);
	while (w < n && !is_blank(s[w]))
		w++;
	l->word = s;
	l->word_len = w;
	l->rest = s + w;
	l->rest_len = n - w;
	trim(&l->rest, &l->rest_len);
	return 0;
}

int ucfg_parse(const char *text, size_t len, struct umbra_cfg *out, char *err, size_t errlen)
{
	bool seen_kernel = false, seen_cmdline = false;
	struct ucfg_line l = { .number = 0 };
	size_t pos = 0;

	copy_text(out->kernel, UCFG_PATH_MAX, UCFG_DEFAULT_KERNEL, sizeof(UCFG_DEFAULT_KERNEL) - 1);
	out->cmdline[0] = '\0';
	out->module_count = 0;
	out->have_guest = false;
	if (len > UCFG_MAX_SIZE) {
		snprintk(err, errlen, "umbra.cfg: %zu bytes is larger than the %u allowed", len,
			 UCFG_MAX_SIZE);
		return -1;
	}
	while (pos < len) {
		size_t end = pos, n;

		while (end < len && text[end] != '\n')
			end++;
		n = end - pos;
		if (n && text[pos + n - 1] == '\r')
			n--;
		l.number++;
		if (n > UCFG_LINE_MAX) {
			snprintk(err, errlen, "umbra.cfg line %u: longer than %u characters",
				 l.number, UCFG_LINE_MAX);
			return -1;
		}
		if (cfg_split(&l, text + pos, n, err, errlen))
			return -1;
		if (l.word_len && l.word[0] != '#' &&
		    cfg_line(&l, out, &seen_kernel, &seen_cmdline, err, errlen))
			return -1;
		pos = end + 1;
	}
	return 0;
}
