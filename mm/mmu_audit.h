/* The shadow MMU audit: checks every shadow entry against the guest's own tables, read-only. */
#ifndef UMBRA_MM_MMU_AUDIT_H
#define UMBRA_MM_MMU_AUDIT_H

#include "mm/mmu.h"
#include "mm/paging_mode.h"

/* At most this many violation lines are reported per audit; all are counted. */
#define MMU_AUDIT_MAX_LINES	20
/* The longest line reported, terminating NUL included. */
#define MMU_AUDIT_LINE_MAX	160

struct mmu_audit_report {
	unsigned checked_sptes;		/* present shadow entries reached from the current root */
	unsigned checked_pages;		/* shadow pages in the cache whose entries were checked */
	unsigned violations;		/* every violation found, reported or not */
};

/*
 * Checks the shadow tables of m against the guest state ps and guest memory, and calls
 * report(ctx, line) for each of the first MMU_AUDIT_MAX_LINES violations (one line, no
 * newline, starting with the check's tag: "root", "role", "stale", "frame", "rights", "wp" or
 * "rmap"). Fills *out with the totals. Changes nothing, in the MMU or in guest memory.
 * report may be NULL to only count.
 */
void mmu_audit(struct mmu *m, const struct paging_state *ps,
	       void (*report)(void *ctx, const char *line), void *ctx,
	       struct mmu_audit_report *out);

#endif
