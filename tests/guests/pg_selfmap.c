/*
 * pg_selfmap: a page table that maps itself. A recursive PDE (32-bit, PAE) or PML4E (4-level)
 * makes the paging structures readable and writable as data: entries read through it match
 * what was written, and a PTE written through it translates after INVLPG.
 */
#include "guest.h"
#include "paging.h"

static uint32_t frame[2];

/* Reads the 8 (or 4) bytes of an entry at linear address va through probes. */
static bool read_entry(enum pg_mode mode, uint64_t va, uint64_t *value)
{
	struct pg_result lo = pg_probe(va, PG_READ, false, 0), hi = { 0 };

	if (mode != PG_32)
		hi = pg_probe(va + 4, PG_READ, false, 0);
	*value = lo.value | ((uint64_t)hi.value << 32);
	return !lo.faulted && !hi.faulted;
}

static void check_entry(enum pg_mode mode, const struct pg_space *as, uint64_t va, int level,
			uint64_t self_va)
{
	uint64_t got = 0, want = pg_get(as, va, level);
	bool ok = read_entry(mode, self_va, &got);
	const char *names[] = { "", "PTE", "PDE", "PDPTE", "PML4E" };

	/* The walk that read it may have set A in the entries on its own path: mask A/D. */
	if (!CHECK(ok && (got & ~(PTE_A | PTE_D)) == (want & ~(PTE_A | PTE_D)),
	      "%s: %s of 0x%llx read at 0x%llx is 0x%llx", pg_mode_name(mode), names[level],
	      (unsigned long long)va, (unsigned long long)self_va, (unsigned long long)want))
		gprintf("  read 0x%llx\n", (unsigned long long)got);
}

/* Writes a 4 KiB PTE through the self map, then the new translation must show. */
static void write_through(enum pg_mode mode, uint64_t va, uint64_t pte_va)
{
	uint64_t pte = frame[1] | PTE_P | PTE_W;

	if (mode != PG_32)
		pg_probe(pte_va + 4, PG_WRITE, false, (uint32_t)(pte >> 32));
	pg_probe(pte_va, PG_WRITE, false, (uint32_t)pte);
	pg_invlpg(va);
	pg_check_read(va, *(volatile uint32_t *)frame[1],
		      "%s: PTE written through the self map translates", pg_mode_name(mode));
}

static void run32(void)
{
	struct pg_space as;
	const uint64_t va = 0x41123000ull;
	const uint32_t self = 1023, base = self << 22;

	pg_space_init(&as, PG_32);
	pg_map(&as, va, frame[0], 1, PTE_P | PTE_W);
	pg_write_pte(PG_32, as.root + 4 * self, as.root | PTE_P | PTE_W);
	pg_activate(&as);
	pg_check_read(va, *(volatile uint32_t *)frame[0], "32-bit: mapped");
	check_entry(PG_32, &as, va, 1, base + (uint32_t)(va >> 12) * 4);
	check_entry(PG_32, &as, va, 2, base + (self << 12) + (uint32_t)(va >> 22) * 4);
	check_entry(PG_32, &as, 0x00100000, 1, base + (0x00100000 >> 12) * 4);
	write_through(PG_32, va, base + (uint32_t)(va >> 12) * 4);
	pg_deactivate();
}

static void runpae(void)
{
	struct pg_space as;
	/* PD 3 (the top GiB) maps itself at its entry 511: its page tables appear at
	 * 0xffe00000 + index * 4 KiB and PD 3 itself at 0xfffff000. */
	const uint64_t va = 0xc1123000ull;
	const uint32_t base = 0xffe00000u;
	uint32_t pd3;

	pg_space_init(&as, PG_PAE);
	pg_map(&as, va, frame[0], 1, PTE_P | PTE_W);
	pd3 = pg_entry_pa(&as, va, 2, true) & ~0xfffu;
	pg_write_pte(PG_PAE, pd3 + 8 * 511, pd3 | PTE_P | PTE_W);
	pg_activate(&as);
	pg_check_read(va, *(volatile uint32_t *)frame[0], "PAE: mapped");
	check_entry(PG_PAE, &as, va, 1, base + (uint32_t)((va >> 12) & 0x3ffff) * 8);
	check_entry(PG_PAE, &as, va, 2, base + (511u << 12) + (uint32_t)((va >> 21) & 0x1ff) * 8);
	write_through(PG_PAE, va, base + (uint32_t)((va >> 12) & 0x3ffff) * 8);
	pg_deactivate();
}

static void run64(void)
{
	struct pg_space as;
	const uint64_t va = 0x0000008041123000ull;
	const uint64_t self = 510;
	const uint64_t base = 0xffff000000000000ull | (self << 39);
	const uint64_t l2 = base | (self << 30), l3 = l2 | (self << 21), l4 = l3 | (self << 12);
	uint64_t vpn = (va & 0x0000ffffffffffffull) >> 12;

	pg_space_init(&as, PG_LM);
	pg_map(&as, va, frame[0], 1, PTE_P | PTE_W);
	pg_write_pte(PG_LM, as.root + 8 * self, as.root | PTE_P | PTE_W);
	pg_activate(&as);
	pg_check_read(va, *(volatile uint32_t *)frame[0], "4-level: mapped");
	check_entry(PG_LM, &as, va, 1, base + vpn * 8);
	check_entry(PG_LM, &as, va, 2, l2 + (vpn >> 9) * 8);
	check_entry(PG_LM, &as, va, 3, l3 + (vpn >> 18) * 8);
	check_entry(PG_LM, &as, va, 4, l4 + (vpn >> 27) * 8);
	check_entry(PG_LM, &as, 0x00100000, 1, base + (0x00100000 >> 12) * 8);
	/* The self entry read through itself, four times over. */
	{
		uint64_t got = 0;

		CHECK(read_entry(PG_LM, l4 + self * 8, &got) &&
		      (got & ~(PTE_A | PTE_D)) == (as.root | PTE_P | PTE_W),
		      "4-level: the self PML4E reads itself at 0x%llx",
		      (unsigned long long)(l4 + self * 8));
	}
	write_through(PG_LM, va, base + vpn * 8);
	pg_deactivate();
}

void guest_main(void)
{
	pg_init();
	for (int i = 0; i < 2; i++) {
		frame[i] = pg_alloc();
		*(volatile uint32_t *)frame[i] = 0x5e1f0000u | (uint32_t)i;
	}
	run32();
	runpae();
	if (pg_cpu.lm)
		run64();
	else
		SKIP("no long mode");
}
