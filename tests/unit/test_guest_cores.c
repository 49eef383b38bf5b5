/*
 * Host unit tests of the guest-facing cores on a whole host-side guest (guest_fixture.h):
 * control-register accesses with every reserved-bit and mode rule of SDM Vol. 2B "MOV - Move
 * to/from Control Registers" and Vol. 3A 2.5 / 4.4.1 / 10.8.5, the mode transitions they cause,
 * the run loop's interrupt delivery, and port-I/O dispatch through the device bus.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "guest_fixture.h"
#include "arch/irq.h"
#include "arch/msr.h"
#include "guest/exits/exits.h"
#include "guest/interrupts.h"
#include "guest/single_step.h"
#include "guest/umbra_abi.h"

#define INSN_LEN	3	/* what the fake exits say the instruction was */

/* Umbra's own interrupt controller is not part of these tests (guest/exits/interrupt.c links
 * against it): reaching it is a failure. */
void irq_complete_acknowledged(uint8_t vector)
{
	(void)vector;
	fail_msg("a host interrupt was handled");
}

void irq_take_pending(void)
{
	fail_msg("a host interrupt was handled");
}

/* MOV to CRn from register gpr holding value, as a backend that decoded it reports it. */
static void mov_to_cr(struct gfix *f, unsigned cr, uint64_t value)
{
	struct vm_exit e = { .kind = EXIT_CR_ACCESS, .insn_len = INSN_LEN };

	e.cr.type = CR_MOV_TO;
	e.cr.cr = cr;
	e.cr.gpr = GPR_RBX;
	f->g.vcpu.gpr[GPR_RBX] = value;
	e.rip = f->g.vcpu.rip;
	exit_cr_access(&f->g, &e);
}

static uint64_t mov_from_cr(struct gfix *f, unsigned cr)
{
	struct vm_exit e = { .kind = EXIT_CR_ACCESS, .insn_len = INSN_LEN };

	e.cr.type = CR_MOV_FROM;
	e.cr.cr = cr;
	e.cr.gpr = GPR_RDX;
	exit_cr_access(&f->g, &e);
	return f->g.vcpu.gpr[GPR_RDX];
}

/* The MOV faulted with #GP(0), changed nothing, and did not complete. */
static void expect_gp(struct gfix *f, uint64_t rip, uint64_t cr0, uint64_t cr3, uint64_t cr4)
{
	struct vcpu *v = &f->g.vcpu;

	assert_int_equal(gf_pending_vector(f), EXC_GP);
	assert_true(v->pending_event.has_error_code && v->pending_event.error_code == 0);
	assert_true(v->rip == rip);
	assert_true(v->cr0 == cr0 && v->cr3 == cr3 && v->cr4 == cr4);
	gf_clear_event(f);
}

static void expect_done(struct gfix *f, uint64_t rip_before)
{
	assert_int_equal(gf_pending_vector(f), -1);
	assert_true(f->g.vcpu.rip == rip_before + INSN_LEN);
	assert_int_equal(f->g.stop, GUEST_RUNNING);
}

static void test_cr0_rules(void **state)
{
	struct gfix *f = gfix_new();
	struct vcpu *v = &f->g.vcpu;
	uint64_t rip = v->rip, cr0 = v->cr0;

	(void)state;
	mov_to_cr(f, 0, CR0_PG | CR0_ET);			/* PG without PE */
	expect_gp(f, rip, cr0, 0, 0);
	mov_to_cr(f, 0, CR0_PE | CR0_NW);			/* NW without CD */
	expect_gp(f, rip, cr0, 0, 0);
	/* Outside 64-bit mode the operand is 32 bits: bits 63:32 are not seen. */
	mov_to_cr(f, 0, (1ULL << 40) | CR0_PE | CR0_TS);
	expect_done(f, rip);
	assert_true(v->cr0 == (CR0_PE | CR0_ET | CR0_TS));
	/* ET is hardwired to 1; undefined bits read as 0. */
	rip = v->rip;
	mov_to_cr(f, 0, CR0_PE | (1u << 6));
	expect_done(f, rip);
	assert_true(v->cr0 == (CR0_PE | CR0_ET));
	assert_true(mov_from_cr(f, 0) == (CR0_PE | CR0_ET));
	gfix_free(f);
}

