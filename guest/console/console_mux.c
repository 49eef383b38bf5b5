/* The serial console's Ctrl-A escape keys, and the ring for guest output under the monitor. */
#include "guest/console/console_mux.h"
#include "lib/string.h"

#define MUX_TAG	"[umbra] "

void console_mux_init(struct console_mux *m, struct monitor *mon, const struct monitor_out *out)
{
	m->mon = mon;
	m->out = *out;
	m->monitor_open = false;
	m->escape = false;
	m->ring_head = 0;
	m->ring_len = 0;
	m->dropped = 0;
}

static void ring_put(struct console_mux *m, char c)
{
	if (m->ring_len == MUX_RING_SIZE) {
		/* Keep the newest output: drop the oldest byte. */
		m->ring_head = (m->ring_head + 1) % MUX_RING_SIZE;
		m->ring_len--;
		m->dropped++;
	}
	m->ring[(m->ring_head + m->ring_len) % MUX_RING_SIZE] = c;
	m->ring_len++;
}

/* Writes the held guest output, in at most two pieces, after a line about what was lost. */
static void ring_flush(struct console_mux *m)
{
	size_t first = MUX_RING_SIZE - m->ring_head;

	if (m->dropped)
		monitor_printf(&m->out, MUX_TAG "%llu bytes of guest output were dropped\n",
			       (unsigned long long)m->dropped);
	if (first > m->ring_len)
		first = m->ring_len;
	monitor_write(&m->out, m->ring + m->ring_head, first);
	monitor_write(&m->out, m->ring, m->ring_len - first);
	m->ring_head = 0;
	m->ring_len = 0;
	m->dropped = 0;
}

void console_mux_guest_output(struct console_mux *m, const char *s, size_t n)
{
	if (!m->monitor_open) {
		monitor_write(&m->out, s, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		ring_put(m, s[i]);
}

void console_mux_guest_tx(void *ctx, uint8_t byte)
{
	char c = (char)byte;

	console_mux_guest_output(ctx, &c, 1);
}

void console_mux_set_monitor(struct console_mux *m, bool open)
{
	if (open == m->monitor_open)
		return;
	m->monitor_open = open;
	if (open) {
		monitor_puts(&m->out, "\n" MUX_TAG "monitor (type help; Ctrl-A c returns to the guest)\n");
		if (m->mon)
			monitor_prompt(m->mon);
		return;
	}
	monitor_puts(&m->out, "\n" MUX_TAG "guest console\n");
	ring_flush(m);
}

/* Reprints the monitor's prompt and line after a message that broke it. */
static void reprompt(struct console_mux *m)
{
	if (m->monitor_open && m->mon)
		monitor_prompt(m->mon);
}

static void key_help(struct console_mux *m)
{
	monitor_puts(&m->out, "\n"
		     MUX_TAG "Ctrl-A c       switch between the guest console and the monitor\n"
		     MUX_TAG "Ctrl-A x       power off\n"
		     MUX_TAG "Ctrl-A h       show these keys\n"
		     MUX_TAG "Ctrl-A Ctrl-A  send Ctrl-A\n");
	reprompt(m);
}

static void key_unknown(struct console_mux *m, uint8_t c)
{
	if (c > 0x20 && c < 0x7f)
		monitor_printf(&m->out, "\n" MUX_TAG "Ctrl-A %c: no such key (Ctrl-A h lists them)\n", c);
	else
		monitor_printf(&m->out, "\n" MUX_TAG "Ctrl-A 0x%02x: no such key (Ctrl-A h lists them)\n", c);
	reprompt(m);
}

/* A byte for whichever side is shown: the guest, or the monitor. */
static enum mux_action route(struct console_mux *m, uint8_t c)
{
	if (!m->monitor_open)
		return MUX_GUEST;
	if (m->mon && monitor_input(m->mon, c) == MONITOR_QUIT)
		console_mux_set_monitor(m, false);
	return MUX_MONITOR;
}

/* The key after Ctrl-A. */
static enum mux_action escape_key(struct console_mux *m, uint8_t c)
{
	switch (c) {
	case MUX_ESCAPE_KEY:
		return route(m, c);
	case 'c':
	case 'C':
		console_mux_set_monitor(m, !m->monitor_open);
		return MUX_NONE;
	case 'x':
	case 'X':
		monitor_puts(&m->out, "\n" MUX_TAG "power off\n");
		return MUX_POWEROFF;
	case 'h':
	case 'H':
	case '?':
		key_help(m);
		return MUX_NONE;
	}
	key_unknown(m, c);
	return MUX_NONE;
}

enum mux_action console_mux_input(struct console_mux *m, uint8_t c)
{
	if (m->escape) {
		m->escape = false;
		return escape_key(m, c);
	}
	if (c == MUX_ESCAPE_KEY) {
		m->escape = true;
		return MUX_NONE;
	}
	return route(m, c);
}
