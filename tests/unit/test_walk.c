/*
 * Exhaustive host test of the guest page-table walker (mm/walk.c) against an independent
 * reference model (tests/unit/walk_ref.c, written from the Intel SDM Vol. 3A chapter 4).
 *
 * A fake guest memory (a few 4 KiB pages, every other address not RAM) logs every write. For each
 * paging mode a chain of page tables maps a chosen linear address; the test enumerates the bits
 * of the entries (P, R/W, U/S, A, D, XD, G, PS, reserved and ignored bits, at the leaf and at an
 * upper level), the access (read, write, fetch; user, supervisor, implicit supervisor; EFLAGS.AC),
 * CR0.WP, EFER.NXE, CR4.SMEP, CR4.SMAP, MAXPHYADDR, PSE-36 and 1 GiB page support, and compares
 * the walker's result and A/D write-backs with the model's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/cr.h"
#include "arch/msr.h"
#include "mm/mmu.h"
#include "mm/walk.h"
#include "tests/unit/walk_ref.h"

#define BIT(n)		(1ULL << (n))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE		4096u

#define E_P	BIT(0)
#define E_RW	BIT(1)
#define E_US	BIT(2)
#define E_PWT	BIT(3)
#define E_PCD	BIT(4)
#define E_A	BIT(5)
#define E_D	BIT(6)
#define E_PS	BIT(7)
#define E_G	BIT(8)
#define E_XD	BIT(63)

#define MAX_MISMATCHES	20

/* ------------------------------------------------------------------------------------------ */
/* Fake guest-physical memory: a sparse set of pages, with a log of every write. */

#define FM_PAGES	32
#define FM_LOG		16

struct fm_write {
	uint64_t gpa;
	unsigned len;
	uint64_t value;
};

struct fake_mem {
	unsigned npages;
	uint64_t gpa[FM_PAGES];
	uint8_t data[FM_PAGES][PAGE];
	uint8_t pte_size[FM_PAGES];	/* entry size of the table on this page, for poisoning */
	struct fm_write log[FM_LOG];
	unsigned nlog;
	bool log_bad;			/* a write too big to log, or too many writes */
};

static struct fake_mem fm;

/* Entries not part of the chain: not present (P = 0) with a recognisable pattern, so a walker
 * that reads the wrong index faults and shows a foreign pte[]. */
#define POISON32	0x0bad0ba0u
#define POISON64	0x0bad0bad0bad0ba0ULL
#define NOT_RAM32	0x66666000ULL
#define NOT_RAM64	0x666666000ULL

static int fm_find(uint64_t gpa, unsigned len)
{
	unsigned i;

	for (i = 0; i < fm.npages; i++)
		if (gpa >= fm.gpa[i] && gpa - fm.gpa[i] < PAGE && gpa - fm.gpa[i] + len <= PAGE)
			return (int)i;
	return -1;
}

static bool fm_read(void *ctx, uint64_t gpa, void *buf, unsigned len)
{
	int i = fm_find(gpa, len);

	(void)ctx;
	if (i < 0)
		return false;
	memcpy(buf, &fm.data[i][gpa - fm.gpa[i]], len);
	return true;
}

static bool fm_write(void *ctx, uint64_t gpa, const void *buf, unsigned len)
{
	int i = fm_find(gpa, len);

	(void)ctx;
	if (fm.nlog < FM_LOG && len <= 8) {
		struct fm_write *w = &fm.log[fm.nlog++];

		w->gpa = gpa;
		w->len = len;
		w->value = 0;
		memcpy(&w->value, buf, len);	/* little endian, like the guest */
	} else {
		fm.log_bad = true;
	}
	if (i < 0)
		return false;
	memcpy(&fm.data[i][gpa - fm.gpa[i]], buf, len);
	return true;
}

static const struct walk_mem fm_mem = { .read = fm_read, .write = fm_write, .ctx = NULL };

static void fm_poison_page(unsigned i)
{
	unsigned off;

	for (off = 0; off < PAGE; off += fm.pte_size[i]) {
		if (fm.pte_size[i] == 4) {
			uint32_t v = POISON32;

			memcpy(&fm.data[i][off], &v, 4);
		} else {
			uint64_t v = POISON64;

			memcpy(&fm.data[i][off], &v, 8);
		}
	}
}

static void fm_add(uint64_t gpa, unsigned pte_size)
{
	if (fm_find(gpa, 1) >= 0)
		return;
	assert_true(fm.npages < FM_PAGES);
	fm.gpa[fm.npages] = gpa;
	fm.pte_size[fm.npages] = (uint8_t)pte_size;
	fm_poison_page(fm.npages);
	fm.npages++;
}

static void fm_poison_all(void)
{
	unsigned i;

	for (i = 0; i < fm.npages; i++)
		fm_poison_page(i);
}

