/*
 * pg_pdpte: PAE PDPTE registers (SDM Vol. 3A 4.4.1). They are loaded on MOV to CR3 and on the
 * CR0/CR4 writes that enter PAE paging; a later write to the PDPT in memory changes nothing
 * until the next load. A present PDPTE with a reserved bit makes the loading instruction raise
 * #GP(0) with nothing changed.
 */
#include "guest.h"
#include "paging.h"

#define VA		0x41123000ull	/* PDPTE 1 */
#define PDPT_OFFSET	0x40		/* 32-byte aligned, not page aligned */

static bool intel;

static void do_write_cr3(void *p)
{
	write_cr3(*(uint32_t *)p);
}

static struct fault write_cr3_safe(uint32_t v)
{
	return try_call(do_write_cr3, &v);
}

void guest_main(void)
{
	struct pg_space as, bad;
	uint32_t fa, fb, pd_a, pd_b, pdpt;
	volatile uint64_t *pdpte;
	struct cpuid_regs v;
	static const struct { uint64_t bits; const char *name; } rsvd[] = {
		{ 1ull << 1, "bit 1" }, { 1ull << 2, "bit 2" }, { 1ull << 5, "bit 5" },
		{ 1ull << 7, "bit 7" }, { 1ull << 8, "bit 8" }, { 1ull << 63, "bit 63 (XD)" },
		{ 0, "bit MAXPHYADDR" },
	};

	pg_init();
	v = cpuid(0, 0);
	intel = v.ebx == 0x756e6547;	/* "Genu" */
	fa = pg_alloc();
	fb = pg_alloc();
	*(volatile uint32_t *)fa = 0xaaaa0001;
	*(volatile uint32_t *)fb = 0xbbbb0002;

	pg_space_init_at(&as, PG_PAE, pg_alloc() + PDPT_OFFSET);
	pg_map(&as, VA, fa, 1, PTE_P | PTE_W);
	pdpt = as.root;
	pdpte = (volatile uint64_t *)pdpt;
	pd_a = (uint32_t)(pdpte[1] & ~0xfffull);
	/* A second page directory for PDPTE 1, mapping VA to frame B. */
	pd_b = pg_alloc();
	{
		uint32_t pt = pg_alloc();

		((volatile uint64_t *)pt)[pg_index(PG_PAE, VA, 1)] = fb | PTE_P | PTE_W;
		((volatile uint64_t *)pd_b)[pg_index(PG_PAE, VA, 2)] = pt | PTE_P | PTE_W;
	}

	pg_activate(&as);
	CHECK_EQ(read_cr3(), pdpt, "CR3 holds a PDPT at page offset 0x%x", PDPT_OFFSET);
	pg_check_read(VA, 0xaaaa0001, "PDPTE 1 points to directory A");

	/* Memory changes, the PDPTE registers do not. */
	pdpte[1] = pd_b | PTE_P;
	pg_invlpg(VA);
	if (intel)
		pg_check_read(VA, 0xaaaa0001, "PDPTE rewritten in memory, INVLPG: still A");
	else
		gprintf("PDPTE rewritten in memory, INVLPG: reads 0x%x (AMD may not cache)\n",
			pg_probe(VA, PG_READ, false, 0).value);
	write_cr3(pdpt);
	pg_check_read(VA, 0xbbbb0002, "CR3 reloaded: PDPTE 1 points to directory B");
	pdpte[1] = 0;
	pg_invlpg(VA);
	if (intel)
		pg_check_read(VA, 0xbbbb0002, "PDPTE cleared in memory, INVLPG: still B");
	write_cr3(pdpt);
	pg_check_fault(VA, PG_READ, false, 0, "CR3 reloaded: PDPTE 1 not present");
	pdpte[1] = pd_a | PTE_P;
	write_cr3(pdpt);
	pg_check_read(VA, 0xaaaa0001, "CR3 reloaded: PDPTE 1 points to directory A again");

	/* Reserved bits: a second PDPT whose PDPTE 2 is bad; loading it must fail. */
	pg_space_init(&bad, PG_PAE);
	pg_map(&bad, VA, fb, 1, PTE_P | PTE_W);
	for (unsigned int i = 0; i < sizeof(rsvd) / sizeof(rsvd[0]); i++) {
		uint64_t bit = rsvd[i].bits ? rsvd[i].bits : 1ull << pg_cpu.maxphyaddr;
		volatile uint64_t *bp = (volatile uint64_t *)bad.root;
		uint64_t good = bp[2] | PTE_P;

		bp[2] = good | bit;
		CHECK_FAULT(write_cr3_safe(bad.root), EXC_GP, 0,
			    "MOV CR3 with PDPTE 2 %s set raises #GP(0)", rsvd[i].name);
		CHECK_EQ(read_cr3(), pdpt, "CR3 keeps its old value after the %s #GP",
			 rsvd[i].name);
		bp[2] = good;
	}
	pg_check_read(VA, 0xaaaa0001, "the old PDPTEs still translate");
	/* Reserved bits in a not-present PDPTE are ignored. */
	((volatile uint64_t *)bad.root)[3] = 0xfffffffffffff1feull;
	CHECK_NO_FAULT(write_cr3_safe(bad.root), "MOV CR3 with junk in a not-present PDPTE");
	pg_check_read(VA, 0xbbbb0002, "the new PDPTEs translate");
	write_cr3(pdpt);

	/* Entering PAE paging loads the PDPTEs too: MOV to CR0 setting PG raises #GP(0). */
	pg_deactivate();
	((volatile uint64_t *)bad.root)[2] |= 1ull << 1;
	write_cr4(read_cr4() | CR4_PAE);
	write_cr3(bad.root);
	CHECK_FAULT(write_cr0_safe(read_cr0() | CR0_PG), EXC_GP, 0,
		    "MOV CR0 enabling PAE paging with a bad PDPTE raises #GP(0)");
	CHECK_EQ(read_cr0() & CR0_PG, 0, "CR0.PG stays clear");
	((volatile uint64_t *)bad.root)[2] &= ~(1ull << 1);
	CHECK_NO_FAULT(write_cr0_safe(read_cr0() | CR0_PG), "MOV CR0 enabling PAE paging once fixed");
	pg_check_read(VA, 0xbbbb0002, "PAE paging on with the fixed PDPT");
	write_cr0(read_cr0() & ~CR0_PG);
	write_cr4(read_cr4() & ~CR4_PAE);
}
