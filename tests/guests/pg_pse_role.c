/*
 * pg_pse_role: in 32-bit paging CR4.PSE decides what PDE.PS means (SDM Vol. 3A 4.3, tables 4-4
 * and 4-5): with PSE = 1 the PDE maps a 4 MiB page, with PSE = 0 the bit is ignored and the PDE
 * names a page table. A MOV to CR4 that changes PSE invalidates the TLBs and paging-structure
 * caches (SDM 4.10.4.1), so the next access must use the new meaning, under the same page
 * directory that was translated with the other meaning a moment before.
 *
 * One PDE with PS = 1 points at PG_LARGE_PA. Read as a 4 MiB page, VA + 0x1004 is the word at
 * PG_LARGE_PA + 0x1004; read through the page table at PG_LARGE_PA, it is in the frame that
 * entry 1 of that table names.
 */
#include "guest.h"
#include "paging.h"

#define VA		0x41000000u	/* PDE 260 */
#define LARGE_WORD	0x1a4e0001u	/* at PG_LARGE_PA + 0x1004: the 4 MiB meaning */
#define TABLE_WORD	0x7ab1e002u	/* at frame + 4: the page-table meaning */

static uint32_t frame;

static void set_pse(bool on)
{
	unsigned long cr4 = read_cr4();

	write_cr4(on ? cr4 | CR4_PSE : cr4 & ~(unsigned long)CR4_PSE);
}

static void check_meaning(bool pse, const char *what)
{
	pg_check_read(VA + 0x1004, pse ? LARGE_WORD : TABLE_WORD, "%s: %s", what,
		      pse ? "PDE.PS maps a 4 MiB page" : "PDE.PS ignored, the PDE names a page table");
}

void guest_main(void)
{
	struct pg_space as;
	unsigned long cr4 = read_cr4();

	pg_init();
	if (!pg_cpu.pse) {
		SKIP("no PSE");
		return;
	}
	frame = pg_alloc();
	*(volatile uint32_t *)(frame + 4) = TABLE_WORD;
	/* PG_LARGE_PA is both the 4 MiB page and, read as a page table, the table whose entry 1
	 * maps frame. */
	for (unsigned int i = 0; i < 1024; i++)
		*(volatile uint32_t *)(PG_LARGE_PA + 4 * i) = 0;
	*(volatile uint32_t *)(PG_LARGE_PA + 4) = frame | PTE_P | PTE_W;
	*(volatile uint32_t *)(PG_LARGE_PA + 0x1004) = LARGE_WORD;

	pg_space_init(&as, PG_32);
	pg_set(&as, VA, 2, PG_LARGE_PA | PTE_P | PTE_W | PTE_PS);
	set_pse(true);
	pg_activate(&as);
	check_meaning(true, "PSE=1");
	set_pse(false);
	check_meaning(false, "PSE toggled to 0 under the same page directory");
	set_pse(true);
	check_meaning(true, "PSE toggled back to 1");
	/* The same, starting from the page-table meaning in a fresh address space. */
	pg_deactivate();
	set_pse(false);
	pg_space_init(&as, PG_32);
	pg_set(&as, VA, 2, PG_LARGE_PA | PTE_P | PTE_W | PTE_PS);
	pg_activate(&as);
	check_meaning(false, "fresh directory, PSE=0");
	set_pse(true);
	check_meaning(true, "fresh directory, PSE toggled to 1");
	set_pse(false);
	check_meaning(false, "fresh directory, PSE toggled back to 0");
	pg_deactivate();
	write_cr4(cr4);
}
