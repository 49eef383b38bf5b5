/* Freestanding printf-style formatter: vsnprintk() and snprintk(), integer-only. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/format.h"
#include "lib/string.h"

/* INT_MAX without <limits.h>, which is not among our freestanding headers. */
#define INT_LIMIT ((size_t)((unsigned int)-1 >> 1))

enum {
	F_LEFT = 1 << 0,	/* '-' */
	F_ZERO = 1 << 1,	/* '0' */
	F_PLUS = 1 << 2,	/* '+' */
	F_SPACE = 1 << 3,	/* ' ' */
	F_ALT = 1 << 4,		/* '#' */
};

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

/* Output cursor: pos counts every character, including those that did not fit. */
struct sink {
	char *buf;
	size_t size;
	size_t pos;
};

/* One parsed conversion specification. */
struct spec {
	unsigned int flags;
	size_t width;
	size_t prec;
	bool has_prec;
	bool width_star;
	bool prec_star;
	enum length len;
	char conv;
};

/* An integer laid out as prefix, zeros and digits, before field padding. */
struct number {
	const char *prefix;
	size_t zeros;
	const char *digits;
	size_t ndigits;
};

/* Characters still writable, keeping one byte back for the terminating NUL. */
static size_t sink_room(const struct sink *s)
{
	if (s->size == 0 || s->pos >= s->size - 1)
		return 0;
	return s->size - 1 - s->pos;
}

/* Saturating, so that absurd widths cannot wrap the count back into range. */
static void sink_advance(struct sink *s, size_t n)
{
	s->pos = n > SIZE_MAX - s->pos ? SIZE_MAX : s->pos + n;
}

static void put_mem(struct sink *s, const char *p, size_t n)
{
	size_t room = sink_room(s);

	/* Guarded so that a NULL buffer (size 0) is never offset or touched. */
	if (room)
		memcpy(s->buf + s->pos, p, n < room ? n : room);
	sink_advance(s, n);
}

/* Only the part that fits is written, so huge widths cost no time past the end. */
static void put_repeat(struct sink *s, char c, size_t n)
{
	size_t room = sink_room(s);

	if (room)
		memset(s->buf + s->pos, c, n < room ? n : room);
	sink_advance(s, n);
}

/* Text padded with spaces to the field width; '0' is not meaningful here. */
static void put_text(struct sink *s, const struct spec *sp, const char *p, size_t n)
{
	size_t pad = sp->width > n ? sp->width - n : 0;

	if (!(sp->flags & F_LEFT))
		put_repeat(s, ' ', pad);
	put_mem(s, p, n);
	if (sp->flags & F_LEFT)
		put_repeat(s, ' ', pad);
}

static const char *parse_flags(const char *p, unsigned int *flags)
{
	for (;; p++) {
		switch (*p) {
		case '-': *flags |= F_LEFT; break;
		case '0': *flags |= F_ZERO; break;
		case '+': *flags |= F_PLUS; break;
		case ' ': *flags |= F_SPACE; break;
		case '#': *flags |= F_ALT; break;
		default: return p;
		}
	}
}

/* Decimal field; saturates just above INT_MAX so a long digit run cannot overflow. */
static const char *parse_num(const char *p, size_t *out)
{
	size_t n = 0;

	while (*p >= '0' && *p <= '9') {
		n = n * 10 + (size_t)(*p++ - '0');
		if (n > INT_LIMIT)
			n = INT_LIMIT + 1;
	}
	*out = n;
	return p;
}

static const char *parse_length(const char *p, enum length *len)
{
	switch (*p) {
	case 'h':
		*len = p[1] == 'h' ? LEN_HH : LEN_H;
		return p + (p[1] == 'h' ? 2 : 1);
	case 'l':
		*len = p[1] == 'l' ? LEN_LL : LEN_L;
		return p + (p[1] == 'l' ? 2 : 1);
	case 'z': *len = LEN_Z; return p + 1;
	case 't': *len = LEN_T; return p + 1;
	case 'j': *len = LEN_J; return p + 1;
	default: *len = LEN_NONE; return p;
	}
}

