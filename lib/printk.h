/* Umbra's kernel log: leveled messages to an attached sink (the console) and an in-memory ring. */
#ifndef UMBRA_LIB_PRINTK_H
#define UMBRA_LIB_PRINTK_H

#include <stdarg.h>

enum log_level {
	LOG_ERR = 0,	/* something failed */
	LOG_WARN = 1,	/* something is odd but Umbra carries on */
	LOG_INFO = 2,	/* the boot report and guest events (the default) */
	LOG_DEBUG = 3,	/* detail for developers */
};

/* Where the log's bytes go besides the ring: a console driver of a higher floor. */
typedef void (*log_sink)(void *ctx, const char *s, unsigned long len);

/* Sends log output to sink (NULL: nowhere, messages still reach the ring). */
void log_attach_sink(log_sink sink, void *ctx);
/* Sends what the ring still holds (the newest LOG_RING_SIZE bytes) to sink: for a console
 * that comes up after the first messages. */
void log_replay(log_sink sink, void *ctx);
/* Messages above level are dropped (command line `loglevel=`). */
void log_set_level(enum log_level level);
/* Writes raw bytes to the ring and the sink, unformatted (the guest's console output). */
void log_write(const char *s, unsigned long len);

void printk(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vprintk(enum log_level level, const char *fmt, va_list ap);

#define pr_err(...)	printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)	printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...)	printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)	printk(LOG_DEBUG, __VA_ARGS__)

#endif
