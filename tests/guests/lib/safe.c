/* Privileged instructions run under try_call, for checks that expect them to fault. */
#include "guest.h"

struct reg_op {
	uint32_t index;		/* MSR or XCR number */
	uint64_t value;
};

static void do_rdmsr(void *p)
{
	struct reg_op *op = p;

	op->value = rdmsr(op->index);
}

static void do_wrmsr(void *p)
{
	struct reg_op *op = p;

	wrmsr(op->index, op->value);
}

static void do_xgetbv(void *p)
{
	struct reg_op *op = p;

	op->value = xgetbv(op->index);
}

static void do_xsetbv(void *p)
{
	struct reg_op *op = p;

	xsetbv(op->index, op->value);
}

static void do_write_cr0(void *p)
{
	write_cr0(*(unsigned long *)p);
}

static void do_write_cr4(void *p)
{
	write_cr4(*(unsigned long *)p);
}

/* *value is left alone when the read faults. */
struct fault rdmsr_safe(uint32_t msr, uint64_t *value)
{
	struct reg_op op = { .index = msr };
	struct fault f = try_call(do_rdmsr, &op);

	if (!f.faulted)
		*value = op.value;
	return f;
}

struct fault wrmsr_safe(uint32_t msr, uint64_t value)
{
	struct reg_op op = { .index = msr, .value = value };

	return try_call(do_wrmsr, &op);
}

struct fault xgetbv_safe(uint32_t xcr, uint64_t *value)
{
	struct reg_op op = { .index = xcr };
	struct fault f = try_call(do_xgetbv, &op);

	if (!f.faulted)
		*value = op.value;
	return f;
}

struct fault xsetbv_safe(uint32_t xcr, uint64_t value)
{
	struct reg_op op = { .index = xcr, .value = value };

	return try_call(do_xsetbv, &op);
}

struct fault write_cr0_safe(unsigned long value)
{
	return try_call(do_write_cr0, &value);
}

struct fault write_cr4_safe(unsigned long value)
{
	return try_call(do_write_cr4, &value);
}