/*
 * Parses the specification after a '%' without touching the arguments, so an
 * unknown conversion can be printed literally without consuming any. Returns
 * the character after the conversion (conv is NUL if the format ended early).
 */
static const char *parse_spec(const char *p, struct spec *sp)
{
	*sp = (struct spec){ .len = LEN_NONE };
	p = parse_flags(p, &sp->flags);
	if (*p == '*') {
		sp->width_star = true;
		p++;
	} else {
		p = parse_num(p, &sp->width);
	}
	if (*p == '.') {
		sp->has_prec = true;
		if (*++p == '*') {
			sp->prec_star = true;
			p++;
		} else {
			p = parse_num(p, &sp->prec);
		}
	}
	p = parse_length(p, &sp->len);
	sp->conv = *p;
	return *p ? p + 1 : p;
}

static bool conv_known(char c)
{
	switch (c) {
	case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
	case 'c': case 's': case 'p': case '%':
		return true;
	default:
		return false;
	}
}

/* A negative '*' width means '-'; a negative '*' precision means none. */
static void resolve_stars(struct spec *sp, va_list *ap)
{
	if (sp->width_star) {
		int w = va_arg(*ap, int);

		if (w < 0)
			sp->flags |= F_LEFT;
		/* Negating after conversion keeps INT_MIN well defined. */
		sp->width = w < 0 ? 0 - (size_t)w : (size_t)w;
	}
	if (sp->prec_star) {
		int pr = va_arg(*ap, int);

		sp->has_prec = pr >= 0;
		sp->prec = pr >= 0 ? (size_t)pr : 0;
	}
}

/* Reads a signed argument of the given length, narrowed as C requires for hh and h. */
static intmax_t fetch_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H: return (short)va_arg(*ap, int);
	case LEN_L: return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	/* ptrdiff_t stands in for the signed size_t, which C does not name. */
	case LEN_Z: return va_arg(*ap, ptrdiff_t);
	case LEN_T: return va_arg(*ap, ptrdiff_t);
	case LEN_J: return va_arg(*ap, intmax_t);
	default: return va_arg(*ap, int);
	}
}

static uintmax_t fetch_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H: return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L: return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z: return va_arg(*ap, size_t);
	/* size_t stands in for the unsigned ptrdiff_t, which C does not name. */
	case LEN_T: return va_arg(*ap, size_t);
	case LEN_J: return va_arg(*ap, uintmax_t);
	default: return va_arg(*ap, unsigned int);
	}
}

/* Writes the digits backwards so they end just before end; returns how many. */
static size_t to_digits(char *end, uintmax_t v, unsigned int base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t n = 0;

	do {
		*--end = set[v % base];
		v /= base;
		n++;
	} while (v);
	return n;
}

static unsigned int base_of(char conv)
{
	switch (conv) {
	case 'o': return 8;
	case 'x': case 'X': case 'p': return 16;
	default: return 10;
	}
}

/* C puts "0x" only on nonzero values; %p always has it, so NULL reads "0x0". */
static const char *prefix_of(const struct spec *sp, uintmax_t mag, bool neg)
{
	switch (sp->conv) {
	case 'd': case 'i':
		if (neg)
			return "-";
		if (sp->flags & F_PLUS)
			return "+";
		return sp->flags & F_SPACE ? " " : "";
	case 'x': return (sp->flags & F_ALT) && mag ? "0x" : "";
	case 'X': return (sp->flags & F_ALT) && mag ? "0X" : "";
	case 'p': return "0x";
	default: return "";
	}
}

