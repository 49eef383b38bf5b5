/*
 * The guest's port I/O: every access goes through the device bus (guest/devices/bus.h); a port
 * no device claims reads as all-ones and ignores writes, reported once per port.
 */
#include "guest/exits/exits.h"
#include "guest/guest.h"
#include "guest/gva.h"
#include "guest/insn.h"
#include "guest/single_step.h"
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

/* The most iterations of one REP INS/OUTS performed in one exit. A REP of any count then
 * costs count / IO_REP_CHUNK exits, and between two of them Umbra delivers the guest's
 * interrupts and serves its console. */
#define IO_REP_CHUNK	1024

/* The segment base of a string I/O operand: INS writes ES:rDI (no override), OUTS reads
 * DS:rSI or its override. In 64-bit mode only FS and GS have a base (SDM Vol. 3A 3.4.4). */
static uint64_t io_string_base(struct guest *g, int seg, bool mode64)
{
	struct vcpu *v = &g->vcpu;
	struct segment s;

	if (mode64 && seg != SEG_FS && seg != SEG_GS)
		return 0;
	v->ops->get_segment(v, seg, &s);
	return s.base;
}

/*
 * One element of INS or OUTS at linear: the memory operand is checked at the instruction's
 * CPL before the port is touched, so a faulting INS consumes no input and a faulting OUTS
 * sends nothing. Returns false when the instruction ends here (a fault queued, or the guest
 * stopped).
 */
static bool io_string_element(struct guest *g, const struct vm_exit *e,
			      const struct emu_who *who, uint64_t linear)
{
	struct emu_mem_ops ops = guest_emu_ops(g);
	struct emu_mem_plan plan;
	struct x86_fault f;
	uint32_t value = 0;
	enum emu_mem_status st = emu_mem_check(&ops, who, linear, e->io.size, e->io.in, &plan, &f);

	if (st == EMU_MEM_OK && e->io.in) {
		value = io_port_read(g, e->io.port, e->io.size);
		st = emu_mem_commit_write(&ops, &plan, &value);
	} else if (st == EMU_MEM_OK) {
		st = emu_mem_commit_read(&ops, &plan, &value);
		if (st == EMU_MEM_OK)
			io_port_write(g, e->io.port, e->io.size, value);
	}
	if (st == EMU_MEM_FAULT)
		guest_queue_fault(g, &f);
	else if (st != EMU_MEM_OK)
		guest_stop(g, GUEST_STOP_FATAL, "string I/O at linear %llx: not guest RAM",
			   (unsigned long long)linear);
	return st == EMU_MEM_OK && g->stop == GUEST_RUNNING;
}

/* Writes rSI, rDI or rCX at the address size: a 16-bit write merges, a 32-bit one zero-extends
 * like every 32-bit register write (SDM Vol. 1 3.4.1.1). */
static void io_set_index(uint64_t *reg, uint64_t value, uint64_t amask)
{
	*reg = amask == 0xffff ? (*reg & ~amask) | (value & amask) : value & amask;
}

/*
 * INS/OUTS (SDM Vol. 2B): rCX counts with REP, DF picks the direction, rSI/rDI and rCX are
 * used and updated at the address size. One element per iteration, so a fault part way leaves
 * the registers describing the remaining work, as hardware does; so does the end of a chunk,
 * where RIP stays on the instruction and the guest resumes it on its next entry, as after an
 * interrupt between two iterations (SDM Vol. 2B REP).
 */
static void io_string(struct guest *g, const struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	unsigned size = e->io.size;
	uint64_t amask = mask_of_size(e->io.address_size);
	int64_t step = (v->rflags & RFLAGS_DF) ? -(int64_t)size : (int64_t)size;
	unsigned index_reg = e->io.in ? GPR_RDI : GPR_RSI;
	int seg = e->io.in ? SEG_ES : (e->io.segment >= 0 ? e->io.segment : SEG_DS);
	struct emu_who who = guest_emu_who(g);
	uint64_t base = io_string_base(g, seg, who.mode64);
	unsigned chunk = guest_rep_iterations(g, IO_REP_CHUNK);

	who.via_ss = seg == SEG_SS;
	for (unsigned done = 0;; done++) {
		uint64_t count = v->gpr[GPR_RCX] & amask;
		uint64_t offset = v->gpr[index_reg] & amask;

		if (e->io.rep && count == 0)
			break;
		if (done == chunk) {
			g->rep_iteration_done = true;
			return;
		}
		if (!io_string_element(g, e, &who, base + offset))
			return;
		io_set_index(&v->gpr[index_reg], offset + step, amask);
		if (!e->io.rep)
			break;
		io_set_index(&v->gpr[GPR_RCX], count - 1, amask);
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
