/*
 * Device-register accesses. An MMIO window (guest_mem_set_mmio) is never RAM and never gets a
 * shadow entry, so each access faults; the shadow MMU walks the guest's tables as for any
 * fault (so paging off and every paging mode behave the same) and hands the guest-physical
 * address here. The instruction is run by the emulator (guest/x86/x86_emulate.c), whose memory
 * accesses go through guest/emu_mem.c with the instruction's CPL and rights, and reach the
 * device's bus callback with address, width and direction (guest/gva.c). Emulated: MOV loads
 * and stores of every width, MOVZX/MOVSX/MOVSXD, XCHG, CMPXCHG, the LOCKed ALU forms (LOCK OR,
 * AND, ...), BTS/BTR/BTC, STOS and MOVS with or without REP.
 *
 * Policy for anything else (an SSE load, a CMP or TEST with a memory operand, an instruction
 * fetch from a device page): a real processor would do the access, but Umbra cannot without
 * emulating the instruction, and it never skips one silently. The guest gets #GP(0), which a
 * kernel reports with the faulting RIP, and Umbra reports the first such instruction with its
 * bytes and address (the count is in the MMU counters of the stop report); the guest and
 * Umbra's console go on.
 */
#include "guest/exits/mmio.h"
#include "guest/emu_cpu.h"
#include "guest/guest.h"
#include "guest/gva.h"
#include "guest/x86/x86_emulate.h"
#include "arch/trap.h"
#include "lib/printk.h"

#define MMIO_REP_ITERATIONS_PER_EXIT	256	/* bounds one exit; the guest re-enters */

struct mmio_ctx {
	struct guest *g;
	struct emu_who who;
	struct emu_mem_ops ops;
	bool not_ram;		/* an access left guest RAM and the MMIO windows */
};

static bool mmio_done(struct mmio_ctx *c, enum emu_mem_status st, uint64_t linear,
		      struct x86_fault *f)
{
	if (st == EMU_MEM_NOT_RAM) {
		c->not_ram = true;
		*f = (struct x86_fault){ .vector = EXC_GP, .has_error_code = true, .cr2 = linear };
	}
	return st == EMU_MEM_OK;
}

static bool mmio_read(void *ctx, uint64_t linear, void *buf, unsigned len, struct x86_fault *f)
{
	struct mmio_ctx *c = ctx;

	return mmio_done(c, emu_mem_read(&c->ops, &c->who, linear, buf, len, f), linear, f);
}

static bool mmio_write(void *ctx, uint64_t linear, const void *buf, unsigned len,
		       struct x86_fault *f)
{
	struct mmio_ctx *c = ctx;

	return mmio_done(c, emu_mem_write(&c->ops, &c->who, linear, buf, len, f), linear, f);
}

/* The policy above: #GP(0), and one report. */
static void mmio_refuse(struct guest *g, const uint8_t *bytes, size_t n, uint64_t gpa,
			const char *why)
{
	if (!g->mmio_refused++)
		pr_warn("umbra: guest: MMIO access to %llx by an instruction Umbra does not emulate "
			"(%02x %02x %02x %02x at rip %llx, %s): #GP(0) (reported once)\n",
			(unsigned long long)gpa, n > 0 ? bytes[0] : 0, n > 1 ? bytes[1] : 0,
			n > 2 ? bytes[2] : 0, n > 3 ? bytes[3] : 0,
			(unsigned long long)g->vcpu.rip, why);
	vcpu_queue_exception(&g->vcpu, EXC_GP, true, 0);
}

void guest_emulate_mmio(struct guest *g, uint64_t gpa)
{
	struct mmio_ctx ctx = { .g = g, .who = guest_emu_who(g), .ops = guest_emu_ops(g) };
	struct x86_emu_ops ops = { mmio_read, mmio_write, &ctx };
	struct guest_emulation e = { 0 };
	struct x86_fault f;
	enum x86_emu_status st;

	switch (guest_emulation_start(g, &e)) {
	case GUEST_EMULATION_READY:
		break;
	case GUEST_EMULATION_FETCH_FAULTED:
		return;
	case GUEST_EMULATION_NO_BYTES:
		mmio_refuse(g, e.bytes, 0, gpa, "instruction fetch from a device page");
		return;
	}
	st = x86_emulate(&e.cpu, e.bytes, e.len, &ops, MMIO_REP_ITERATIONS_PER_EXIT, &f, &e.insn);
	switch (st) {
	case X86_EMU_OK:
		guest_x86_cpu_store(g, &e.cpu);
		return;
	case X86_EMU_FAULT:
		guest_x86_cpu_store(g, &e.cpu);	/* REP progress stands, as on hardware */
		if (ctx.not_ram)
			mmio_refuse(g, e.bytes, e.len, gpa, "its other operand is not guest RAM");
		else
			guest_queue_fault(g, &f);
		return;
	case X86_EMU_UNSUPPORTED:
		mmio_refuse(g, e.bytes, e.len, gpa, "not an emulated instruction");
		return;
	case X86_EMU_UNDECODABLE:
		if (!guest_emulation_fetch_fault(g, &e))
			mmio_refuse(g, e.bytes, e.len, gpa, "undecodable");
		return;
	}
}
