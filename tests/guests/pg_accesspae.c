/* pg_accesspae: the permission and error-code matrix of PAE paging (SDM Vol. 3A 4.4, 4.6, 4.7):
 * NX with EFER.NXE, reserved bits, 2 MiB pages, A/D bits. r w x: supervisor; R W X: user. */
#include "guest.h"
#include "pg_rows.h"

static const struct pg_row rows[] = {
	/*  cfg        accesses  PDPTE  PDE               PTE */
	ROW(0,         "rwxRWX", P,     PWU,              PWU),
	ROW(0,         "rwRW",   P,     PWU,              P | W),
	ROW(0,         "wW",     P,     PWU,              P | U),
	ROW(WP,        "wW",     P,     PWU,              P | U),
	ROW(WP,        "rwW",    P,     P | U,            PWU),
	ROW(0,         "rR",     P,     P | W,            PWU),
	ROW(NXE,       "xXrR",   P,     PWU,              PWU),
	ROW(NXE,       "xXrR",   P,     PWU,              PWU | NX),
	ROW(NXE | WP,  "xXw",    P,     PWU | NX,         PWU),
	ROW(0,         "rX",     P,     PWU,              PWU | NX),
	ROW(0,         "xR",     P,     PWU | NX,         PWU),
	ROW(0,         "rwxRWX", 0,     PWU,              PWU),
	ROW(NXE,       "rwxRWX", P,     0,                PWU),
	ROW(NXE,       "rxW",    P,     PWU,              0),
	ROW(NXE,       "rWX",    P,     PWU,              PWU | RV),
	ROW(0,         "rw",     P,     PWU,              PWU | A | D),
	/* 2 MiB pages; bits 20:13 of a 2 MiB PDE are reserved. */
	ROW(0,         "rwxRWX", P,     PWU | PS),
	ROW(WP,        "wWR",    P,     P | U | PS),
	ROW(NXE,       "xXr",    P,     PWU | PS | NX),
	ROW(0,         "rW",     P,     PWU | PS | RV),
	ROW(0,         "rX",     P,     PWU | PS | (1ull << 13)),
	ROW(0,         "w",      P,     PWU | PS | A | D),
	/* SMEP */
	ROW(SMEP,      "xX",     P,     PWU,              PWU),
	ROW(SMEP | NXE, "xX",    P,     PWU,              PWU),
	ROW(SMEP,      "x",      P,     P | W,            PWU),
};

void guest_main(void)
{
	pg_init();
	pg_run_rows("pae", PG_PAE, ROWS(rows));
}
