/* pg_invlpg: PTE and PDE changes become visible after INVLPG; global pages (CR4.PGE) after
 * INVLPG or a CR4.PGE toggle. A global translation may survive a CR3 write, or not: that is
 * only reported, never checked. */
#include "guest.h"
#include "paging.h"

#define VA	0x41123000ull
#define GVA	0x41124000ull

static uint32_t frame[3];

static uint32_t val(int i)
{
	return *(volatile uint32_t *)frame[i];
}

static void run(enum pg_mode mode)
{
	const char *name = pg_mode_name(mode);
	struct pg_space as;
	uint32_t pt2;
	unsigned long cr4 = read_cr4();

	pg_space_init(&as, mode);
	pg_map(&as, VA, frame[0], 1, PTE_P | PTE_W);
	pg_activate(&as);
	write_cr0(read_cr0() | CR0_WP);

	pg_check_read(VA, val(0), "%s: mapped to frame 0", name);
	pg_set(&as, VA, 1, frame[1] | PTE_P | PTE_W);
	pg_invlpg(VA);
	pg_check_read(VA, val(1), "%s: PTE to frame 1, INVLPG", name);
	pg_set(&as, VA, 1, frame[1] | PTE_W);
	pg_invlpg(VA);
	pg_check_fault(VA, PG_READ, false, 0, "%s: PTE not present, INVLPG", name);
	pg_set(&as, VA, 1, frame[0] | PTE_P | PTE_W);
	pg_check_read(VA, val(0), "%s: present again, no INVLPG needed", name);
	pg_set(&as, VA, 1, frame[0] | PTE_P);
	pg_invlpg(VA);
	pg_check_fault(VA, PG_WRITE, false, 0x3, "%s: PTE read-only, INVLPG, write", name);
	pg_set(&as, VA, 1, frame[0] | PTE_P | PTE_W);
	pg_invlpg(VA);
	CHECK_NO_FAULT(pg_fault(pg_probe(VA, PG_WRITE, false, val(0))),
		       "%s: writable again, INVLPG, write", name);

	/* A new page table under the PDE: INVLPG drops paging-structure caches too. */
	pt2 = pg_alloc();
	pg_write_pte(mode, pt2 + (mode == PG_32 ? 4 : 8) * pg_index(mode, VA, 1),
		     frame[2] | PTE_P | PTE_W);
	pg_set(&as, VA, 2, pt2 | PTE_P | PTE_W | PTE_U);
	pg_invlpg(VA);
	pg_check_read(VA, val(2), "%s: PDE to another page table, INVLPG", name);

	/* Global pages. */
	if (!pg_cpu.pge) {
		SKIP("%s: no global pages", name);
	} else {
		struct pg_result r;

		write_cr4(read_cr4() | CR4_PGE);
		pg_map(&as, GVA, frame[0], 1, PTE_P | PTE_W | PTE_G);
		pg_check_read(GVA, val(0), "%s: global page mapped to frame 0", name);
		pg_set(&as, GVA, 1, frame[1] | PTE_P | PTE_W | PTE_G);
		pg_flush();
		r = pg_probe(GVA, PG_READ, false, 0);
		gprintf("%s: after a CR3 write the global page reads %s (either is allowed)\n",
			name, r.value == val(0) ? "frame 0" : r.value == val(1) ? "frame 1" : "?");
		pg_invlpg(GVA);
		pg_check_read(GVA, val(1), "%s: global PTE to frame 1, INVLPG", name);
		pg_set(&as, GVA, 1, frame[2] | PTE_P | PTE_W | PTE_G);
		write_cr4(read_cr4() & ~CR4_PGE);
		write_cr4(read_cr4() | CR4_PGE);
		pg_check_read(GVA, val(2), "%s: global PTE to frame 2, CR4.PGE toggled", name);
		pg_set(&as, GVA, 1, frame[0] | PTE_P | PTE_W | PTE_G);
		write_cr4(read_cr4() & ~CR4_PGE);
		pg_flush();
		pg_check_read(GVA, val(0), "%s: CR4.PGE off: a CR3 write flushes it", name);
	}
	pg_deactivate();
	write_cr4(cr4);
}

void guest_main(void)
{
	pg_init();
	for (int i = 0; i < 3; i++) {
		frame[i] = pg_alloc();
		*(volatile uint32_t *)frame[i] = 0xf0000000u | (uint32_t)i;
	}
	run(PG_32);
	run(PG_PAE);
	if (pg_cpu.lm)
		run(PG_LM);
	else
		SKIP("no long mode");
}
