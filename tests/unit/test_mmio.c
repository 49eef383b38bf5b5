/*
 * Host unit tests of the MMIO path on a whole host-side guest (guest_fixture.h): a guest
 * instruction touches an MMIO window, the #PF exit goes through the shadow MMU
 * (MMU_EMULATE_MMIO), the emulator and guest/emu_mem.c, and the device's bus callback sees each
 * access with its address, width and direction; registers and RIP come out as the processor
 * would leave them. Every instruction form the emulator supports for MMIO, the ones it refuses
 * (#GP(0)), and the local APIC's page through the same path.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "guest_fixture.h"
#include "arch/apic.h"
#include "arch/pfec.h"
#include "guest/apic_wiring.h"
#include "guest/exits/exits.h"
#include "guest/mmio_windows.h"

#define WIN		0xfed00000ULL	/* the test device's window */
#define RAM_BUF		0x200000ULL	/* a RAM operand for MOVS */
#define MAX_LOG		8

struct access {
	uint64_t offset;
	unsigned size;
	bool write;
	uint64_t value;
};

/* A device that logs every access and reads back a pattern of its offset. */
static struct {
	struct access log[MAX_LOG];
	unsigned n;
	uint64_t read_value;
} dev;

static uint64_t dev_read(void *d, uint64_t offset, unsigned size)
{
	(void)d;
	assert_true(dev.n < MAX_LOG);
	dev.log[dev.n++] = (struct access){ offset, size, false, 0 };
	return dev.read_value;
}

static void dev_write(void *d, uint64_t offset, unsigned size, uint64_t value)
{
	(void)d;
	assert_true(dev.n < MAX_LOG);
	dev.log[dev.n++] = (struct access){ offset, size, true, value };
}

static struct gfix *mmio_guest(void)
{
	struct gfix *f = gfix_new();
	struct bus_range r = { .space = BUS_MMIO, .base = WIN, .length = 0x1000, .owner = "test",
			       .read = dev_read, .write = dev_write };

	assert_true(bus_register(&f->g.bus, &r));
	assert_true(guest_mmio_windows_sync(&f->g));
	memset(&dev, 0, sizeof(dev));
	return f;
}

/* Puts the instruction hex bytes at RIP and takes the #PF exit its access at addr makes. */
static void run_insn(struct gfix *f, const uint8_t *insn, size_t len, uint64_t addr, bool write)
{
	struct vm_exit e = { .kind = EXIT_PAGE_FAULT };

	assert_true(guest_mem_write(&f->g.mem, f->g.vcpu.rip, insn, len));
	e.exception.cr2 = addr;
	e.exception.error_code = write ? PFEC_W : 0;
	exit_page_fault(&f->g, &e);
}

#define RUN(f, addr, write, ...) do { \
	static const uint8_t insn_[] = { __VA_ARGS__ }; \
	run_insn(f, insn_, sizeof(insn_), addr, write); \
} while (0)

static void expect(unsigned i, uint64_t offset, unsigned size, bool write, uint64_t value)
{
	assert_true(i < dev.n);
	assert_int_equal(dev.log[i].offset, offset);
	assert_int_equal(dev.log[i].size, size);
	assert_int_equal(dev.log[i].write, write);
	if (write)
		assert_int_equal(dev.log[i].value, value);
}

