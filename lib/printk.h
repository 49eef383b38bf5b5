/* Umbra's kernel log: leveled messages to the console (COM1) and an in-memory ring. */
#ifndef UMBRA_LIB_PRINTK_H
#define UMBRA_LIB_PRINTK_H

#include <stdarg.h>

enum log_level {
	LOG_ERR = 0,	/* something failed */
	LOG_WARN = 1,	/* something is odd but Umbra carries on */
	LOG_INFO = 2,	/* the boot report and guest events (the default) */
	LOG_DEBUG = 3,	/* detail for developers */
};

struct serial_port;

/* Sends console output to sp (NULL: nowhere, messages still reach the ring). */
void console_attach(struct serial_port *sp);
/* Messages above level are dropped (command line `loglevel=`). */
void log_set_level(enum log_level level);
/* Writes raw bytes to the console, turning \n into \r\n as terminals expect. */
void console_write(const char *s, unsigned long len);

void printk(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vprintk(enum log_level level, const char *fmt, va_list ap);

#define pr_err(...)	printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)	printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...)	printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)	printk(LOG_DEBUG, __VA_ARGS__)

#endif