static void test_cr4_rules(void **state)
{
	struct gfix *f = gfix_new();
	struct vcpu *v = &f->g.vcpu;
	uint64_t rip = v->rip, cr0 = v->cr0;

	(void)state;
	mov_to_cr(f, 4, CR4_VMXE);			/* VMX is hidden from the guest */
	expect_gp(f, rip, cr0, 0, 0);
	mov_to_cr(f, 4, 1u << 15);			/* reserved */
	expect_gp(f, rip, cr0, 0, 0);
	mov_to_cr(f, 4, CR4_PCIDE);			/* PCID is hidden */
	expect_gp(f, rip, cr0, 0, 0);
	mov_to_cr(f, 4, CR4_LA57);			/* so is 5-level paging */
	expect_gp(f, rip, cr0, 0, 0);
	mov_to_cr(f, 4, CR4_PSE | CR4_PGE | CR4_SMEP | CR4_OSXSAVE);
	expect_done(f, rip);
	assert_true(mov_from_cr(f, 4) == (CR4_PSE | CR4_PGE | CR4_SMEP | CR4_OSXSAVE));
	/* Without XSAVE in Umbra's view of the CPU, OSXSAVE is reserved. */
	f->cpu.leaf1_ecx &= ~CPUID_1_ECX_XSAVE;
	rip = v->rip;
	mov_to_cr(f, 4, CR4_OSXSAVE);
	expect_gp(f, rip, cr0, 0, CR4_PSE | CR4_PGE | CR4_SMEP | CR4_OSXSAVE);
	gfix_free(f);
}

static void test_cr8_rules(void **state)
{
	struct gfix *f = gfix_new();
	uint64_t rip = f->g.vcpu.rip;

	(void)state;
	mov_to_cr(f, 8, 0x10);					/* bits 63:4 reserved */
	expect_gp(f, rip, f->g.vcpu.cr0, 0, 0);
	mov_to_cr(f, 8, 0xf);
	expect_done(f, rip);
	assert_true(mov_from_cr(f, 8) == 0xf);
	gfix_free(f);
}

/* IA-32e mode: LME then PG needs PAE (SDM 10.8.5); LMA follows; PAE cannot be cleared then. */
static void test_long_mode_transitions(void **state)
{
	struct gfix *f = gfix_new();
	struct vcpu *v = &f->g.vcpu;
	uint64_t pml4 = 0x300000, rip;

	(void)state;
	assert_true(guest_mem_zero(&f->g.mem, pml4, 4096));
	guest_set_efer(&f->g, EFER_LME);
	mov_to_cr(f, 3, pml4);
	rip = v->rip;
	mov_to_cr(f, 0, CR0_PE | CR0_PG);			/* LME without PAE */
	expect_gp(f, rip, CR0_PE | CR0_ET, pml4, 0);
	assert_false(v->efer & EFER_LMA);
	mov_to_cr(f, 4, CR4_PAE);
	rip = v->rip;
	mov_to_cr(f, 0, CR0_PE | CR0_PG);
	expect_done(f, rip);
	assert_true(v->efer & EFER_LMA);
	assert_int_equal(paging_mode_of(&(struct paging_state){ .cr0 = v->cr0, .cr4 = v->cr4,
								 .efer = v->efer }),
			 PAGING_4LEVEL);
	rip = v->rip;
	mov_to_cr(f, 4, 0);					/* PAE off in IA-32e mode */
	expect_gp(f, rip, v->cr0, pml4, CR4_PAE);
	/* In compatibility mode the operand is 32 bits; from 64-bit code, CR3 bits above
	 * MAXPHYADDR are reserved (SDM 4.5), and so are CR0 bits 63:32. */
	mov_to_cr(f, 3, (1ULL << 40) | pml4);
	expect_done(f, rip);
	assert_true(v->cr3 == pml4);
	v->seg[SEG_CS].l = true;
	v->seg[SEG_CS].db = false;
	rip = v->rip;
	mov_to_cr(f, 3, (1ULL << 40) | pml4);
	expect_gp(f, rip, v->cr0, pml4, CR4_PAE);
	mov_to_cr(f, 0, (1ULL << 32) | v->cr0);
	expect_gp(f, rip, v->cr0, pml4, CR4_PAE);
	/* Paging cannot be turned off from 64-bit code (only from compatibility mode). */
	mov_to_cr(f, 0, CR0_PE);
	expect_gp(f, rip, v->cr0, pml4, CR4_PAE);
	gfix_free(f);
}