/* MOV loads and stores of each width, MOVZX and MOVSX, paging off. */
static void test_mov_forms(void **state)
{
	struct gfix *f = mmio_guest();
	struct vcpu *v = &f->g.vcpu;
	uint64_t rip = v->rip;

	(void)state;
	dev.read_value = 0x89abcdef;
	RUN(f, WIN + 0x10, false, 0xa1, 0x10, 0x00, 0xd0, 0xfe);	/* mov eax, [WIN+0x10] */
	expect(0, 0x10, 4, false, 0);
	assert_int_equal(v->gpr[GPR_RAX], 0x89abcdef);
	assert_int_equal(v->rip, rip + 5);

	v->rip = rip;
	v->gpr[GPR_RBX] = WIN + 0x20;
	v->gpr[GPR_RCX] = 0x11223344;
	RUN(f, WIN + 0x20, true, 0x89, 0x0b);				/* mov [ebx], ecx */
	expect(1, 0x20, 4, true, 0x11223344);
	assert_int_equal(v->rip, rip + 2);

	v->rip = rip;
	RUN(f, WIN + 0x20, true, 0xc6, 0x03, 0x5a);			/* mov byte [ebx], 0x5a */
	expect(2, 0x20, 1, true, 0x5a);

	v->rip = rip;
	v->gpr[GPR_RAX] = 0xbeef;
	RUN(f, WIN + 0x20, true, 0x66, 0x89, 0x03);			/* mov [ebx], ax */
	expect(3, 0x20, 2, true, 0xbeef);

	v->rip = rip;
	dev.read_value = 0x80;
	RUN(f, WIN + 0x20, false, 0x0f, 0xb6, 0x03);			/* movzx eax, byte [ebx] */
	expect(4, 0x20, 1, false, 0);
	assert_int_equal(v->gpr[GPR_RAX], 0x80);

	v->rip = rip;
	dev.read_value = 0x8001;
	RUN(f, WIN + 0x20, false, 0x0f, 0xbf, 0x03);			/* movsx eax, word [ebx] */
	expect(5, 0x20, 2, false, 0);
	assert_int_equal(v->gpr[GPR_RAX], 0xffff8001);

	v->rip = rip;
	v->gpr[GPR_RDX] = 0x12345678;
	dev.read_value = 0x9a;
	RUN(f, WIN + 0x20, false, 0x8a, 0x33);				/* mov dh, [ebx] */
	expect(6, 0x20, 1, false, 0);
	assert_int_equal(v->gpr[GPR_RDX], 0x12349a78);
	assert_int_equal(gf_pending_vector(f), -1);
	gfix_free(f);
}

/* XCHG, LOCK OR/AND, CMPXCHG8B: read then write, flags as the ALU gives them. */
static void test_locked_forms(void **state)
{
	struct gfix *f = mmio_guest();
	struct vcpu *v = &f->g.vcpu;
	uint64_t rip = v->rip;

	(void)state;
	v->gpr[GPR_RBX] = WIN + 0x300;
	v->gpr[GPR_RAX] = 0x55;
	dev.read_value = 0x77;
	RUN(f, WIN + 0x300, true, 0x87, 0x03);				/* xchg [ebx], eax */
	expect(0, 0x300, 4, false, 0);
	expect(1, 0x300, 4, true, 0x55);
	assert_int_equal(v->gpr[GPR_RAX], 0x77);

	v->rip = rip;
	dev.read_value = 0x0f;
	RUN(f, WIN + 0x300, true, 0xf0, 0x81, 0x0b, 0x00, 0x01, 0x00, 0x00);	/* lock or [ebx], 0x100 */
	expect(3, 0x300, 4, true, 0x10f);
	assert_int_equal(v->rip, rip + 7);

	v->rip = rip;
	dev.read_value = 0x0f;
	RUN(f, WIN + 0x300, true, 0xf0, 0x83, 0x23, 0xfe);		/* lock and [ebx], ~1 */
	expect(5, 0x300, 4, true, 0x0e);
	assert_int_equal(dev.n, 6);

	v->rip = rip;
	dev.n = 0;
	dev.read_value = 0x100000002ULL;
	v->gpr[GPR_RAX] = 2;
	v->gpr[GPR_RDX] = 1;
	v->gpr[GPR_RCX] = 0xc;
	v->gpr[GPR_RBX] = WIN + 0x300;
	RUN(f, WIN + 0x300, true, 0xf0, 0x0f, 0xc7, 0x0b);		/* lock cmpxchg8b [ebx] */
	expect(0, 0x300, 8, false, 0);
	assert_int_equal(dev.log[1].write, true);
	assert_int_equal(dev.log[1].size, 8);
	assert_true(v->rflags & RFLAGS_ZF);
	gfix_free(f);
}

/* REP STOSD into the window, MOVSD out of it into RAM. */
static void test_string_forms(void **state)
{
	struct gfix *f = mmio_guest();
	struct vcpu *v = &f->g.vcpu;
	uint64_t rip = v->rip;
	uint32_t got = 0;

	(void)state;
	v->gpr[GPR_RDI] = WIN + 0x40;
	v->gpr[GPR_RCX] = 2;
	v->gpr[GPR_RAX] = 0xa5a5a5a5;
	RUN(f, WIN + 0x40, true, 0xf3, 0xab);				/* rep stosd */
	expect(0, 0x40, 4, true, 0xa5a5a5a5);
	expect(1, 0x44, 4, true, 0xa5a5a5a5);
	assert_int_equal(v->gpr[GPR_RCX], 0);
	assert_int_equal(v->rip, rip + 2);

	v->rip = rip;
	dev.read_value = 0xfeedf00d;
	v->gpr[GPR_RSI] = WIN + 0x80;
	v->gpr[GPR_RDI] = RAM_BUF;
	RUN(f, WIN + 0x80, false, 0xa5);				/* movsd */
	expect(2, 0x80, 4, false, 0);
	assert_true(guest_mem_read(&f->g.mem, RAM_BUF, &got, 4));
	assert_int_equal(got, 0xfeedf00d);
	assert_int_equal(v->gpr[GPR_RSI], WIN + 0x84);
	gfix_free(f);
}

