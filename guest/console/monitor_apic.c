/* The monitor's "info apic": the local APIC's registers and timer, the I/O APIC's table. */
#include "guest/console/monitor.h"
#include "guest/console/monitor_commands.h"
#include "guest/clock.h"
#include "guest/guest.h"

static const char *const timer_modes[] = { "one-shot", "periodic", "tsc-deadline", "reserved" };

/* The set vectors of a 256-bit register, as "none" or up to a few numbers. */
static void print_vectors(struct monitor_out *out, const char *name, const uint32_t reg[8])
{
	unsigned shown = 0, total = 0;
	char line[80];
	unsigned len = 0;

	line[0] = 0;
	for (unsigned v = 0; v < 256; v++) {
		if (!(reg[v / 32] & (1u << (v % 32))))
			continue;
		if (++total <= 8 && len + 4 < sizeof(line)) {
			static const char hex[] = "0123456789abcdef";

			line[len++] = ' ';
			line[len++] = hex[v >> 4];
			line[len++] = hex[v & 15];
			line[len] = 0;
			shown++;
		}
	}
	monitor_printf(out, "  %s:%s%s%s\n", name, total ? line : " none",
		       total > shown ? " ..." : "", "");
}

static void print_lapic(struct guest *g, struct monitor_out *out)
{
	struct lapic *l = &g->lapic;
	uint64_t now = guest_now_ns(g), next = l->timer_next;

	monitor_printf(out, "lapic: base %llx %s%s, id %u, spiv %x (%s), tpr %02x ppr %02x, "
		       "esr %x, timer %s\n",
		       (unsigned long long)l->base,
		       lapic_enabled(l) ? (lapic_x2apic(l) ? "x2APIC" : "xAPIC") : "disabled",
		       (l->base & APIC_BASE_BSP) ? " bsp" : "", l->id, l->spiv,
		       lapic_sw_enabled(l) ? "on" : "off", l->tpr, lapic_ppr(l), l->esr,
		       timer_modes[lapic_timer_mode(l)]);
	print_vectors(out, "irr", l->irr);
	print_vectors(out, "isr", l->isr);
	print_vectors(out, "tmr", l->tmr);
	monitor_printf(out, "  lvt: timer %x thermal %x perf %x lint0 %x lint1 %x error %x\n",
		       l->lvt[LAPIC_LVT_TIMER], l->lvt[LAPIC_LVT_THERMAL], l->lvt[LAPIC_LVT_PERF],
		       l->lvt[LAPIC_LVT_LINT0], l->lvt[LAPIC_LVT_LINT1], l->lvt[LAPIC_LVT_ERROR]);
	monitor_printf(out, "  timer: initial %x current %x divide /%u, deadline %llx, next in "
		       "%lld ns; %llu fired, %llu coalesced\n", l->timer_init,
		       lapic_timer_current(l, now), lapic_divisor(l->timer_div),
		       (unsigned long long)l->tsc_deadline,
		       next == LAPIC_NEVER ? -1LL : (long long)(next - now),
		       (unsigned long long)l->stats.timer_fires,
		       (unsigned long long)l->stats.timer_coalesced);
	monitor_printf(out, "  %llu accepted (%llu coalesced), %llu illegal vectors, %llu bad "
		       "accesses, %llu NMIs, INIT %llu SIPI %llu\n",
		       (unsigned long long)l->stats.accepted, (unsigned long long)l->stats.coalesced,
		       (unsigned long long)l->stats.illegal_vectors,
		       (unsigned long long)l->stats.bad_accesses, (unsigned long long)l->stats.nmis,
		       (unsigned long long)l->stats.init_ipis,
		       (unsigned long long)l->stats.startup_ipis);
}

/* One line per I/O APIC pin that is unmasked or has remote IRR set. */
static void print_ioapic(struct guest *g, struct monitor_out *out)
{
	const struct ioapic *io = &g->ioapic;
	unsigned masked = 0;

	monitor_printf(out, "ioapic: %x, id %u, %llu sent, lines %06x\n", IOAPIC_DEFAULT_BASE,
		       io->id >> IOAPIC_ID_SHIFT, (unsigned long long)io->stats.sent, io->lines);
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = io->redir[pin];

		if ((e & IOAPIC_REDIR_MASKED) && !(e & IOAPIC_REDIR_REMOTE_IRR)) {
			masked++;
			continue;
		}
		monitor_printf(out, "  pin %2u: vector %02x mode %u %s %s %s dest %02x%s%s\n", pin,
			       (unsigned)(e & 0xff), (unsigned)(e >> 8) & 7,
			       (e & IOAPIC_REDIR_LEVEL) ? "level" : "edge",
			       (e & IOAPIC_REDIR_POLARITY) ? "low" : "high",
			       (e & IOAPIC_REDIR_DEST_LOGICAL) ? "logical" : "physical",
			       (unsigned)(e >> IOAPIC_REDIR_DEST_SHIFT),
			       (e & IOAPIC_REDIR_MASKED) ? " masked" : "",
			       (e & IOAPIC_REDIR_REMOTE_IRR) ? " remote-irr" : "");
	}
	monitor_printf(out, "  %u pin%s masked\n", masked, masked == 1 ? "" : "s");
}

int monitor_info_apic(void *ctx, struct monitor_out *out)
{
	print_lapic(ctx, out);
	print_ioapic(ctx, out);
	return 0;
}