/* PAE: MOV CR3 loads the four PDPTEs; a present one with a reserved bit is #GP and changes
 * nothing, neither CR3 nor the PDPTE registers (SDM 4.4.1). */
static void test_pae_pdpte_load(void **state)
{
	struct gfix *f = gfix_new();
	struct vcpu *v = &f->g.vcpu;
	uint64_t good = 0x300000, bad = 0x301000, pdpt[4] = { 0x400001, 0, 0x500001, 0 };
	uint64_t rip, before[4];

	(void)state;
	assert_true(guest_mem_write(&f->g.mem, good, pdpt, sizeof(pdpt)));
	pdpt[2] |= 1u << 5;					/* bit 5: reserved in a PDPTE */
	assert_true(guest_mem_write(&f->g.mem, bad, pdpt, sizeof(pdpt)));
	mov_to_cr(f, 4, CR4_PAE);
	mov_to_cr(f, 3, good);
	rip = v->rip;
	mov_to_cr(f, 0, CR0_PE | CR0_PG);			/* enabling paging loads them */
	expect_done(f, rip);
	assert_true(v->pdptes[0] == 0x400001 && v->pdptes[2] == 0x500001);
	memcpy(before, v->pdptes, sizeof(before));
	rip = v->rip;
	mov_to_cr(f, 3, bad);
	expect_gp(f, rip, v->cr0, good, CR4_PAE);
	assert_memory_equal(before, v->pdptes, sizeof(before));
	/* A later change of the PDPT in memory is not seen until the next load. */
	assert_true(guest_mem_write(&f->g.mem, good, pdpt, sizeof(pdpt)));
	assert_true(v->pdptes[2] == 0x500001);
	gfix_free(f);
}

static void test_clts_lmsw_smsw(void **state)
{
	struct gfix *f = gfix_new();
	struct vcpu *v = &f->g.vcpu;
	struct vm_exit e = { .kind = EXIT_CR_ACCESS, .insn_len = INSN_LEN };

	(void)state;
	guest_set_cr0(&f->g, v->cr0 | CR0_TS | CR0_MP);
	e.cr.type = CR_CLTS;
	exit_cr_access(&f->g, &e);
	assert_false(v->cr0 & CR0_TS);
	/* LMSW loads bits 3:0 but cannot clear PE. */
	e.cr.type = CR_LMSW;
	e.cr.lmsw_known = true;
	e.cr.lmsw_value = 0xfff8;
	exit_cr_access(&f->g, &e);
	assert_true(v->cr0 & CR0_PE);
	assert_true((v->cr0 & 0xe) == 0x8);
	/* SMSW to a register. */
	e = (struct vm_exit){ .kind = EXIT_CR_ACCESS, .insn_len = INSN_LEN };
	e.cr.type = CR_SMSW;
	e.cr.gpr = GPR_RCX;
	exit_cr_access(&f->g, &e);
	assert_true(v->gpr[GPR_RCX] == (v->cr0 & 0xffffffff));
	assert_int_equal(gf_pending_vector(f), -1);
	gfix_free(f);
}

