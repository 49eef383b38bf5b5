/*
 * pt_flood: a page that was a page table is reused as data (shadow-mmu.md 2). After the guest
 * switches to another address space, or unmaps the table in its own, it stores STORES words to
 * the page. Umbra emulates the first few stores, then finds the table flooded and unshadows
 * it: the count of emulated page-table writes stays small (at most FLOOD_MAX) instead of
 * growing with every store. Every store must land.
 */
#include "guest.h"
#include "paging.h"
#include "ptw.h"
#include "guest/umbra_abi.h"

#define VA		0x41123000u
#define STORES		100
#define FLOOD_MAX	5	/* Umbra's threshold (3) and a little */

static __attribute__((noinline)) void stores(uint32_t page)
{
	for (unsigned int i = 0; i < STORES; i++)
		((volatile uint32_t *)page)[i] = 0xdada0000u | i;
}

static void flood(const char *name, const char *how, uint32_t table, bool umbra)
{
	uint64_t w0 = 0, u0 = 0, w, u;
	bool data_ok = true;

	if (umbra) {
		w0 = ptw_counter(UMBRA_CTR_PT_WRITES);
		u0 = ptw_counter(UMBRA_CTR_PT_UNSHADOWED);
	}
	stores(table);
	if (umbra) {
		w = ptw_counter(UMBRA_CTR_PT_WRITES) - w0;
		u = ptw_counter(UMBRA_CTR_PT_UNSHADOWED) - u0;
	}
	for (unsigned int i = 0; i < STORES; i++)
		if (((volatile uint32_t *)table)[i] != (0xdada0000u | i))
			data_ok = false;
	CHECK(data_ok, "%s, %s: %u stores to the former page table landed", name, how, STORES);
	if (!umbra) {
		SKIP("%s, %s: emulated writes (not running under Umbra)", name, how);
		return;
	}
	gprintf("%s, %s: %u stores: %llu emulated page-table writes, %llu unshadowed\n", name,
		how, STORES, (unsigned long long)w, (unsigned long long)u);
	CHECK(w >= 1 && w <= FLOOD_MAX, "%s, %s: emulated page-table writes: between 1 and %u",
	      name, how, FLOOD_MAX);
	CHECK(u >= 1, "%s, %s: the table was unshadowed", name, how);
}

/* An address space whose page table for VA is in use: returns that table. */
static uint32_t table_in_use(const char *name, struct pg_space *as, enum pg_mode mode,
			     uint32_t frame)
{
	pg_space_init(as, mode);
	pg_map(as, VA, frame, 1, PTW_LEAF);
	pg_activate(as);
	pg_check_read(VA, *(volatile uint32_t *)frame, "%s: the page table is in use", name);
	return pg_entry_pa(as, VA, 2, false) ?
	       (uint32_t)(pg_get(as, VA, 2) & 0xfffff000u) : 0;
}

static void run(enum pg_mode mode, bool umbra)
{
	const char *name = pg_mode_name(mode);
	struct pg_space as, other;
	uint32_t frame = pg_alloc(), table;

	*(volatile uint32_t *)frame = 0x77770000u | (uint32_t)mode;

	/* Switched away from the address space. */
	pg_space_init(&other, mode);
	table = table_in_use(name, &as, mode, frame);
	pg_activate(&other);
	flood(name, "after a CR3 switch", table, umbra);
	pg_deactivate();

	/* Unmapped in the address space still in use. */
	table = table_in_use(name, &as, mode, frame);
	pg_set(&as, VA, 2, 0);
	pg_flush();
	pg_check_fault(VA, PG_READ, false, 0, "%s: the page table is unmapped", name);
	flood(name, "after unmapping it", table, umbra);
	pg_deactivate();
}

void guest_main(void)
{
	bool umbra;

	pg_init();
	umbra = ptw_umbra();
	gprintf("running under Umbra: %s\n", umbra ? "yes" : "no");
	run(PG_32, umbra);
	run(PG_PAE, umbra);
	if (pg_cpu.lm)
		run(PG_LM, umbra);
	else
		SKIP("4-level: no long mode");
}
