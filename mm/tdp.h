/*
 * Two-dimensional paging (TDP): the guest-physical -> host-physical tables the processor walks
 * under EPT (Intel) or NPT (AMD), built on demand from the guest RAM slots of mm/guest_mem.h.
 * The guest's own page tables are walked by the processor; Umbra only supplies this second
 * level. Vendor-neutral: the two entry formats are encoders (mm/tdp_format.c) picked by
 * tdp_caps.format, and nothing here calls a backend.
 *
 * Only guest RAM is mapped, plus a read-only page of all-ones for reads of guest-physical
 * memory that is neither RAM nor a device's MMIO range (as the shadow MMU does). MMIO ranges
 * are never mapped, so every access to them exits.
 */
#ifndef UMBRA_MM_TDP_H
#define UMBRA_MM_TDP_H

#include <stdbool.h>
#include <stdint.h>

struct guest_mem;
struct pmm;

enum tdp_format {
	TDP_FORMAT_EPT,		/* Intel extended page tables (SDM Vol. 3C 29.3) */
	TDP_FORMAT_NPT,		/* AMD nested page tables: long-mode entries (APM Vol. 2 15.25.5) */
};

/* What the processor's nested paging offers, as the backend found it. */
struct tdp_caps {
	enum tdp_format format;
	bool large_2m;		/* 2 MiB leaf entries in the page directory */
	bool ad_bits;		/* EPT: accessed/dirty flags enabled in EPTP (the CPU sets them) */
};

/* Access kinds of a TDP fault, and the rights of an entry. */
#define TDP_READ	(1u << 0)
#define TDP_WRITE	(1u << 1)
#define TDP_FETCH	(1u << 2)
#define TDP_RWX		(TDP_READ | TDP_WRITE | TDP_FETCH)

#define TDP_LEVELS	4	/* both formats: 4 levels of 512 8-byte entries */

/* ---- entry encoders (mm/tdp_format.c): pure, host-tested -------------------------------- */

/* An entry at level (2-4) that points to the table at hpa, allowing everything below. */
uint64_t tdp_encode_table(const struct tdp_caps *c, uint64_t hpa);
/* A leaf mapping hpa with rights (TDP_*): level 1 maps 4 KiB, level 2 maps 2 MiB. */
uint64_t tdp_encode_leaf(const struct tdp_caps *c, uint64_t hpa, unsigned level, unsigned rights);
bool tdp_entry_present(const struct tdp_caps *c, uint64_t e);
/* A present entry at level 2 or 3 that maps a page instead of a table. */
bool tdp_entry_large(const struct tdp_caps *c, uint64_t e);
/* The host-physical address of a present entry (the table, or the page at its level). */
uint64_t tdp_entry_addr(uint64_t e, unsigned level, bool leaf);
/* The TDP_* rights a present entry grants. */
unsigned tdp_entry_rights(const struct tdp_caps *c, uint64_t e);
/* Why a present entry at level is not one Umbra writes (NULL when it is well formed): EPT
 * misconfigurations (SDM Vol. 3C 29.3.3.1), reserved bits, a memory type other than WB. */
const char *tdp_entry_malformed(const struct tdp_caps *c, uint64_t e, unsigned level);

/* ---- the table builder (mm/tdp.c) ------------------------------------------------------- */

struct tdp_stats {
	uint64_t faults;		/* TDP faults (EPT violations, NPFs) seen */
	uint64_t maps_4k;		/* 4 KiB leaves installed */
	uint64_t maps_2m;		/* 2 MiB leaves installed */
	uint64_t table_pages;		/* table pages in use, the root included */
	uint64_t not_ram_reads;		/* faults mapped to the all-ones page */
	uint64_t mmio;			/* faults on a device's MMIO range */
	uint64_t spurious;		/* faults on an entry that already allowed the access */
	uint64_t resets;
};

struct tdp {
	struct guest_mem *mem;
	struct pmm *pmm;
	struct tdp_caps caps;
	uint64_t root;			/* host-physical address of the level-4 table */
	uint64_t ones_page;		/* read-only page of 0xff: what non-RAM reads see */
	bool need_flush;		/* entries were removed: flush (INVEPT, ASID) */
	struct tdp_stats stats;
};

enum tdp_result {
	TDP_MAPPED,		/* an entry now allows the access: the guest retries */
	TDP_SPURIOUS,		/* the entry already allowed it (a stale TLB entry): flush, retry */
	TDP_NOT_RAM,		/* gpa is not guest RAM: nothing mapped */
	TDP_NO_MEMORY,		/* no host page for a table */
};

/* Allocates the root and the all-ones page. False when memory runs out. */
bool tdp_init(struct tdp *t, struct guest_mem *mem, struct pmm *pmm, const struct tdp_caps *caps);
/* Maps the guest RAM page at gpa with every right; with large_ok, the whole 2 MiB region
 * around it in one entry when the CPU allows it, the region lies in one slot, and its host
 * address is 2 MiB aligned. The caller passes large_ok only when no MMIO range meets the
 * region. */
enum tdp_result tdp_map_ram(struct tdp *t, uint64_t gpa, unsigned access, bool large_ok);
/* Maps the page at gpa, which is not RAM, to the all-ones page for reads and fetches. */
enum tdp_result tdp_map_ones(struct tdp *t, uint64_t gpa, unsigned access);
/* The entries the processor would use for gpa, from level 4 down; returns how many levels
 * were read (the walk stops at a non-present or leaf entry). */
unsigned tdp_lookup(const struct tdp *t, uint64_t gpa, uint64_t entries[TDP_LEVELS]);
/* Drops every mapping (the guest restarts): tables go back to the allocator. */
void tdp_reset(struct tdp *t);

/* One inconsistency the audit found, as a line of text. */
typedef void (*tdp_audit_line)(void *ctx, const char *line);
/* Whether [gpa, gpa + len) meets a device's MMIO range (no entry may map one). */
typedef bool (*tdp_is_mmio)(void *ctx, uint64_t gpa, uint64_t len);

struct tdp_audit_report {
	unsigned entries, pages, violations;
};

/* Checks every entry: well formed, every leaf maps the host frame of its guest RAM page (or the
 * all-ones page, read-only, for what is not RAM), no leaf covers an MMIO range. */
void tdp_audit(const struct tdp *t, tdp_is_mmio is_mmio, void *mmio_ctx, tdp_audit_line line,
	       void *line_ctx, struct tdp_audit_report *out);

#endif