/* The PIC's interrupt goes in when the guest can take it, else an interrupt window is asked. */
static void test_interrupt_delivery(void **state)
{
	struct gfix *f = gfix_new();
	struct vcpu *v = &f->g.vcpu;

	(void)state;
	/* ICW1-4 (vector base 0x20), then unmask IRQ 4 only. */
	assert_true(bus_write(&f->g.bus, BUS_PORT, 0x20, 1, 0x11));
	assert_true(bus_write(&f->g.bus, BUS_PORT, 0x21, 1, 0x20));
	assert_true(bus_write(&f->g.bus, BUS_PORT, 0x21, 1, 0x04));
	assert_true(bus_write(&f->g.bus, BUS_PORT, 0x21, 1, 0x01));
	assert_true(bus_write(&f->g.bus, BUS_PORT, 0x21, 1, 0xef));
	/* UART receive interrupt: IER.RDA and a byte waiting. */
	assert_true(bus_write(&f->g.bus, BUS_PORT, COM1_BASE + UART_IER, 1, 0x01));
	assert_true(vuart_receive(&f->g.uart, 'x'));

	guest_deliver_interrupts(&f->g);			/* IF = 0 */
	assert_false(v->pending_event.pending);
	assert_true(f->hw.window_requested && f->g.interrupt_window);

	v->rflags |= RFLAGS_IF;
	f->hw.interrupt_shadow = true;				/* STI or MOV SS shadow */
	guest_deliver_interrupts(&f->g);
	assert_false(v->pending_event.pending);

	f->hw.interrupt_shadow = false;
	exit_interrupt_window(&f->g, &(struct vm_exit){ .kind = EXIT_INTERRUPT_WINDOW });
	assert_false(f->hw.window_requested);
	guest_deliver_interrupts(&f->g);
	assert_true(v->pending_event.pending);
	assert_int_equal(v->pending_event.type, EVENT_EXT_INTERRUPT);
	assert_int_equal(v->pending_event.vector, 0x24);
	/* In service now: nothing more until the EOI. */
	gf_clear_event(f);
	guest_deliver_interrupts(&f->g);
	assert_false(v->pending_event.pending);

	/* An exception already queued goes first: the interrupt waits. */
	assert_true(bus_write(&f->g.bus, BUS_PORT, 0x20, 1, 0x20));	/* EOI */
	vcpu_queue_exception(v, EXC_GP, true, 0);
	guest_deliver_interrupts(&f->g);
	assert_int_equal(gf_pending_vector(f), EXC_GP);
	gfix_free(f);
}

static void port_io(struct gfix *f, uint16_t port, unsigned size, bool in)
{
	struct vm_exit e = { .kind = EXIT_IO, .insn_len = 1 };

	e.io.port = port;
	e.io.size = size;
	e.io.in = in;
	exit_port_io(&f->g, &e);
}

static void test_port_io_dispatch(void **state)
{
	struct gfix *f = gfix_new();
	uint64_t *rax = &f->g.vcpu.gpr[GPR_RAX];
	uint64_t rip = f->g.vcpu.rip;

	(void)state;
	/* An unclaimed port reads all-ones of its width; IN AL/AX merge, IN EAX zero-extends. */
	*rax = 0x1122334455667788ULL;
	port_io(f, 0x2e8, 1, true);
	assert_true(*rax == 0x11223344556677ffULL);
	port_io(f, 0x2e8, 2, true);
	assert_true(*rax == 0x112233445566ffffULL);
	port_io(f, 0x2e8, 4, true);
	assert_true(*rax == 0xffffffffULL);
	assert_int_equal(f->g.ports_reported_count, 1);		/* reported once */
	assert_true(f->g.vcpu.rip == rip + 3);
	/* The UART's scratch register reads back through the bus. */
	*rax = 0x5a;
	port_io(f, COM1_BASE + UART_SCR, 1, false);
	*rax = 0;
	port_io(f, COM1_BASE + UART_SCR, 1, true);
	assert_true(*rax == 0x5a);
	/* The counter port: select the exit total, read both halves. */
	f->g.vcpu.stats.exits = 0x123456789ULL;
	*rax = UMBRA_CTR_EXITS_TOTAL;
	port_io(f, UMBRA_COUNTER_INDEX_PORT, 4, false);
	port_io(f, UMBRA_COUNTER_LOW_PORT, 4, true);
	assert_true(*rax == 0x23456789);
	port_io(f, UMBRA_COUNTER_HIGH_PORT, 4, true);
	assert_true(*rax == 0x1);
	/* The debug-exit port ends the guest with the value written. */
	*rax = 0x21;
	port_io(f, 0xf4, 1, false);
	assert_int_equal(f->g.stop, GUEST_STOP_DEBUG_EXIT);
	assert_int_equal(f->g.exit_value, 0x21);
	assert_int_equal(f->g.ports_reported_count, 1);
	gfix_free(f);
}

/* One exit as the run loop dispatches it, with the single-step rule around the handler. */
static void stepped_port_io(struct gfix *f, struct vm_exit *e)
{
	struct step_start s = guest_step_begin(&f->g);

	exit_port_io(&f->g, e);
	guest_step_end(&f->g, &s);
}

/* issue 13 item 14: an instruction Umbra completes with TF set at its start is followed by a
 * single-step trap; a REP string instruction by one after each iteration. */