static void fm_put(uint64_t gpa, unsigned size, uint64_t v)
{
	int i = fm_find(gpa, size);

	if (i < 0)
		return;		/* the table was made not-RAM for this case */
	memcpy(&fm.data[i][gpa - fm.gpa[i]], &v, size);
}

/* ------------------------------------------------------------------------------------------ */
/* Page-table chains. */

struct chain {
	const char *name;
	enum paging_mode mode;
	bool pse;			/* CR4.PSE (32-bit paging) */
	unsigned levels;		/* 2, 3, 4 */
	unsigned leaf;			/* leaf level: 1 (4 KiB), 2 (2/4 MiB), 3 (1 GiB) */
	unsigned esize;			/* 4 or 8 */
	uint64_t table[WALK_MAX_LEVELS];/* gpa of the table that holds the level-L entries (PAE: [3]
					 * is a decoy PDPT in memory, CR3 points to it) */
	uint64_t frame;			/* the leaf frame, below 2^35 (bit M-1 is added) */
	uint64_t addrs[4];
	unsigned naddrs;
};

static const struct chain chains[] = {
	{ "32-bit PSE=0 4K", PAGING_32, false, 2, 1, 4,
	  { 0, 0x7fffe000, 0x00fed000 }, 0xabcde000,
	  { 0xdeadbeef, 0x00401ffc, 0xffffffff }, 3 },
	{ "32-bit PSE=1 4K", PAGING_32, true, 2, 1, 4,
	  { 0, 0x00456000, 0x00123000 }, 0x13579000,
	  { 0xdeadbeef, 0x80000123, 0x00000000 }, 3 },
	{ "32-bit PSE=1 4M", PAGING_32, true, 2, 2, 4,
	  { 0, 0, 0x00789000 }, 0xc8400000,
	  { 0xdeadbeef, 0x7fc01234 }, 2 },
	{ "PAE 4K", PAGING_PAE, false, 3, 1, 8,
	  { 0, 0x01234000, 0x987654000, 0x00abc000 }, 0x234567000,
	  { 0xc0ffee12, 0x41234567, 0x87654321, 0x00123456 }, 4 },
	{ "PAE 2M", PAGING_PAE, false, 3, 2, 8,
	  { 0, 0, 0x555555000, 0x00abd000 }, 0x234600000,
	  { 0x0fedcba9, 0x5a5a5a5a, 0xb7654321, 0xfeedf00d }, 4 },
	{ "4-level 4K", PAGING_4LEVEL, false, 4, 1, 8,
	  { 0, 0xfffffe000, 0x07ffff000, 0x345678000, 0x01000000 }, 0x123456000,
	  { 0x00007f123456789aULL, 0xffff8a5bc3d4e567ULL }, 2 },
	{ "4-level 2M", PAGING_4LEVEL, false, 4, 2, 8,
	  { 0, 0, 0xabcdef000, 0x300001000, 0x02000000 }, 0x123400000,
	  { 0x00000000deadbeefULL, 0xffffffff80001234ULL }, 2 },
	{ "4-level 1G", PAGING_4LEVEL, false, 4, 3, 8,
	  { 0, 0, 0, 0x400002000, 0x03000000 }, 0x2c0000000,
	  { 0x00005555aaaa5555ULL, 0xffffc90012345678ULL }, 2 },
};

static const uint32_t access_kinds[] = {
	0, WALK_WRITE, WALK_FETCH,
	WALK_USER, WALK_USER | WALK_WRITE, WALK_USER | WALK_FETCH,
	WALK_USER | WALK_RFLAGS_AC | WALK_WRITE,
	WALK_RFLAGS_AC, WALK_RFLAGS_AC | WALK_WRITE, WALK_RFLAGS_AC | WALK_FETCH,
	WALK_IMPLICIT, WALK_IMPLICIT | WALK_WRITE,
	WALK_IMPLICIT | WALK_RFLAGS_AC, WALK_IMPLICIT | WALK_RFLAGS_AC | WALK_WRITE, WALK_IMPLICIT | WALK_USER, WALK_IMPLICIT | WALK_USER | WALK_WRITE,
};

static const uint8_t maxphyaddrs[] = { 36, 40, 46, 52 };

/* Control-register combinations: bit 0 CR0.WP, 1 EFER.NXE, 2 CR4.SMEP, 3 CR4.SMAP. */
#define CRS_WP		1u
#define CRS_NXE		2u
#define CRS_SMEP	4u
#define CRS_SMAP	8u
#define CRS_ALL		16u

static unsigned index_of(const struct chain *c, unsigned level, uint64_t addr)
{
	if (c->mode == PAGING_32)
		return level == 2 ? (unsigned)(addr >> 22) & 0x3ff : (unsigned)(addr >> 12) & 0x3ff;
	if (c->mode == PAGING_PAE && level == 3)
		return (unsigned)(addr >> 30) & 3;
	return (unsigned)(addr >> (12 + 9 * (level - 1))) & 0x1ff;
}