/* The '0' flag fills between prefix and digits, unless '-' or a precision overrides it. */
static void put_number(struct sink *s, const struct spec *sp, const struct number *num)
{
	size_t plen = strlen(num->prefix);
	size_t body = plen + num->zeros + num->ndigits;
	size_t pad = sp->width > body ? sp->width - body : 0;
	size_t zeros = num->zeros;

	if ((sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && !sp->has_prec) {
		zeros += pad;
		pad = 0;
	}
	if (!(sp->flags & F_LEFT))
		put_repeat(s, ' ', pad);
	put_mem(s, num->prefix, plen);
	put_repeat(s, '0', zeros);
	put_mem(s, num->digits, num->ndigits);
	if (sp->flags & F_LEFT)
		put_repeat(s, ' ', pad);
}

static void put_int(struct sink *s, const struct spec *sp, uintmax_t mag, bool neg)
{
	char tmp[24];	/* a 64-bit value has at most 22 octal digits */
	struct number num = { .prefix = prefix_of(sp, mag, neg) };
	bool empty = mag == 0 && sp->has_prec && sp->prec == 0 && sp->conv != 'p';

	/* Precision 0 with value 0 prints no digits at all, as C specifies. */
	num.ndigits = empty ? 0 : to_digits(tmp + sizeof(tmp), mag, base_of(sp->conv),
					    sp->conv == 'X');
	num.digits = tmp + sizeof(tmp) - num.ndigits;
	if (sp->has_prec && sp->prec > num.ndigits)
		num.zeros = sp->prec - num.ndigits;
	/* '#' with octal raises the precision just enough to start with a 0. */
	if (sp->conv == 'o' && (sp->flags & F_ALT) && num.zeros == 0 &&
	    (num.ndigits == 0 || num.digits[0] != '0'))
		num.zeros = 1;
	put_number(s, sp, &num);
}

static void put_string(struct sink *s, const struct spec *sp, const char *str)
{
	if (!str)
		str = "(null)";
	/* Bounded, because a precision allows an array without a terminating NUL. */
	put_text(s, sp, str, sp->has_prec ? strnlen(str, sp->prec) : strlen(str));
}

static void convert(struct sink *s, const struct spec *sp, va_list *ap)
{
	intmax_t v;
	char c;

	switch (sp->conv) {
	case 'd': case 'i':
		v = fetch_signed(sp, ap);
		/* Unsigned negation, so INTMAX_MIN has a representable magnitude. */
		put_int(s, sp, v < 0 ? 0 - (uintmax_t)v : (uintmax_t)v, v < 0);
		break;
	case 'u': case 'x': case 'X': case 'o':
		put_int(s, sp, fetch_unsigned(sp, ap), false);
		break;
	case 'p':
		put_int(s, sp, (uintptr_t)va_arg(*ap, void *), false);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		put_text(s, sp, &c, 1);
		break;
	case 's':
		put_string(s, sp, va_arg(*ap, const char *));
		break;
	default:	/* '%' */
		put_mem(s, "%", 1);
		break;
	}
}

/* Handles one '%...' starting at pct; returns where the literal text resumes. */
static const char *format_one(struct sink *s, const char *pct, va_list *ap)
{
	struct spec sp;
	const char *next = parse_spec(pct + 1, &sp);

	if (!conv_known(sp.conv)) {
		put_mem(s, pct, (size_t)(next - pct));
		return next;
	}
	resolve_stars(&sp, ap);
	convert(s, &sp, ap);
	return next;
}

int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { .buf = buf, .size = size, .pos = 0 };
	va_list args;

	/* A copy we can pass by address: va_list may be an array type. */
	va_copy(args, ap);
	while (*fmt) {
		const char *start = fmt;

		while (*fmt && *fmt != '%')
			fmt++;
		put_mem(&s, start, (size_t)(fmt - start));
		if (*fmt)
			fmt = format_one(&s, fmt, &args);
	}
	va_end(args);
	if (size)
		buf[s.pos < size - 1 ? s.pos : size - 1] = '\0';
	/* C99 asks for a negative result when the length is not representable. */
	return s.pos > INT_LIMIT ? -1 : (int)s.pos;
}

int snprintk(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintk(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int error_line(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintk(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}