static void test_single_step(void **state)
{
	struct gfix *f = gfix_new();
	struct vcpu *v = &f->g.vcpu;
	struct vm_exit out = { .kind = EXIT_IO, .insn_len = 1 };
	struct vm_exit rep = { .kind = EXIT_IO, .insn_len = 2 };
	struct step_start s;
	uint64_t rip = v->rip;

	(void)state;
	out.io = (typeof(out.io)){ .port = COM1_BASE + UART_SCR, .size = 1 };
	rep.io = (typeof(rep.io)){ .port = COM1_BASE + UART_SCR, .size = 1, .string = true,
				   .rep = true, .address_size = 4, .segment = -1 };
	/* TF clear: no trap. */
	stepped_port_io(f, &out);
	assert_false(v->single_step_trap);
	/* TF set: the trap follows the OUT. */
	v->rflags |= RFLAGS_TF;
	stepped_port_io(f, &out);
	assert_true(v->single_step_trap);
	assert_true(v->rip == rip + 2);
	/* The trap goes before a waiting interrupt: none is queued, no window asked for. */
	assert_true(bus_write(&f->g.bus, BUS_PORT, 0x20, 1, 0x11));
	assert_true(bus_write(&f->g.bus, BUS_PORT, 0x21, 1, 0x20));
	assert_true(bus_write(&f->g.bus, BUS_PORT, 0x21, 1, 0x04));
	assert_true(bus_write(&f->g.bus, BUS_PORT, 0x21, 1, 0x01));
	assert_true(bus_write(&f->g.bus, BUS_PORT, 0x21, 1, 0xef));
	assert_true(bus_write(&f->g.bus, BUS_PORT, COM1_BASE + UART_IER, 1, 0x01));
	assert_true(vuart_receive(&f->g.uart, 'x'));
	v->rflags |= RFLAGS_IF;
	guest_deliver_interrupts(&f->g);
	assert_false(v->pending_event.pending);
	assert_false(f->hw.window_requested);
	v->single_step_trap = false;			/* the backend delivered it */
	guest_deliver_interrupts(&f->g);
	assert_true(v->pending_event.pending);
	gf_clear_event(f);
	v->rflags &= ~(uint64_t)RFLAGS_IF;

	/* REP OUTSB of 3 with TF: one iteration an exit, RIP on the instruction until the last,
	 * and a trap after each. */
	rip = v->rip;
	v->gpr[GPR_RCX] = 3;
	v->gpr[GPR_RSI] = 0x200000;
	for (int i = 2; i >= 0; i--) {
		stepped_port_io(f, &rep);
		assert_true(v->single_step_trap);
		v->single_step_trap = false;
		assert_true(v->gpr[GPR_RCX] == (uint64_t)i);
		assert_true(v->rip == (i ? rip : rip + 2));
	}
	/* Without TF the whole REP is one exit. */
	v->rflags &= ~(uint64_t)RFLAGS_TF;
	v->gpr[GPR_RCX] = 3;
	stepped_port_io(f, &rep);
	assert_true(v->gpr[GPR_RCX] == 0);
	assert_false(v->single_step_trap);

	/* TF set by the instruction itself (POPF, IRET) does not trap it. */
	s = guest_step_begin(&f->g);
	v->rflags |= RFLAGS_TF;
	v->rip += 1;
	guest_step_end(&f->g, &s);
	assert_false(v->single_step_trap);
	/* An instruction that faults completes nothing: the fault, no trap. */
	s = guest_step_begin(&f->g);
	vcpu_queue_exception(v, EXC_GP, true, 0);
	guest_step_end(&f->g, &s);
	assert_false(v->single_step_trap);
	gf_clear_event(f);
	/* Nor does an exit that leaves RIP alone, nor one that stops the guest. */
	s = guest_step_begin(&f->g);
	guest_step_end(&f->g, &s);
	assert_false(v->single_step_trap);
	s = guest_step_begin(&f->g);
	v->rip += 1;
	f->g.stop = GUEST_STOP_FATAL;
	guest_step_end(&f->g, &s);
	assert_false(v->single_step_trap);
	gfix_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cr0_rules),
		cmocka_unit_test(test_cr4_rules),
		cmocka_unit_test(test_cr8_rules),
		cmocka_unit_test(test_long_mode_transitions),
		cmocka_unit_test(test_pae_pdpte_load),
		cmocka_unit_test(test_clts_lmsw_smsw),
		cmocka_unit_test(test_interrupt_delivery),
		cmocka_unit_test(test_port_io_dispatch),
		cmocka_unit_test(test_single_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
