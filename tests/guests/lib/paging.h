/*
 * Guest paging library: page tables for 32-bit, PAE and 4-level paging built from a bump
 * allocator, switches between the paging modes (long mode included), and access probes that
 * read, write or fetch at a linear address as supervisor or user and report the fault.
 *
 * The guest code stays 32-bit throughout: in long mode it runs in compatibility mode, and the
 * probes that need 64-bit addresses run in small 64-bit stubs (pg_stubs.S).
 */
#ifndef GUEST_PAGING_H
#define GUEST_PAGING_H

#include <stdbool.h>
#include <stdint.h>
#include "fault.h"

/* Paging-structure entry bits (SDM Vol. 3A 4.3-4.5, tables 4-4 to 4-20). */
#define PTE_P		(1ull << 0)
#define PTE_W		(1ull << 1)
#define PTE_U		(1ull << 2)
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_A		(1ull << 5)
#define PTE_D		(1ull << 6)
#define PTE_PS		(1ull << 7)
#define PTE_G		(1ull << 8)
#define PTE_NX		(1ull << 63)
/* Not a real bit: pg_chain_set() replaces it by a bit reserved in that entry (bit MAXPHYADDR
 * in PAE and 4-level entries, bit 21 in a 32-bit 4 MiB PDE). */
#define PTE_RSVD	(1ull << 62)

enum pg_mode { PG_OFF, PG_32, PG_PAE, PG_LM };

enum pg_access { PG_READ, PG_WRITE, PG_FETCH, PG_INVLPG };

/* Linear and physical memory the library uses. */
#define PG_IDMAP_END	0x02000000u	/* [0, 32 MiB) identity mapped with 4 KiB pages */
#define PG_POOL_START	0x00200000u	/* page-table and frame pool: [2 MiB, 16 MiB) */
#define PG_POOL_END	0x01000000u
#define PG_LARGE_PA	0x01000000u	/* a 4 MiB-aligned frame region, [16 MiB, 20 MiB) */
#define PG_TARGET_PA	0x01123000u	/* the page every matrix probe reaches (filled with RET) */

/* One address space: its mode and the physical address CR3 takes. */
struct pg_space {
	enum pg_mode mode;
	uint32_t root;
};

/* Paging features of the CPU (CPUID). */
struct pg_cpu {
	bool pse, pae, pge, nx, lm, page1g, smep, smap;
	unsigned int maxphyaddr;
};
extern struct pg_cpu pg_cpu;

/* The outcome of one probe. */
struct pg_result {
	bool faulted;
	uint8_t vector;
	uint32_t error;
	uint64_t cr2;
	uint32_t value;		/* what a read returned */
};

/* Loads the library's GDT (user segments, TSSs) and IDT, reads CPUID, resets the pool. */
void pg_init(void);

/* A zeroed 4 KiB page from the pool (physical = linear while identity mapped). */
uint32_t pg_alloc(void);

/* Creates an address space of mode with [0, PG_IDMAP_END) identity mapped, supervisor-only
 * except the library's user code and stack pages. Build it while paging is off or while it is
 * not current, to keep the build cheap. */
void pg_space_init(struct pg_space *as, enum pg_mode mode);
/* Creates an address space whose top-level table sits at root (32-byte aligned for PAE). */
void pg_space_init_at(struct pg_space *as, enum pg_mode mode, uint32_t root);

/* Levels: 1 = PTE, 2 = PDE, 3 = PDPTE, 4 = PML4E. The top level of a mode. */
int pg_top_level(enum pg_mode mode);
/* Index of va's entry at level in mode. */
unsigned int pg_index(enum pg_mode mode, uint64_t va, int level);
/* Physical address of va's entry at level; the tables above are created (P|W|U, or P for a
 * PAE PDPTE) when create is set and they are missing; 0 if missing and !create. */
uint32_t pg_entry_pa(const struct pg_space *as, uint64_t va, int level, bool create);
uint64_t pg_get(const struct pg_space *as, uint64_t va, int level);
void pg_set(const struct pg_space *as, uint64_t va, int level, uint64_t value);
/* Raw entry access at a physical address, 4 or 8 bytes by mode. */
uint64_t pg_read_pte(enum pg_mode mode, uint32_t pa);
void pg_write_pte(enum pg_mode mode, uint32_t pa, uint64_t value);

