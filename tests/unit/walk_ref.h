/*
 * Reference model of the guest page-table walk, for tests/unit/test_walk.c only.
 *
 * Written independently of mm/walk.c, from the Intel SDM Vol. 3A chapter 4: one explicit
 * function per paging mode that states, rule by rule, what the processor does. It reads guest
 * memory through the same struct walk_mem as the walker but never writes it: it predicts the
 * outcome (struct walk_result) and the accessed/dirty write-backs the walker must perform.
 */
#ifndef UMBRA_TESTS_UNIT_WALK_REF_H
#define UMBRA_TESTS_UNIT_WALK_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/walk.h"

/* One expected write-back of an accessed/dirty update: the whole entry, once. */
struct ref_write {
	uint64_t gpa;
	unsigned size;			/* 4 or 8: the entry size */
	uint64_t value;			/* the entry with A (and D) set */
};

struct ref_expect {
	struct walk_result r;		/* the fields the header documents, as predicted */
	/* Levels whose entry was read: top_read down to low_read (inclusive); pte[] and
	 * pte_gpa[] are only defined for these. top_read = 0 when nothing was read. */
	unsigned top_read, low_read;
	unsigned nwrites;
	struct ref_write writes[WALK_MAX_LEVELS];
};

void ref_walk(const struct walk_request *req, const struct walk_mem *mem, struct ref_expect *exp);

#endif
