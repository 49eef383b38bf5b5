/*
 * pg_large_dirty: the dirty flag of a large page (SDM Vol. 3A 4.8). A write anywhere in a 4 MiB
 * or 2 MiB page sets D in the entry that maps it, however the translation is cached, and a
 * guest that clears D and invalidates the page (INVLPG of any address in it, or a CR3 write:
 * SDM 4.10.4.1) sees D set again by its next write to any part of the page. Reads alone leave D
 * clear. A second mapping of the same frames has its own D flag: writes through the first never
 * set it, and a write through it must.
 */
#include "guest.h"
#include "lib/format.h"
#include "paging.h"

static bool dirty(const struct pg_space *as, uint64_t va)
{
	return pg_get(as, va, 2) & PTE_D;
}

static void write_at(uint64_t va)
{
	pg_probe(va, PG_WRITE, false, (uint32_t)va);
}

static void read_at(uint64_t va)
{
	pg_probe(va, PG_READ, false, 0);
}

/* Clears D (keeps A) in the large entry of va, as an OS scanning dirty pages would. */
static void clean(const struct pg_space *as, uint64_t va)
{
	pg_set(as, va, 2, pg_get(as, va, 2) & ~PTE_D);
}

static void run(enum pg_mode mode, uint64_t va, uint64_t alias, uint32_t size)
{
	const char *name = pg_mode_name(mode);
	struct pg_space as;

	pg_space_init(&as, mode);
	pg_map(&as, va, PG_LARGE_PA, 2, PTE_P | PTE_W);
	pg_map(&as, alias, PG_LARGE_PA, 2, PTE_P | PTE_W);
	pg_activate(&as);

	read_at(va);
	read_at(va + 0x1000);
	read_at(va + 0x2000);
	CHECK(!dirty(&as, va), "%s: reads of three 4 KiB parts leave the large page clean", name);
	write_at(va + 0x1000);
	CHECK(dirty(&as, va), "%s: a write to a part read before sets D", name);
	write_at(va + 0x2000);
	write_at(va + size - 4);

	clean(&as, va);
	pg_invlpg(va);
	read_at(va);
	CHECK(!dirty(&as, va), "%s: D cleared, INVLPG, a read: still clean", name);
	write_at(va + 0x2000);
	CHECK(dirty(&as, va), "%s: D cleared, INVLPG: a write to another part sets D again", name);

	clean(&as, va);
	pg_flush();
	read_at(va + 0x3000);
	write_at(va + size - 4);
	CHECK(dirty(&as, va), "%s: D cleared, CR3 written: a write to the last part sets D again",
	      name);

	/* The alias maps the same frames with its own, still clear, D flag. */
	read_at(alias + 0x2000);
	CHECK(!dirty(&as, alias), "%s: the alias of a dirty page reads clean", name);
	write_at(alias + 0x2000);
	CHECK(dirty(&as, alias), "%s: a write through the alias sets the alias's D", name);
	pg_deactivate();
}

void guest_main(void)
{
	unsigned long cr4 = read_cr4();

	pg_init();
	if (pg_cpu.pse) {
		write_cr4(cr4 | CR4_PSE);
		run(PG_32, 0x41000000ull, 0x45000000ull, 0x400000);
		write_cr4(cr4);
	} else {
		SKIP("no PSE");
	}
	run(PG_PAE, 0x41000000ull, 0x45000000ull, 0x200000);
	if (pg_cpu.lm)
		run(PG_LM, 0xffff800041000000ull, 0x0000004045000000ull, 0x200000);
	else
		SKIP("no long mode");
}