/* The address field of the leaf: the frame, with physical-address bit M-1 (8-byte entries) or,
 * for a 4 MiB page with PSE-36, PA bits 32 and min(M, 40) - 1 in PDE bits 20:13. */
static uint64_t leaf_frame(const struct chain *c, unsigned m, bool pse36)
{
	if (c->esize == 8)
		return c->frame | BIT(m - 1);
	if (c->leaf == 2 && pse36) {
		unsigned top = (m < 40 ? m : 40) - 1;

		return c->frame | BIT(13) | BIT(13 + top - 32);
	}
	return c->frame;
}

/* One case: the chain, its entries and tables, the request. */
struct walk_case {
	const struct chain *c;
	uint64_t table[WALK_MAX_LEVELS];
	uint64_t ent[WALK_MAX_LEVELS];
	struct walk_request req;
};

/* The default entry of a level: the address of the next table (or the leaf frame) with P, R/W,
 * U/S and A (PAE PDPTE: P only), PS for a large leaf. */
static uint64_t default_entry(const struct walk_case *k, unsigned level, unsigned m, bool pse36)
{
	const struct chain *c = k->c;

	if (c->mode == PAGING_PAE && level == 3)
		return k->table[2] | E_P;
	if (level > c->leaf)
		return k->table[level - 1] | E_P | E_RW | E_US | E_A;
	return leaf_frame(c, m, pse36) | E_P | E_RW | E_US | E_A | (c->leaf > 1 ? E_PS : 0);
}

static void make_request(struct walk_case *k, unsigned crs, uint32_t access, unsigned m,
			 uint64_t addr, unsigned variant)
{
	const struct chain *c = k->c;
	struct walk_request *req = &k->req;

	memset(req, 0, sizeof(*req));
	req->ps.cr0 = CR0_PE | CR0_ET | CR0_PG | ((crs & CRS_WP) ? CR0_WP : 0);
	req->ps.cr4 = ((crs & CRS_SMEP) ? CR4_SMEP : 0) | ((crs & CRS_SMAP) ? CR4_SMAP : 0);
	/* CR4.PGE does not change what the walk reports; vary it. */
	if (variant & 2)
		req->ps.cr4 |= CR4_PGE;
	req->ps.efer = (crs & CRS_NXE) ? EFER_NXE : 0;
	switch (c->mode) {
	case PAGING_32:
		if (c->pse)
			req->ps.cr4 |= CR4_PSE;
		break;
	case PAGING_PAE:
		/* CR4.PSE is ignored with PAE: vary it. */
		req->ps.cr4 |= CR4_PAE | ((variant & 1) ? CR4_PSE : 0);
		break;
	case PAGING_4LEVEL:
		req->ps.cr4 |= CR4_PAE | ((variant & 1) ? CR4_PSE : 0);
		req->ps.efer |= EFER_LME | EFER_LMA;
		break;
	default:
		break;
	}
	/* CR3: the top table, with PWT/PCD sometimes set (not address bits). */
	req->ps.cr3 = k->table[c->levels] | ((variant & 4) ? (E_PWT | E_PCD) : 0);
	req->addr = addr;
	req->access = access;
	req->maxphyaddr = (uint8_t)m;
	req->pse36 = true;
	req->gb_pages = true;
	req->set_ad = true;
}

/* ------------------------------------------------------------------------------------------ */
/* Running and comparing. */

static unsigned long cases;
static unsigned mismatches;

/* Outcome counts (as predicted), to show the enumeration reaches every kind of result. */
enum { OUT_OK, OUT_NOT_PRESENT, OUT_RSVD, OUT_PROTECTION, OUT_NOT_RAM, OUT_AD_WRITES, OUT_N };
static unsigned long outcomes[OUT_N];

static const char *mode_name(enum paging_mode mode)
{
	switch (mode) {
	case PAGING_OFF:
		return "off";
	case PAGING_32:
		return "32-bit";
	case PAGING_PAE:
		return "PAE";
	case PAGING_4LEVEL:
		return "4-level";
	}
	return "?";
}

static void access_name(uint32_t a, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s%s%s", (a & WALK_FETCH) ? "fetch" : (a & WALK_WRITE) ? "write" : "read",
		 (a & WALK_USER) ? " user" : "", (a & WALK_IMPLICIT) ? " implicit-supervisor" :
		 (a & WALK_USER) ? "" : " supervisor", (a & WALK_RFLAGS_AC) ? " AC=1" : "", "");
}

