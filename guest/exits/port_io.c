/*
 * The guest's port I/O: every access goes through the device bus (guest/devices/bus.h); a port
 * no device claims reads as all-ones and ignores writes, reported once per port.
 */
#include "guest/exits/exits.h"
#include "guest/guest.h"
#include "guest/gva.h"
#include "guest/insn.h"
#include "arch/rflags.h"
#include "lib/printk.h"

/* Reports an unemulated port the first time the guest touches it. */
static void io_report_unknown(struct guest *g, uint16_t port, bool in)
{
	for (unsigned i = 0; i < g->ports_reported_count; i++)
		if (g->ports_reported[i] == port)
			return;
	if (g->ports_reported_count < GUEST_PORTS_REPORTED_MAX)
		g->ports_reported[g->ports_reported_count++] = port;
	pr_info("umbra: guest: port 0x%x not emulated (%s; reads all-ones, writes ignored)\n", port,
		in ? "read" : "write");
}

/* One access of size bytes; returns the value read (all-ones where no device answers). */
static uint32_t io_port_read(struct guest *g, uint16_t port, unsigned size)
{
	uint64_t value;

	if (!bus_read(&g->bus, BUS_PORT, port, size, &value))
		io_report_unknown(g, port, true);
	return (uint32_t)value;
}

static void io_port_write(struct guest *g, uint16_t port, unsigned size, uint32_t value)
{
	if (!bus_write(&g->bus, BUS_PORT, port, size, value))
		io_report_unknown(g, port, false);
}

static uint64_t mask_of_size(unsigned bytes)
{
	return bytes == 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

/* INS/OUTS (SDM Vol. 2B): ES:rDI is the destination of INS, seg:rSI the source of OUTS; rCX
 * counts with REP; DF picks the direction. One element per iteration, so a fault part way
 * leaves the registers describing the remaining work, as hardware does. */
static void io_string(struct guest *g, const struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	unsigned size = e->io.size, asize = e->io.address_size;
	uint64_t amask = mask_of_size(asize);
	int64_t step = (v->rflags & RFLAGS_DF) ? -(int64_t)size : (int64_t)size;
	unsigned index_reg = e->io.in ? GPR_RDI : GPR_RSI;
	struct segment seg;

	v->ops->get_segment(v, e->io.in ? SEG_ES : (e->io.segment >= 0 ? e->io.segment : SEG_DS),
			    &seg);
	for (;;) {
		uint64_t count = v->gpr[GPR_RCX] & amask;
		uint64_t offset = v->gpr[index_reg] & amask;
		uint64_t linear = seg.base + offset;
		enum gva_status st;
		uint32_t value = 0, pfec = 0;

		if (e->io.rep && count == 0)
			break;
		if (e->io.in) {
			value = io_port_read(g, e->io.port, size);
			st = guest_write_linear(g, linear, &value, size, 0, &pfec);
		} else {
			st = guest_read_linear(g, linear, &value, size, 0, &pfec);
			if (st == GVA_OK)
				io_port_write(g, e->io.port, size, value);
		}
		if (st == GVA_PAGE_FAULT) {
			vcpu_queue_page_fault(v, pfec, linear);
			return;
		}
		if (st != GVA_OK) {
			guest_stop(g, GUEST_STOP_FATAL, "string I/O at linear %llx: %s",
				   (unsigned long long)linear,
				   st == GVA_NOT_RAM ? "not guest RAM" : "unsupported paging mode");
			return;
		}
		v->gpr[index_reg] = (v->gpr[index_reg] & ~amask) | ((offset + step) & amask);
		if (!e->io.rep)
			break;
		v->gpr[GPR_RCX] = (v->gpr[GPR_RCX] & ~amask) | ((count - 1) & amask);
		if (g->stop != GUEST_RUNNING)
			return;
	}
	vcpu_skip_instruction(v, e);
}

void exit_port_io(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	unsigned size = e->io.size;

	if (e->io.string) {
		/* Without the hardware's description, the instruction itself says how it addresses. */
		if (!e->io.address_size) {
			struct x86_insn insn;

			if (!guest_decode_at_rip(g, &insn))
				return;
			e->io.address_size = insn.address_size;
			e->io.segment = insn.segment;
			e->insn_len = insn.len;
		}
		io_string(g, e);
		return;
	}
	if (e->io.in) {
		uint32_t value = io_port_read(g, e->io.port, size);

		/* IN to AL/AX leaves the rest of RAX alone; IN to EAX zero-extends (SDM Vol. 1 3.4.1.1). */
		if (size == 4)
			v->gpr[GPR_RAX] = value;
		else
			v->gpr[GPR_RAX] = (v->gpr[GPR_RAX] & ~mask_of_size(size)) | value;
	} else {
		io_port_write(g, e->io.port, size, v->gpr[GPR_RAX] & mask_of_size(size));
	}
	vcpu_skip_instruction(v, e);
}