/* Maps va to pa with a leaf at level (1: 4 KiB, 2: 2/4 MiB, 3: 1 GiB; PS is added). */
void pg_map(const struct pg_space *as, uint64_t va, uint64_t pa, int level, uint64_t flags);

/*
 * Sets the entries of va's walk from the top level down: flags[0] for the top level, and so on
 * until an entry with PS or level 1. Tables keep their addresses (created on first use); the
 * leaf maps leaf_pa. PTE_RSVD is replaced by a reserved bit. Returns the number of entries set.
 */
int pg_chain_set(const struct pg_space *as, uint64_t va, const uint64_t *flags, uint64_t leaf_pa);

/* Makes as current, switching modes through paging off when its mode differs. */
void pg_activate(const struct pg_space *as);
/* Turns paging off (and leaves long mode). */
void pg_deactivate(void);
enum pg_mode pg_current_mode(void);
const char *pg_mode_name(enum pg_mode mode);

/* CR3 reload (flushes non-global translations); INVLPG of va in the current mode. */
void pg_flush(void);
void pg_invlpg(uint64_t va);
/* EFER.NXE on or off (no-op without NX). */
void pg_set_nxe(bool on);

/* Reads, writes (value) or fetches (calls va, which must hold RET) at va, at CPL 0 or 3. */
struct pg_result pg_probe(uint64_t va, enum pg_access kind, bool user, uint32_t value);

/* A probe result as a struct fault, for CHECK_FAULT and CHECK_NO_FAULT. */
static inline struct fault pg_fault(struct pg_result r)
{
	struct fault f = { .faulted = r.faulted, .vector = r.vector, .error = r.error,
			   .cr2 = (uint32_t)r.cr2 };

	return f;
}

/* "#PF 0x7", "no fault": a short text for a result or an expectation. */
void pg_result_text(char *buf, unsigned int size, bool faulted, uint8_t vector, uint32_t error);

/* Checks that a supervisor read of va gives expected, or that an access faults with #PF
 * error code error and CR2 = va; the description is a printf format. */
bool pg_check_read(uint64_t va, uint32_t expected, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool pg_check_fault(uint64_t va, enum pg_access kind, bool user, uint32_t error,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---- The access-matrix interpreter ---- */

/* Row configuration bits. */
#define PG_CFG_WP	(1u << 0)	/* CR0.WP = 1 */
#define PG_CFG_NXE	(1u << 1)	/* EFER.NXE = 1 (row skipped without NX) */
#define PG_CFG_SMEP	(1u << 2)	/* CR4.SMEP = 1 (row skipped without SMEP) */
#define PG_CFG_1G	(1u << 3)	/* needs 1 GiB pages (row skipped without them) */
#define PG_CFG_NOAD	(1u << 4)	/* do not check A/D bits after the accesses */

/*
 * One row: the entries of the walk for the mode's probe address (top level first, up to the
 * first with PS or level 1), the configuration, and the accesses to try, each a letter:
 * r w x as supervisor, R W X as user. Every access starts from freshly written entries and a
 * CR3 reload; the expected outcome and the A/D bits afterwards come from pg_predict().
 */
struct pg_row {
	uint64_t e[4];
	uint32_t cfg;
	const char *acc;
};

/* The expectation for one access under a row, from the SDM's rules (Vol. 3A 4.6, 4.7). */
struct pg_expect {
	bool faulted;
	uint32_t error;		/* #PF error code */
	int leaf;		/* index in e[] of the leaf entry */
};
struct pg_expect pg_predict(enum pg_mode mode, const struct pg_row *row, char acc);

/* The probe address of each mode: all reach PG_TARGET_PA with any leaf size. */
uint64_t pg_probe_va(enum pg_mode mode);

/* Runs rows in mode, from paging off, and returns to paging off. name prefixes every line. */
void pg_run_rows(const char *name, enum pg_mode mode, const struct pg_row *rows, unsigned int n);

#endif