static void print_result(const char *who, const struct walk_result *r, unsigned top, unsigned low)
{
	unsigned l;

	printf("  %s: fault=%d pfec=%#x not_ram=%d levels=%u", who, r->fault, r->pfec, r->not_ram,
	       r->levels);
	if (!r->fault && !r->not_ram)
		printf(" gpa=%#" PRIx64 " leaf_level=%u page_size=%#" PRIx64
		       " access=%#x dirty=%d global=%d", r->gpa, r->leaf_level, r->page_size,
		       r->access, r->dirty, r->global);
	printf(" pte_size=%u\n", r->pte_size);
	for (l = top; l >= low && l > 0; l--)
		printf("    pte[%u]=%#" PRIx64 " @ %#" PRIx64 "\n", l, r->pte[l], r->pte_gpa[l]);
}

static int cmp_write(const void *a, const void *b)
{
	const struct fm_write *x = a, *y = b;

	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

static void report(const struct walk_case *k, const struct ref_expect *exp,
		   const struct walk_result *got, const struct fm_write *writes, unsigned nwrites,
		   const char *what)
{
	const struct walk_request *req = &k->req;
	char acc[64];
	unsigned l, i;

	mismatches++;
	if (mismatches > MAX_MISMATCHES)
		return;
	access_name(req->access, acc, sizeof(acc));
	printf("MISMATCH #%u (%s): chain \"%s\" (%s), case %lu\n", mismatches, what,
	       k->c ? k->c->name : "paging off", mode_name(paging_mode_of(&req->ps)), cases);
	printf("  addr=%#" PRIx64 " access=%#x (%s) cr0=%#" PRIx64 " cr3=%#" PRIx64
	       " cr4=%#" PRIx64 " efer=%#" PRIx64 "\n", req->addr, req->access, acc, req->ps.cr0,
	       req->ps.cr3, req->ps.cr4, req->ps.efer);
	printf("  WP=%d NXE=%d SMEP=%d SMAP=%d maxphyaddr=%u pse36=%d gb_pages=%d set_ad=%d\n",
	       !!(req->ps.cr0 & CR0_WP), !!(req->ps.efer & EFER_NXE), !!(req->ps.cr4 & CR4_SMEP),
	       !!(req->ps.cr4 & CR4_SMAP), req->maxphyaddr, req->pse36, req->gb_pages, req->set_ad);
	if (k->c) {
		for (l = k->c->levels; l >= 1; l--) {
			if (l < k->c->leaf)
				break;
			printf("  entry L%u = %#" PRIx64 " (table %#" PRIx64 " index %u)\n", l,
			       k->ent[l], k->table[l], index_of(k->c, l, req->addr));
		}
		if (k->c->mode == PAGING_PAE)
			printf("  pdptes = %#" PRIx64 " %#" PRIx64 " %#" PRIx64 " %#" PRIx64 "\n",
			       req->pdptes[0], req->pdptes[1], req->pdptes[2], req->pdptes[3]);
	}
	print_result("expected", &exp->r, exp->top_read, exp->low_read);
	print_result("walker  ", got, exp->top_read, exp->low_read);
	printf("  expected writes:");
	for (i = 0; i < exp->nwrites; i++)
		printf(" [%#" PRIx64 " %u %#" PRIx64 "]", exp->writes[i].gpa, exp->writes[i].size,
		       exp->writes[i].value);
	printf("\n  walker writes:  ");
	for (i = 0; i < nwrites; i++)
		printf(" [%#" PRIx64 " %u %#" PRIx64 "]", writes[i].gpa, writes[i].len,
		       writes[i].value);
	printf("%s\n", fm.log_bad ? " (+ unlogged writes)" : "");
}

static int cmp_ref_write(const void *a, const void *b)
{
	const struct ref_write *x = a, *y = b;

	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

/* Compares what the header documents; returns the first difference or NULL. */
static const char *compare(const struct walk_request *req, const struct ref_expect *exp,
			   const struct walk_result *got, const struct fm_write *writes,
			   unsigned nwrites)
{
	const struct walk_result *e = &exp->r;
	unsigned l, i;

	if (got->fault != e->fault)
		return "fault";
	if (got->not_ram != e->not_ram)
		return "not_ram";
	if (e->fault && got->pfec != e->pfec)
		return "pfec";
	if (got->levels != e->levels)
		return "levels";
	if (!e->fault && !e->not_ram && got->gpa != e->gpa)
		return "gpa";
	if (paging_mode_of(&req->ps) != PAGING_OFF) {
		if (got->pte_size != e->pte_size)
			return "pte_size";
		if (!e->fault && !e->not_ram) {
			if (got->leaf_level != e->leaf_level)
				return "leaf_level";
			if (got->page_size != e->page_size)
				return "page_size";
			if (got->access != e->access)
				return "access";
			if (got->dirty != e->dirty)
				return "dirty";
			if (got->global != e->global)
				return "global";
		}
		for (l = exp->top_read; l >= exp->low_read && l > 0; l--) {
			if (got->pte[l] != e->pte[l])
				return "pte[] (entry as read)";
			if (got->pte_gpa[l] != e->pte_gpa[l])
				return "pte_gpa[]";
		}
	}
	if (fm.log_bad || nwrites != exp->nwrites)
		return "number of A/D writes";
	for (i = 0; i < nwrites; i++) {
		if (writes[i].gpa != exp->writes[i].gpa)
			return "A/D write address";
		if (writes[i].len != exp->writes[i].size)
			return "A/D write size";
		if (writes[i].value != exp->writes[i].value)
			return "A/D write value";
	}
	return NULL;
}

/* Writes the chain, runs the model and the walker, compares, and restores the tables. */
static void run_case(struct walk_case *k)
{
	const struct chain *c = k->c;
	struct ref_expect exp;
	struct walk_result got;
	struct fm_write writes[FM_LOG];
	unsigned l, i, nwrites;
	const char *diff;

	if (c) {
		for (l = c->leaf; l <= c->levels; l++) {
			uint64_t gpa = k->table[l] + index_of(c, l, k->req.addr) * c->esize;

			if (c->mode == PAGING_PAE && l == 3) {
				/* The PDPTE registers; the decoy PDPT in memory keeps its poison. */
				for (i = 0; i < 4; i++)
					k->req.pdptes[i] = POISON64 | (i << 1);
				k->req.pdptes[index_of(c, 3, k->req.addr)] = k->ent[3];
				continue;
			}
			fm_put(gpa, c->esize, k->ent[l]);
		}
	}
	fm.nlog = 0;
	fm.log_bad = false;

	ref_walk(&k->req, &fm_mem, &exp);
	if (exp.r.not_ram)
		outcomes[OUT_NOT_RAM]++;
	else if (!exp.r.fault)
		outcomes[OUT_OK]++;
	else if (exp.r.pfec & PFEC_RSVD)
		outcomes[OUT_RSVD]++;
	else if (exp.r.pfec & PFEC_P)
		outcomes[OUT_PROTECTION]++;
	else
		outcomes[OUT_NOT_PRESENT]++;
	if (exp.nwrites)
		outcomes[OUT_AD_WRITES]++;
	/* Valid but wrong values, so a field the walker forgets to set shows. */
	memset(&got, 0x5a, sizeof(got));
	got.fault = true;
	got.not_ram = true;
	got.dirty = !exp.r.dirty;
	got.global = !exp.r.global;
	walk_guest(&k->req, &fm_mem, &got);
	cases++;

	nwrites = fm.nlog;
	memcpy(writes, fm.log, sizeof(writes));
	qsort(writes, nwrites, sizeof(writes[0]), cmp_write);
	qsort(exp.writes, exp.nwrites, sizeof(exp.writes[0]), cmp_ref_write);

	diff = compare(&k->req, &exp, &got, writes, nwrites);
	if (diff) {
		report(k, &exp, &got, writes, nwrites, diff);
		fm_poison_all();
		return;
	}
	if (c) {
		for (l = c->leaf; l <= c->levels; l++) {
			if (c->mode == PAGING_PAE && l == 3)
				continue;
			fm_put(k->table[l] + index_of(c, l, k->req.addr) * c->esize, c->esize,
			       c->esize == 4 ? POISON32 : POISON64);
		}
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Enumerations. */

static uint64_t subset(const uint64_t *bits, unsigned n, unsigned mask)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		if (mask & (1u << i))
			v |= bits[i];
	return v;
}

static uint64_t all_of(const uint64_t *bits, unsigned n)
{
	return subset(bits, n, (1u << n) - 1);
}

static void init_case(struct walk_case *k, const struct chain *c)
{
	memset(k, 0, sizeof(*k));
	k->c = c;
	memcpy(k->table, c->table, sizeof(k->table));
}

static void fill_defaults(struct walk_case *k)
{
	unsigned l;

	for (l = k->c->leaf; l <= k->c->levels; l++)
		k->ent[l] = default_entry(k, l, k->req.maxphyaddr, k->req.pse36);
}

/* Registers every table page of every chain as guest RAM. */
static int setup(void **state)
{
	unsigned i, l;

	(void)state;
	memset(&fm, 0, sizeof(fm));
	for (i = 0; i < ARRAY_SIZE(chains); i++)
		for (l = chains[i].leaf; l <= chains[i].levels; l++)
			fm_add(chains[i].table[l], chains[i].esize);
	return 0;
}

static void finish(const char *what, unsigned long before)
{
	printf("walk %s: %lu cases checked, %u mismatches\n", what, cases - before, mismatches);
	printf("  expected outcomes: %lu translated (%lu with A/D writes), %lu not present, "
	       "%lu reserved bit, %lu protection, %lu not RAM\n", outcomes[OUT_OK],
	       outcomes[OUT_AD_WRITES], outcomes[OUT_NOT_PRESENT], outcomes[OUT_RSVD],
	       outcomes[OUT_PROTECTION], outcomes[OUT_NOT_RAM]);
	memset(outcomes, 0, sizeof(outcomes));
	if (mismatches > MAX_MISMATCHES)
		printf("(only the first %u mismatches were printed)\n", MAX_MISMATCHES);
	assert_int_equal(mismatches, 0);
}

/*
 * Rights: P, R/W, U/S, A, D, XD (G) at the leaf and P, R/W, U/S, A, XD at one upper level (the
 * PAE PDPTE: P only), x every access kind x CR0.WP x EFER.NXE x CR4.SMEP x CR4.SMAP. Other
 * levels are present and fully permissive, with A sometimes clear. MAXPHYADDR, the address,
 * CR4.PGE/PSE (where ignored), CR3.PWT/PCD and set_ad rotate along.
 */
static void enumerate_rights(const struct chain *c, unsigned upper)
{
	uint64_t lb[6], ub[5];
	unsigned nl = 0, nu = 0, lm, um, crs, a, l;
	/* The leaf's A and D are enumerated with the level right above it (or alone). */
	bool near = upper == 0 || upper == c->leaf + 1;
	struct walk_case k;

	lb[nl++] = E_P;
	lb[nl++] = E_RW;
	lb[nl++] = E_US;
	if (near) {
		lb[nl++] = E_A;
		lb[nl++] = E_D;
	}
	if (c->esize == 8)
		lb[nl++] = E_XD;
	if (upper) {
		ub[nu++] = E_P;
		if (!(c->mode == PAGING_PAE && upper == 3)) {
			ub[nu++] = E_RW;
			ub[nu++] = E_US;
			ub[nu++] = E_A;
			if (c->esize == 8)
				ub[nu++] = E_XD;
		}
	}

	for (lm = 0; lm < (1u << nl); lm++)
	for (um = 0; um < (1u << nu); um++)
	for (crs = 0; crs < CRS_ALL; crs++)
	for (a = 0; a < ARRAY_SIZE(access_kinds); a++) {
		unsigned variant = (unsigned)cases * 7u + lm;
		unsigned m = maxphyaddrs[(lm + um + a) & 3];
		uint64_t addr = c->addrs[(lm + crs + a) % c->naddrs];

		init_case(&k, c);
		make_request(&k, crs, access_kinds[a], m, addr, variant);
		k.req.pse36 = (variant >> 3) & 1;
		k.req.gb_pages = c->leaf == 3 || ((variant >> 4) & 1);
		k.req.set_ad = (variant % 8) != 5;
		fill_defaults(&k);
		for (l = c->leaf + 1; l <= c->levels; l++)
			if (l != upper && !(c->mode == PAGING_PAE && l == 3) && (variant & 8))
				k.ent[l] &= ~E_A;
		k.ent[c->leaf] = (k.ent[c->leaf] & ~all_of(lb, nl)) | subset(lb, nl, lm);
		if (!near && ((variant >> 5) & 1))
			k.ent[c->leaf] |= E_D;
		if ((lm ^ crs ^ a) & 1)
			k.ent[c->leaf] |= E_G;
		if (upper)
			k.ent[upper] = (k.ent[upper] & ~all_of(ub, nu)) | subset(ub, nu, um);
		/* A not-present leaf or upper entry hides the other bits: one in 8 suffices. */
		if ((!(lm & 1) || (upper && !(um & 1))) && ((lm >> 1) + (um >> 1) + crs) % 8)
			continue;
		run_case(&k);
	}
}

static void test_rights(void **state)
{
	unsigned long before = cases;

	mismatches = 0;
	unsigned i, u;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(chains); i++) {
		const struct chain *c = &chains[i];

		if (c->leaf == c->levels)
			enumerate_rights(c, 0);
		for (u = c->leaf + 1; u <= c->levels; u++)
			enumerate_rights(c, u);
	}
	finish("rights (P/RW/US/A/D/XD/G x access x WP/NXE/SMEP/SMAP)", before);
}

/*
 * The bits besides the rights that a level may carry: reserved ones (above MAXPHYADDR, bit 62 in
 * PAE, large-page bits 20:13 or 29:13, PML4E PS, 32-bit 4 MiB PDE bit 21 and PSE-36 bits) and
 * ignored or meaningful ones that must not fault (11:9, 62:52 in 4-level, D/G/PS of non-leaf
 * entries where ignored, PAT, address bits). Which is which is the model's business.
 */
static unsigned extra_bits(const struct chain *c, unsigned level, unsigned m, uint64_t *out)
{
	static const unsigned high[] = { 0, 51, 52, 58, 62 };
	bool leaf = level == c->leaf;
	unsigned n = 0, i;

	out[n++] = 0;
	out[n++] = BIT(9) | BIT(10) | BIT(11);
	if (c->esize == 4) {
		if (!leaf) {
			out[n++] = E_D;
			out[n++] = E_G;
			/* Ignored with CR4.PSE = 0; otherwise the PDE maps a 4 MiB page at the
			 * page table's address (PSE-36 bits that may be reserved). */
			out[n++] = E_PS;
		} else if (level == 2) {
			out[n++] = BIT(12);		/* PAT */
			out[n++] = BIT(13);
			out[n++] = BIT(16);
			out[n++] = BIT(17);
			out[n++] = BIT(20);
			out[n++] = BIT(21);
		} else {
			out[n++] = BIT(7);		/* PAT */
		}
		return n;
	}
	for (i = 0; i < ARRAY_SIZE(high); i++) {
		unsigned b = high[i] ? high[i] : m;

		if (b >= m && b <= 62 && (i == 0 || b != m))
			out[n++] = BIT(b);
	}
	if (!leaf) {
		out[n++] = E_D;
		out[n++] = E_G;
		/* PML4E: reserved. PDPTE, PDE: a large page at the next table's address (whose
		 * bits 29:13 or 20:13 are then reserved ones), or reserved without 1G pages. */
		out[n++] = E_PS;
	} else if (level == 1) {
		out[n++] = BIT(7);			/* PAT */
		out[n++] = BIT(m - 2);			/* an address bit */
	} else {
		out[n++] = BIT(12);			/* PAT */
		out[n++] = BIT(13);
		out[n++] = BIT(20);
		out[n++] = BIT(m - 2);
		if (level == 3) {
			out[n++] = BIT(21);
			out[n++] = BIT(29);
		}
	}
	return n;
}

static void test_reserved_and_ignored_bits(void **state)
{
	unsigned long before = cases;

	mismatches = 0;
	uint64_t extra[24], rights[3] = { E_P, E_RW, E_US };
	unsigned i, l, mi, p36, gbp, x, n, pm, xd, a, nxe;
	struct walk_case k;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(chains); i++) {
		const struct chain *c = &chains[i];

		for (l = c->leaf; l <= c->levels; l++) {
			if (c->mode == PAGING_PAE && l == 3)
				continue;	/* cached PDPTEs: checked when loaded */
			for (mi = 0; mi < ARRAY_SIZE(maxphyaddrs); mi++)
			for (p36 = (c->esize == 4 && c->leaf == 2) ? 0 : 1; p36 < 2; p36++)
			for (gbp = c->leaf == 3 ? 0 : 1; gbp < 2; gbp++) {
				unsigned m = maxphyaddrs[mi];

				n = extra_bits(c, l, m, extra);
				for (x = 0; x < n; x++)
				for (pm = 0; pm < 8; pm++)
				for (xd = 0; xd < (c->esize == 8 ? 2u : 1u); xd++)
				for (a = 0; a < ARRAY_SIZE(access_kinds); a++)
				for (nxe = 0; nxe < 2; nxe++) {
					unsigned crs = nxe ? CRS_NXE : 0;
					unsigned variant = (unsigned)cases * 3u + x;

					if ((pm ^ a ^ x) & 1)
						crs |= CRS_WP | CRS_SMEP | CRS_SMAP;
					init_case(&k, c);
					make_request(&k, crs, access_kinds[a], m,
						     c->addrs[(x + a) % c->naddrs], variant);
					k.req.pse36 = p36;
					k.req.gb_pages = gbp;
					k.req.set_ad = (variant % 4) != 1;
					fill_defaults(&k);
					k.ent[l] = (k.ent[l] & ~all_of(rights, 3)) |
						   subset(rights, 3, pm) | extra[x] |
						   (xd ? E_XD : 0);
					run_case(&k);
				}
			}
		}
	}
	finish("reserved/ignored bits x MAXPHYADDR 36/40/46/52 x PSE-36 x 1G pages", before);
}

/* A table outside guest RAM: the walk cannot finish (not_ram), unless an entry above it already
 * faults (not present, reserved bit). */
static void test_not_ram(void **state)
{
	unsigned long before = cases;

	mismatches = 0;
	unsigned i, t, pm, rs, a, nxe, mi;
	struct walk_case k;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(chains); i++) {
		const struct chain *c = &chains[i];

		for (t = c->leaf; t <= c->levels; t++) {
			unsigned parent = t + 1;	/* c->levels + 1: CR3 */
			bool has_parent = parent <= c->levels;

			if (c->mode == PAGING_PAE && t == 3)
				continue;
			for (mi = 0; mi < ARRAY_SIZE(maxphyaddrs); mi++)
			for (pm = 0; pm < (has_parent ? 8u : 1u); pm++)
			for (rs = 0; rs < (c->esize == 8 && has_parent ? 3u : 1u); rs++)
			for (a = 0; a < ARRAY_SIZE(access_kinds); a++)
			for (nxe = 0; nxe < 2; nxe++) {
				unsigned m = maxphyaddrs[mi];

				init_case(&k, c);
				k.table[t] = c->esize == 4 ? NOT_RAM32 : NOT_RAM64;
				make_request(&k, (nxe ? CRS_NXE : 0) | CRS_WP | CRS_SMAP,
					     access_kinds[a], m, c->addrs[(a + pm) % c->naddrs],
					     (unsigned)cases);
				fill_defaults(&k);
				if (has_parent) {
					uint64_t *e = &k.ent[parent];

					if (!(pm & 1))
						*e &= ~E_P;
					if ((pm & 2) && !(c->mode == PAGING_PAE && parent == 3))
						*e &= ~E_US;
					if ((pm & 4) && !(c->mode == PAGING_PAE && parent == 3))
						*e |= E_XD & (c->esize == 8 ? ~0ULL : 0);
					if (rs == 1 && !(c->mode == PAGING_PAE && parent == 3))
						*e |= BIT(62);	/* reserved in PAE only */
					if (rs == 2 && m < 52 &&
					    !(c->mode == PAGING_PAE && parent == 3))
						*e |= BIT(m);
				}
				run_case(&k);
			}
		}
	}
	finish("tables outside guest RAM", before);
}