/* The policy for what the emulator does not do: #GP(0), RIP on the instruction, no access. */
static void test_unsupported_forms(void **state)
{
	struct gfix *f = mmio_guest();
	struct vcpu *v = &f->g.vcpu;
	uint64_t rip = v->rip;

	(void)state;
	v->gpr[GPR_RBX] = WIN;
	RUN(f, WIN, false, 0x85, 0x03);					/* test [ebx], eax */
	assert_int_equal(gf_pending_vector(f), EXC_GP);
	assert_int_equal(v->rip, rip);
	assert_int_equal(dev.n, 0);
	gf_clear_event(f);
	RUN(f, WIN, false, 0x3b, 0x03);					/* cmp eax, [ebx] */
	assert_int_equal(gf_pending_vector(f), EXC_GP);
	gf_clear_event(f);
	RUN(f, WIN, false, 0x0f, 0x10, 0x03);				/* movups xmm0, [ebx] */
	assert_int_equal(gf_pending_vector(f), EXC_GP);
	assert_int_equal(f->g.mmio_refused, 3);
	assert_int_equal(dev.n, 0);
	gfix_free(f);
}

/* No shadow entry ever maps a window: a second access exits again. */
static void test_never_mapped(void **state)
{
	struct gfix *f = mmio_guest();
	uint64_t before;

	(void)state;
	f->g.vcpu.gpr[GPR_RBX] = WIN;
	RUN(f, WIN, false, 0x8b, 0x03);					/* mov eax, [ebx] */
	before = f->g.mmu.stats.fills;
	f->g.vcpu.rip -= 2;
	RUN(f, WIN, false, 0x8b, 0x03);
	assert_int_equal(dev.n, 2);
	assert_int_equal(f->g.mmu.stats.mmio, 2);
	assert_true(f->g.mmu.stats.fills <= before + 1);		/* the code page, at most */
	assert_false(guest_mem_gpa_to_hpa(&f->g.mem, WIN, &before));
	gfix_free(f);
}

/* The local APIC's page through the same path; it follows IA32_APIC_BASE. */
static void test_lapic_page(void **state)
{
	struct gfix *f = mmio_guest();
	struct vcpu *v = &f->g.vcpu;
	uint64_t rip = v->rip;

	(void)state;
	assert_true(guest_apic_attach(&f->g));
	guest_apic_reset(&f->g);
	v->gpr[GPR_RBX] = APIC_DEFAULT_BASE + APIC_REG_SPIV;
	v->gpr[GPR_RAX] = 0x1ff;
	RUN(f, APIC_DEFAULT_BASE + APIC_REG_SPIV, true, 0x89, 0x03);	/* mov [ebx], eax */
	assert_int_equal(f->g.lapic.spiv, 0x1ff);
	v->rip = rip;
	v->gpr[GPR_RBX] = APIC_DEFAULT_BASE + APIC_REG_VERSION;
	RUN(f, APIC_DEFAULT_BASE + APIC_REG_VERSION, false, 0x8b, 0x0b);	/* mov ecx, [ebx] */
	assert_int_equal(v->gpr[GPR_RCX] & 0xff, APIC_VERSION_INTEGRATED);
	/* Relocated: the old page is no device, the new one is. */
	assert_true(lapic_msr_write(&f->g.lapic, MSR_IA32_APIC_BASE, true, true,
				    0xfe000000ULL | APIC_BASE_EN | APIC_BASE_BSP));
	guest_apic_base_written(&f->g, APIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_BSP);
	assert_false(guest_mem_is_mmio(&f->g.mem, APIC_DEFAULT_BASE));
	assert_true(guest_mem_is_mmio(&f->g.mem, 0xfe000000ULL));
	v->rip = rip;
	v->gpr[GPR_RBX] = 0xfe000000ULL + APIC_REG_SPIV;
	RUN(f, 0xfe000000ULL + APIC_REG_SPIV, false, 0x8b, 0x0b);
	assert_int_equal(v->gpr[GPR_RCX], 0x1ff);
	gfix_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mov_forms),
		cmocka_unit_test(test_locked_forms),
		cmocka_unit_test(test_string_forms),
		cmocka_unit_test(test_unsupported_forms),
		cmocka_unit_test(test_never_mapped),
		cmocka_unit_test(test_lapic_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
