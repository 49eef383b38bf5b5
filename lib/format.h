/* Freestanding printf-style formatting into a bounded buffer (C99 vsnprintf semantics). */
#ifndef UMBRA_LIB_FORMAT_H
#define UMBRA_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Conversions: d i u x X o c s p %; flags - 0 + space #; width and precision
 * as digits or '*'; length modifiers hh h l ll z t j. No floating point.
 * Returns the length the complete output would have had (-1 if that
 * exceeds INT_MAX); writes at most size - 1 characters and a NUL when
 * size > 0; buf may be NULL when size is 0.
 * Deliberate differences from glibc: %p of NULL prints "0x0", %s of NULL
 * prints "(null)" cut to the precision, and an unknown conversion such as
 * "%y" (or "%-5y", or "%n") is copied literally without consuming arguments.
 */
int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap);
int snprintk(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A parser's refusal: formats a one-line reason into err (nothing when err is NULL or errlen
 * is 0) and returns -1, so that a check reads `return error_line(err, errlen, "...", ...)`. */
int error_line(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
