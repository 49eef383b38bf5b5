/*
 * The guest's interrupt lines: from its devices to both interrupt controllers, as on a PC (each
 * ISA line reaches the 8259A pair and an I/O APIC pin), and from the controllers to the vCPU:
 * the 8259A's INTR straight, or through the local APIC's LINT0 when that is enabled (virtual
 * wire), the local APIC's own interrupts by the priority rules of SDM Vol. 3A 11.8, and NMIs.
 */
#include "guest/interrupts.h"
#include "guest/apic_wiring.h"
#include "guest/clock.h"
#include "guest/guest.h"
#include "arch/rflags.h"

/* The shortest slice Umbra gives the guest before a timer's deadline: a guest that programs
 * a period shorter than this gets its interrupts coalesced rather than no time to run. */
#define GUEST_MIN_SLICE_NS	20000

/* An ISA line at level, seen by the 8259A input irq and the I/O APIC pin gsi. */
static void set_line(struct guest *g, unsigned irq, unsigned gsi, bool level)
{
	vpic_set_line(&g->pic, irq, level);
	ioapic_set_line(&g->ioapic, gsi, level);
}

/* An edge-triggered line (the PIT's OUT 0 on IRQ 0, I/O APIC pin 2) pulses: both controllers
 * latch the rise. */
static void pulse_line(struct guest *g, unsigned irq, unsigned gsi)
{
	set_line(g, irq, gsi, true);
	set_line(g, irq, gsi, false);
}

void guest_update_irq_lines(struct guest *g)
{
	uint64_t now = guest_now_ns(g);

	if (vpit_take_irq(&g->pit, now))
		pulse_line(g, GUEST_PIT_IRQ, GUEST_PIT_GSI);
	set_line(g, GUEST_KBD_IRQ, GUEST_KBD_IRQ, i8042_kbd_irq(&g->kbd));
	set_line(g, GUEST_UART_IRQ, GUEST_UART_IRQ, vuart_irq_level(&g->uart));
	set_line(g, GUEST_AUX_IRQ, GUEST_AUX_IRQ, i8042_aux_irq(&g->kbd));
	lapic_update(&g->lapic, now);
}

uint64_t guest_next_timer(const struct guest *g)
{
	uint64_t pit = vpit_next_irq(&g->pit), apic = lapic_next_timer(&g->lapic);
	uint64_t next = pit == VPIT_NEVER ? GUEST_NO_TIMER : pit;

	return apic != LAPIC_NEVER && apic < next ? apic : next;
}

/* The 8259A's vector, when its INTR reaches the processor now. */
static int pic_pending(const struct guest *g)
{
	return lapic_extint_open(&g->lapic) ? vpic_pending(&g->pic) : -1;
}

bool guest_interrupt_pending(const struct guest *g)
{
	return pic_pending(g) >= 0 || lapic_pending(&g->lapic) >= 0 || g->lapic.nmi_pending;
}

/* A backend with its own timer returns to Umbra by the next timer's deadline. */
static void guest_arm_timer(struct guest *g)
{
	uint64_t next = guest_next_timer(g), soonest;

	if (next == GUEST_NO_TIMER) {
		g->vcpu.deadline_tsc = 0;
		return;
	}
	soonest = guest_now_ns(g) + GUEST_MIN_SLICE_NS;
	g->vcpu.deadline_tsc = guest_host_tsc_at(g, next > soonest ? next : soonest);
}

/* The interrupt the processor takes now, acknowledged at its controller: the 8259A's ExtINT
 * first (it bypasses the local APIC's IRR and priorities, SDM Vol. 3A 11.5.1), then the local
 * APIC's highest request above its PPR. */
static int guest_acknowledge(struct guest *g)
{
	if (pic_pending(g) >= 0)
		return vpic_acknowledge(&g->pic);
	return lapic_acknowledge(&g->lapic);
}

static void guest_window(struct guest *g)
{
	if (!g->interrupt_window) {
		g->vcpu.ops->set_interrupt_window(&g->vcpu, true);
		g->interrupt_window = true;
	}
}

void guest_deliver_interrupts(struct guest *g)
{
	struct vcpu *v = &g->vcpu;
	int vector;

	guest_apic_sync_cr8(g);
	guest_update_irq_lines(g);
	guest_arm_timer(g);
	/* A single-step trap of the instruction just completed comes before an NMI or an
	 * interrupt (SDM Vol. 3A 6.9, traps on the previous instruction first); the next exit, at
	 * the latest Umbra's own tick, looks again. */
	if (!guest_interrupt_pending(g) || v->pending_event.pending || v->single_step_trap)
		return;
	if (v->ops->interrupt_shadow(v)) {
		guest_window(g);
		return;
	}
	/* An NMI is not masked by IF (SDM Vol. 3A 6.7.1). Blocking by an NMI in progress is the
	 * processor's: it holds the injected NMI until IRET (one pending NMI at most). */
	if (lapic_take_nmi(&g->lapic)) {
		v->pending_event = (struct event){ .pending = true, .type = EVENT_NMI,
						   .vector = 2 };
		return;
	}
	if (!(v->rflags & RFLAGS_IF)) {
		if (pic_pending(g) >= 0 || lapic_pending(&g->lapic) >= 0)
			guest_window(g);
		return;
	}
	vector = guest_acknowledge(g);
	if (vector >= 0)
		v->pending_event = (struct event){ .pending = true, .type = EVENT_EXT_INTERRUPT,
						   .vector = (uint8_t)vector };
}
