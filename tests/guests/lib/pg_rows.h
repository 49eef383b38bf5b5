/* Short names for the access-matrix tables of pg_access*.c (see struct pg_row in paging.h). */
#ifndef GUEST_PG_ROWS_H
#define GUEST_PG_ROWS_H

#include "paging.h"

#define P	PTE_P
#define W	PTE_W
#define U	PTE_U
#define A	PTE_A
#define D	PTE_D
#define PS	PTE_PS
#define NX	PTE_NX
#define RV	PTE_RSVD
#define PWU	(P | W | U)

#define WP	PG_CFG_WP
#define NXE	PG_CFG_NXE
#define SMEP	PG_CFG_SMEP
#define G1	PG_CFG_1G

/* ROW(configuration, accesses, entries from the top level down) */
#define ROW(cfg_, acc_, ...)	{ .e = { __VA_ARGS__ }, .cfg = (cfg_), .acc = (acc_) }

#define ROWS(t)	(t), (unsigned int)(sizeof(t) / sizeof((t)[0]))

#endif