/* CR0.PG = 0: the address is the guest-physical address, truncated to 32 bits. */
static void test_paging_off(void **state)
{
	static const uint64_t addrs[] = { 0, 0x12345678, 0xfffffffffffffabcULL, 0x100001000ULL,
					  0xffffffff, 0x80000000 };
	unsigned long before = cases;

	mismatches = 0;
	unsigned i, a, v;
	struct walk_case k;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(addrs); i++)
	for (a = 0; a < ARRAY_SIZE(access_kinds); a++)
	for (v = 0; v < 32; v++) {
		memset(&k, 0, sizeof(k));
		k.req.ps.cr0 = CR0_PE | CR0_ET | ((v & 1) ? CR0_WP : 0);
		if (v & 16)
			k.req.ps.cr0 &= ~(uint64_t)CR0_PE;
		k.req.ps.cr4 = ((v & 2) ? CR4_PAE | CR4_PSE : 0) |
			       ((v & 4) ? CR4_SMEP | CR4_SMAP : 0);
		k.req.ps.efer = (v & 8) ? EFER_NXE | EFER_LME : 0;
		k.req.ps.cr3 = chains[5].table[4];
		k.req.addr = addrs[i];
		k.req.access = access_kinds[a];
		k.req.maxphyaddr = maxphyaddrs[v & 3];
		k.req.set_ad = true;
		run_case(&k);
	}
	finish("paging off", before);
}

