/* Kernel log: formats with vsnprintk and writes to the attached serial console and a ring. */
#include "lib/printk.h"
#include "lib/format.h"
#include "arch/serial.h"

#define LOG_RING_SIZE	16384
#define PRINTK_LINE_MAX	512

/* The one console of this machine; its state is host-wide by nature. */
static struct serial_port *console_port;
static enum log_level console_level = LOG_INFO;
static char log_ring[LOG_RING_SIZE];
static unsigned long log_ring_head;
static char console_last;

void console_attach(struct serial_port *sp)
{
	console_port = sp;
}

void log_set_level(enum log_level level)
{
	console_level = level;
}

void console_write(const char *s, unsigned long len)
{
	for (unsigned long i = 0; i < len; i++) {
		log_ring[log_ring_head++ % LOG_RING_SIZE] = s[i];
		if (!console_port)
			continue;
		/* Terminals want \r\n; a guest that sends its own \r gets no second one. */
		if (s[i] == '\n' && console_last != '\r')
			serial_putc(console_port, '\r');
		serial_putc(console_port, s[i]);
		console_last = s[i];
	}
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
	console_write(line, (unsigned long)n);
}

void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}
