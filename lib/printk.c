/* Kernel log: formats with vsnprintk and writes to the attached sink and a ring. */
#include "lib/printk.h"
#include "lib/format.h"

#define LOG_RING_SIZE	16384
#define PRINTK_LINE_MAX	512

/* The one console of this machine; its state is host-wide by nature. */
static log_sink sink;
static void *sink_ctx;
static enum log_level console_level = LOG_INFO;
static char log_ring[LOG_RING_SIZE];
static unsigned long log_ring_head;

void log_attach_sink(log_sink s, void *ctx)
{
	sink = s;
	sink_ctx = ctx;
}

void log_set_level(enum log_level level)
{
	console_level = level;
}

void log_write(const char *s, unsigned long len)
{
	for (unsigned long i = 0; i < len; i++)
		log_ring[log_ring_head++ % LOG_RING_SIZE] = s[i];
	if (sink)
		sink(sink_ctx, s, len);
}

void log_replay(log_sink s, void *ctx)
{
	unsigned long start = log_ring_head > LOG_RING_SIZE ? log_ring_head - LOG_RING_SIZE : 0;

	for (unsigned long i = start; i < log_ring_head; i++)
		s(ctx, &log_ring[i % LOG_RING_SIZE], 1);
}

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
	char line[PRINTK_LINE_MAX];
	int n;

	if (level > console_level)
		return;
	n = vsnprintk(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if ((unsigned)n >= sizeof(line)) {
		/* Keep the newline of a truncated message so the next one starts on its own line. */
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	log_write(line, (unsigned long)n);
}

void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}