/* The comparison itself must catch a wrong answer: feed it tampered expectations. */
static void test_harness_catches_differences(void **state)
{
	const struct chain *c = &chains[5];	/* 4-level 4K */
	struct ref_expect exp;
	struct walk_result got;
	struct walk_case k;
	unsigned l;

	(void)state;
	init_case(&k, c);
	make_request(&k, CRS_WP | CRS_NXE, WALK_WRITE | WALK_USER, 40, c->addrs[1], 0);
	fill_defaults(&k);
	for (l = c->leaf; l <= c->levels; l++) {
		k.ent[l] &= ~E_A;
		fm_put(k.table[l] + index_of(c, l, k.req.addr) * 8, 8, k.ent[l]);
	}
	ref_walk(&k.req, &fm_mem, &exp);
	assert_false(exp.r.fault);
	assert_int_equal(exp.nwrites, 4);
	fm.nlog = 0;
	fm.log_bad = false;
	memset(&got, 0, sizeof(got));
	walk_guest(&k.req, &fm_mem, &got);
	qsort(fm.log, fm.nlog, sizeof(fm.log[0]), cmp_write);
	qsort(exp.writes, exp.nwrites, sizeof(exp.writes[0]), cmp_ref_write);
	assert_null(compare(&k.req, &exp, &got, fm.log, fm.nlog));
	exp.writes[2].value ^= E_D;
	assert_non_null(compare(&k.req, &exp, &got, fm.log, fm.nlog));
	exp.writes[2].value ^= E_D;
	exp.r.gpa ^= 0x1000;
	assert_non_null(compare(&k.req, &exp, &got, fm.log, fm.nlog));
	exp.r.gpa ^= 0x1000;
	exp.r.fault = true;
	assert_non_null(compare(&k.req, &exp, &got, fm.log, fm.nlog));
	fm_poison_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_harness_catches_differences),
		cmocka_unit_test(test_paging_off),
		cmocka_unit_test(test_rights),
		cmocka_unit_test(test_reserved_and_ignored_bits),
		cmocka_unit_test(test_not_ram),
	};
	int rc = cmocka_run_group_tests(tests, setup, NULL);

	printf("walk: %lu cases checked in total\n", cases);
	return rc;
}
