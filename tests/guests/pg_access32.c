/* pg_access32: the permission and error-code matrix of 32-bit paging (SDM Vol. 3A 4.3, 4.6,
 * 4.7), with A/D bits after every successful access. r w x: supervisor; R W X: user. */
#include "guest.h"
#include "pg_rows.h"

static const struct pg_row rows[] = {
	/*  cfg   accesses  PDE            PTE */
	ROW(0,    "rwxRWX", PWU,           PWU),
	ROW(0,    "rwRW",   PWU,           P | W),
	ROW(0,    "rwRW",   PWU,           P | U),
	ROW(WP,   "rwRW",   PWU,           P | U),
	ROW(WP,   "wW",     P | U,         PWU),
	ROW(0,    "wW",     P | U,         PWU),
	ROW(0,    "rR",     P | W,         PWU),
	ROW(0,    "rR",     P,             P),
	ROW(WP,   "rwxRWX", 0,             PWU),
	ROW(0,    "rwxRW",  PWU,           0),
	ROW(0,    "rw",     PWU,           PWU | A | D),
	ROW(0,    "rW",     PWU | A,       PWU | A),
	/* 4 MiB pages (CR4.PSE); bit 21 of a 4 MiB PDE is reserved. */
	ROW(0,    "rwxRWX", PWU | PS),
	ROW(0,    "rR",     P | W | PS),
	ROW(WP,   "wW",     P | U | PS),
	ROW(0,    "w",      P | U | PS),
	ROW(0,    "rW",     PWU | PS | RV),
	ROW(0,    "wX",     PS),
	/* SMEP: supervisor fetches from user pages fault, with I/D set even without PAE. */
	ROW(SMEP, "xX",     PWU,           PWU),
	ROW(SMEP, "x",      PWU,           P | W),
	ROW(SMEP, "x",      P | W,         PWU),
	ROW(SMEP, "x",      PWU,           0),
};

void guest_main(void)
{
	pg_init();
	pg_run_rows("32", PG_32, ROWS(rows));
}
