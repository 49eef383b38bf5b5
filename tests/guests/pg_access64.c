/* pg_access64: the permission and error-code matrix of 4-level paging (SDM Vol. 3A 4.5, 4.6,
 * 4.7): every bit at every level, NX, reserved bits, 2 MiB and 1 GiB pages, A/D bits.
 * r w x: supervisor; R W X: user. */
#include "guest.h"
#include "pg_rows.h"

static const struct pg_row rows[] = {
	/*  cfg        accesses  PML4E         PDPTE         PDE           PTE */
	ROW(0,         "rwxRWX", PWU,          PWU,          PWU,          PWU),
	/* U/S at each level */
	ROW(0,         "rRX",    P | W,        PWU,          PWU,          PWU),
	ROW(0,         "rRW",    PWU,          P | W,        PWU,          PWU),
	ROW(0,         "rR",     PWU,          PWU,          P | W,        PWU),
	ROW(0,         "rR",     PWU,          PWU,          PWU,          P | W),
	/* R/W at each level, CR0.WP off and on */
	ROW(0,         "wW",     P | U,        PWU,          PWU,          PWU),
	ROW(WP,        "wWR",    P | U,        PWU,          PWU,          PWU),
	ROW(WP,        "wW",     PWU,          P | U,        PWU,          PWU),
	ROW(WP,        "wW",     PWU,          PWU,          P | U,        PWU),
	ROW(0,         "wW",     PWU,          PWU,          PWU,          P | U),
	ROW(WP,        "wW",     PWU,          PWU,          PWU,          P | U),
	/* NX at each level */
	ROW(NXE,       "xX",     PWU | NX,     PWU,          PWU,          PWU),
	ROW(NXE,       "xX",     PWU,          PWU | NX,     PWU,          PWU),
	ROW(NXE,       "xXr",    PWU,          PWU,          PWU | NX,     PWU),
	ROW(NXE,       "xXW",    PWU,          PWU,          PWU,          PWU | NX),
	ROW(0,         "rX",     PWU | NX,     PWU,          PWU,          PWU),
	ROW(0,         "r",      PWU,          PWU,          PWU,          PWU | NX),
	/* not present at each level */
	ROW(NXE,       "rwxRWX", 0,            PWU,          PWU,          PWU),
	ROW(0,         "rW",     PWU,          0,            PWU,          PWU),
	ROW(NXE,       "rX",     PWU,          PWU,          0,            PWU),
	ROW(0,         "wR",     PWU,          PWU,          PWU,          0),
	/* reserved bits: MAXPHYADDR at each level, PS in a PML4E */
	ROW(0,         "rW",     PWU | RV,     PWU,          PWU,          PWU),
	ROW(NXE,       "rX",     PWU,          PWU | RV,     PWU,          PWU),
	ROW(0,         "w",      PWU,          PWU,          PWU | RV,     PWU),
	ROW(0,         "R",      PWU,          PWU,          PWU,          PWU | RV),
	ROW(0,         "rW",     PWU | PS,     PWU,          PWU,          PWU),
	/* reserved beats not-present below, not-present beats reserved below */
	ROW(0,         "r",      PWU,          PWU | RV,     0,            PWU),
	ROW(0,         "r",      PWU,          0,            PWU | RV,     PWU),
	/* user-only combinations */
	ROW(WP,        "rwRW",   P | U,        P | W,        PWU,          PWU),
	/* A/D preset */
	ROW(0,         "rw",     PWU | A,      PWU | A,      PWU | A,      PWU | A | D),
	/* 2 MiB pages */
	ROW(0,         "rwxRWX", PWU,          PWU,          PWU | PS),
	ROW(WP,        "wWR",    PWU,          PWU,          P | U | PS),
	ROW(NXE,       "xXr",    PWU,          PWU,          PWU | PS | NX),
	ROW(0,         "rW",     PWU,          PWU,          PWU | PS | (1ull << 13)),
	ROW(0,         "R",      PWU,          P | W,        PWU | PS),
	/* 1 GiB pages */
	ROW(G1,        "rwxRWX", PWU,          PWU | PS),
	ROW(G1 | WP,   "wWR",    PWU,          P | U | PS),
	ROW(G1 | NXE,  "xXr",    PWU,          PWU | PS | NX),
	ROW(G1,        "rW",     PWU,          PWU | PS | (1ull << 13)),
	ROW(G1,        "R",      P | W,        PWU | PS),
	/* SMEP */
	ROW(SMEP,      "xX",     PWU,          PWU,          PWU,          PWU),
	ROW(SMEP | NXE, "xX",    PWU,          PWU,          PWU,          PWU),
	ROW(SMEP,      "x",      P | W,        PWU,          PWU,          PWU),
	ROW(SMEP,      "x",      PWU,          PWU,          PWU,          P | W),
};

void guest_main(void)
{
	pg_init();
	if (!pg_cpu.lm) {
		SKIP("no long mode");
		return;
	}
	pg_run_rows("64", PG_LM, ROWS(rows));
}
