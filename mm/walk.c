/* The guest page-table walker: one loop over a per-mode descriptor table (SDM Vol. 3A 4.3-4.8). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/pfec.h"
#include "arch/pt.h"
#include "lib/string.h"
#include "mm/access.h"
#include "mm/paging_mode.h"
#include "mm/walk.h"

/* Paging-structure entry bits are arch/pt.h's: every format shares them (SDM 4.3 tables 4-4..4-6,
 * 4.4 and 4.5); XD is PT_NX, meaningful in PAE and 4-level with EFER.NXE (SDM 4.6). */

/* Bits hi:lo set (hi >= lo, hi <= 63). */
#define BITS(hi, lo)	((~0ull >> (63 - (hi))) & ~((1ull << (lo)) - 1))

/* What PS = 1 means at one level of one mode. */
enum ps_rule {
	PS_IGNORED,		/* not a PS bit (PAT of a 4 KiB PTE; PDPTE registers) */
	PS_RESERVED,		/* must be 0: RSVD fault (4-level PML4E, SDM 4.5 table 4-15) */
	PS_LARGE,		/* maps a page (PAE and 4-level PDE: 2 MiB) */
	PS_LARGE_IF_PSE,	/* 4 MiB page with CR4.PSE, else ignored (SDM 4.3) */
	PS_LARGE_IF_GB,		/* 1 GiB page with 1-GByte pages, else reserved (SDM 4.5) */
};

/* One level of one paging mode. */
struct walk_level_fmt {
	uint8_t shift;		/* lowest linear-address bit this level translates */
	uint8_t index_bits;	/* linear-address bits that index this level's table */
	uint8_t ps;		/* enum ps_rule */
	bool regs;		/* entry comes from the PDPTE registers (PAE, SDM 4.4.1) */
	bool pse36;		/* large page: bits 20:13 hold PA bits 39:32 (PSE-36, SDM 4.3) */
	uint64_t rsvd;		/* format-specific reserved bits of a table/4 KiB entry */
	uint64_t rsvd_large;	/* format-specific reserved bits of a large-page entry */
};

/* One paging mode. Bits from MAXPHYADDR up to phys_hi are reserved in every entry. */
struct walk_mode_desc {
	uint8_t levels;
	uint8_t pte_size;	/* bytes per entry */
	uint8_t la_bits;	/* linear-address width the walk translates */
	uint8_t phys_hi;	/* top reserved physical-address bit (0: none, 32-bit paging) */
	uint8_t phys_cap;	/* largest physical-address width the mode can map */
	bool has_xd;		/* bit 63 is XD with EFER.NXE, else reserved */
	struct walk_level_fmt lvl[WALK_MAX_LEVELS];
};

static const struct walk_mode_desc walk_modes[] = {
	/*
	 * SDM 4.3, 32-bit paging: two levels of 4-byte entries, 10 index bits each. A PDE with
	 * PS = 1 maps 4 MiB only when CR4.PSE = 1 (table 4-4); otherwise PS is ignored (table 4-5).
	 * 4 KiB entries and table pointers have no reserved bits; no XD bit exists. In a 4 MiB PDE
	 * bit 21 is reserved and bits 20:13 are PA bits 39:32 (PSE-36), reserved above
	 * min(MAXPHYADDR, 40), or all of them without PSE-36 (M = 32, footnote to table 4-4).
	 */
	[PAGING_32] = {
		.levels = 2, .pte_size = 4, .la_bits = 32, .phys_hi = 0, .phys_cap = 40,
		.has_xd = false,
		.lvl = {
			[1] = { .shift = 12, .index_bits = 10, .ps = PS_IGNORED },
			[2] = { .shift = 22, .index_bits = 10, .ps = PS_LARGE_IF_PSE,
				.pse36 = true, .rsvd_large = BITS(21, 13) },
		},
	},
	/*
	 * SDM 4.4, PAE paging: four PDPTE registers (4.4.1, two index bits, checked by the loader),
	 * then two levels of 8-byte entries with 9 index bits. Bits 62:MAXPHYADDR are reserved in
	 * every PDE and PTE (tables 4-8..4-11); a 2 MiB PDE also has bits 20:13 reserved.
	 */
	[PAGING_PAE] = {
		.levels = 3, .pte_size = 8, .la_bits = 32, .phys_hi = 62, .phys_cap = 52,
		.has_xd = true,
		.lvl = {
			[1] = { .shift = 12, .index_bits = 9, .ps = PS_IGNORED },
			[2] = { .shift = 21, .index_bits = 9, .ps = PS_LARGE,
				.rsvd_large = BITS(20, 13) },
			[3] = { .shift = 30, .index_bits = 2, .ps = PS_IGNORED, .regs = true },
		},
	},
	/*
	 * SDM 4.5, 4-level paging: four levels of 8-byte entries with 9 index bits, linear bits
	 * 47:0. Bits 51:MAXPHYADDR are reserved everywhere, bits 62:52 ignored (tables 4-15..4-20).
	 * PML4E.PS is reserved; a 1 GiB PDPTE has bits 29:13 reserved, a 2 MiB PDE bits 20:13.
	 */
	[PAGING_4LEVEL] = {
		.levels = 4, .pte_size = 8, .la_bits = 48, .phys_hi = 51, .phys_cap = 52,
		.has_xd = true,
		.lvl = {
			[1] = { .shift = 12, .index_bits = 9, .ps = PS_IGNORED },
			[2] = { .shift = 21, .index_bits = 9, .ps = PS_LARGE,
				.rsvd_large = BITS(20, 13) },
			[3] = { .shift = 30, .index_bits = 9, .ps = PS_LARGE_IF_GB,
				.rsvd_large = BITS(29, 13) },
			[4] = { .shift = 39, .index_bits = 9, .ps = PS_RESERVED },
		},
	},
};

/* The walk in progress. */
struct walker {
	const struct walk_request *req;
	const struct walk_mem *mem;
	const struct walk_mode_desc *d;
	struct walk_result *out;
	unsigned maxphy;	/* MAXPHYADDR clamped to [32, phys_cap] */
	bool nxe;
};

/* How one entry is used. */
enum entry_kind {
	ENTRY_TABLE,		/* points to the next level */
	ENTRY_LEAF,		/* maps a page (level 1, or PS = 1 where it maps a page) */
	ENTRY_RSVD,		/* PS = 1 where PS is reserved */
};

static uint64_t low_bits(unsigned n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static unsigned clamp_maxphy(unsigned m, unsigned cap)
{
	if (m < 32)
		return 32;
	return m > cap ? cap : m;
}

/* PDE bits 20:13 that carry PA bits (M-1):32 of a 4 MiB page (SDM 4.3, table 4-4, PSE-36). */
static uint64_t pse36_addr_bits(const struct walker *w)
{
	if (!w->req->pse36 || w->maxphy <= 32)
		return 0;
	return BITS(13 + (w->maxphy - 32) - 1, 13);	/* maxphy <= 40: within 20:13 */
}

/* The #PF error code bits that describe the access itself (SDM 4.7). */
static uint32_t access_pfec(const struct walker *w)
{
	uint32_t a = w->req->access;
	uint32_t pfec = 0;

	if (a & WALK_FETCH) {
		/* I: only with SMEP, or with PAE/4-level paging and NXE (SDM 4.7). */
		if ((w->req->ps.cr4 & CR4_SMEP) || (w->d->has_xd && w->nxe))
			pfec |= PFEC_I;
	} else if (a & WALK_WRITE) {
		pfec |= PFEC_W;
	}
	/* U: CPL 3, but implicit supervisor accesses are supervisor accesses (SDM 4.6, 4.7). */
	if ((a & WALK_USER) && !(a & WALK_IMPLICIT))
		pfec |= PFEC_U;
	return pfec;
}

static void walk_fault(struct walker *w, uint32_t pfec)
{
	w->out->fault = true;
	w->out->pfec = access_pfec(w) | pfec;
}

/* Reads the entry of this level; false when it is not RAM (out->not_ram is then set). */
static bool read_entry(struct walker *w, unsigned level, uint64_t table, uint64_t *e)
{
	const struct walk_level_fmt *f = &w->d->lvl[level];
	uint64_t la = w->req->addr & low_bits(w->d->la_bits);
	uint64_t idx = (la >> f->shift) & low_bits(f->index_bits);
	uint64_t gpa;
	uint32_t e32;

	if (f->regs) {
		/* SDM 4.4.1: PAE paging uses the PDPTE registers, not memory. */
		*e = w->req->pdptes[idx];
		w->out->pte[level] = *e;
		w->out->pte_gpa[level] = 0;
		return true;
	}
	gpa = table + idx * w->d->pte_size;
	w->out->pte_gpa[level] = gpa;
	if (w->d->pte_size == 4) {
		if (!w->mem->read(w->mem->ctx, gpa, &e32, 4))
			goto not_ram;
		*e = e32;
	} else if (!w->mem->read(w->mem->ctx, gpa, e, 8)) {
		goto not_ram;
	}
	w->out->pte[level] = *e;
	return true;
not_ram:
	w->out->not_ram = true;
	return false;
}

/* Whether a present entry points to a table, maps a page, or has a reserved PS bit. */
static enum entry_kind classify(const struct walker *w, unsigned level, uint64_t e)
{
	if (level == 1)
		return ENTRY_LEAF;
	if (!(e & PT_PS))
		return ENTRY_TABLE;
	switch (w->d->lvl[level].ps) {
	case PS_LARGE:
		return ENTRY_LEAF;
	case PS_LARGE_IF_PSE:
		/* SDM 4.3: with CR4.PSE = 0 the PDE's bit 7 is ignored. */
		return (w->req->ps.cr4 & CR4_PSE) ? ENTRY_LEAF : ENTRY_TABLE;
	case PS_LARGE_IF_GB:
		/* SDM 4.5: without 1-GByte pages PDPTE bit 7 is reserved. */
		return w->req->gb_pages ? ENTRY_LEAF : ENTRY_RSVD;
	case PS_RESERVED:
		return ENTRY_RSVD;
	default:
		return ENTRY_TABLE;
	}
}

/* The reserved bits of a present entry of this level used as kind (SDM 4.3, 4.4, 4.5). */
static uint64_t rsvd_mask(const struct walker *w, unsigned level, enum entry_kind kind)
{
	const struct walk_level_fmt *f = &w->d->lvl[level];
	bool large = kind == ENTRY_LEAF && level > 1;
	uint64_t r = large ? f->rsvd_large : f->rsvd;

	if (large && f->pse36)
		r &= ~pse36_addr_bits(w);
	if (w->d->phys_hi)
		r |= BITS(w->d->phys_hi, w->maxphy);
	/* SDM 4.4, 4.5: bit 63 is XD with EFER.NXE = 1 and reserved otherwise. */
	if (w->d->has_xd && !w->nxe)
		r |= PT_NX;
	return r;
}

/* Rights of one entry as ACC_* (SDM 4.6). The PDPTE registers restrict nothing (SDM 4.4.1). */
static unsigned entry_access(const struct walker *w, unsigned level, uint64_t e)
{
	unsigned acc = ACC_ALL;

	if (w->d->lvl[level].regs)
		return acc;
	if (!(e & PT_RW))
		acc &= ~ACC_WRITE;
	if (!(e & PT_US))
		acc &= ~ACC_USER;
	if (w->d->has_xd && w->nxe && (e & PT_NX))
		acc &= ~ACC_EXEC;
	return acc;
}

/* The guest-physical address of the page a leaf maps, with the offset of addr in it. */
static uint64_t leaf_gpa(const struct walker *w, unsigned level, uint64_t e)
{
	const struct walk_level_fmt *f = &w->d->lvl[level];
	uint64_t size_mask = low_bits(f->shift);
	uint64_t frame = e & PT_ADDR_MASK & ~size_mask;

	/* SDM 4.3, PSE-36: bits 20:13 of a 4 MiB PDE are PA bits 39:32. */
	if (level > 1 && f->pse36 && w->req->pse36)
		frame |= ((e >> 13) & 0xff) << 32;
	return frame | (w->req->addr & size_mask);
}

/*
 * SDM 4.6: the access rights of the combined translation. Returns the PFEC_P fault bit, or 0
 * when the access is allowed. SMEP and SMAP exist only with paging on, which is the case here.
 */
static uint32_t check_rights(const struct walker *w, unsigned acc)
{
	uint32_t a = w->req->access;
	uint64_t cr4 = w->req->ps.cr4;
	bool implicit = a & WALK_IMPLICIT;
	bool user = (a & WALK_USER) && !implicit;
	bool fetch = a & WALK_FETCH;
	bool write = !fetch && (a & WALK_WRITE);
	bool user_page = acc & ACC_USER;

	/* SDM 4.6: XD (with NXE) forbids fetches at any privilege. */
	if (fetch && !(acc & ACC_EXEC))
		return PFEC_P;
	if (user) {
		/* SDM 4.6.1: user accesses need U/S = 1 and, to write, R/W = 1 at every level. */
		if (!user_page || (write && !(acc & ACC_WRITE)))
			return PFEC_P;
		return 0;
	}
	if (fetch) {
		/* SDM 4.6.1: with CR4.SMEP no supervisor fetch from a user-mode address. */
		return ((cr4 & CR4_SMEP) && user_page) ? PFEC_P : 0;
	}
	/* SDM 4.6.1: supervisor writes honour R/W only with CR0.WP = 1. */
	if (write && (w->req->ps.cr0 & CR0_WP) && !(acc & ACC_WRITE))
		return PFEC_P;
	/*
	 * SDM 4.6.1: with CR4.SMAP, supervisor data accesses (reads, and writes whatever CR0.WP)
	 * to user-mode addresses fault if implicit or if EFLAGS.AC = 0.
	 */
	if ((cr4 & CR4_SMAP) && user_page && (implicit || !(a & WALK_RFLAGS_AC)))
		return PFEC_P;
	return 0;
}

/* Writes one entry back with its own size (SDM 4.8: the processor updates A/D in place). */
static void write_entry(const struct walker *w, uint64_t gpa, uint64_t e)
{
	uint32_t e32 = (uint32_t)e;

	/* A failed write (not RAM) is dropped, like a processor update to ROM. */
	if (w->d->pte_size == 4)
		(void)w->mem->write(w->mem->ctx, gpa, &e32, 4);
	else
		(void)w->mem->write(w->mem->ctx, gpa, &e, 8);
}

/*
 * SDM 4.8: set A in every entry used and, for a write, D in the leaf. Top-down with the leaf
 * last, so that an entry used at several levels ends with every bit it needs. Only entries
 * whose value changes are written; the PDPTE registers are not memory (SDM 4.4.1).
 */
static void set_ad_bits(struct walker *w, unsigned leaf, bool write)
{
	unsigned level;

	for (level = w->d->levels; level >= leaf; level--) {
		uint64_t e = w->out->pte[level];
		uint64_t n = e | PT_A;

		if (w->d->lvl[level].regs)
			continue;
		if (level == leaf && write)
			n |= PT_D;
		if (n != e)
			write_entry(w, w->out->pte_gpa[level], n);
	}
}

/* Paging off: linear is physical, 32 bits wide outside long mode; everything is allowed. */
static void walk_paging_off(const struct walk_request *req, struct walk_result *out)
{
	out->levels = 0;
	out->access = ACC_ALL;
	out->gpa = (req->ps.efer & EFER_LMA) ? req->addr : (uint32_t)req->addr;
}

/* The physical address of the top-level table (CR3, SDM 4.3, 4.5), unused for PAE paging. */
static uint64_t top_table(const struct walker *w)
{
	if (w->d->pte_size == 4)
		return w->req->ps.cr3 & 0xfffff000ull;
	return w->req->ps.cr3 & PT_ADDR_MASK & low_bits(w->maxphy);
}

/* Descends from the top; returns the leaf level, or 0 when the walk stopped early. */
static unsigned descend(struct walker *w, unsigned *acc)
{
	uint64_t table = top_table(w);
	unsigned level;
	uint64_t e;

	for (level = w->d->levels; level >= 1; level--) {
		enum entry_kind kind;

		if (!read_entry(w, level, table, &e))
			return 0;
		/* SDM 4.7: a not-present entry faults at once with P = 0. */
		if (!(e & PT_P)) {
			walk_fault(w, 0);
			return 0;
		}
		/* SDM 4.7: reserved bits of a present entry: RSVD with P = 1. */
		kind = classify(w, level, e);
		if (kind == ENTRY_RSVD || (e & rsvd_mask(w, level, kind))) {
			walk_fault(w, PFEC_P | PFEC_RSVD);
			return 0;
		}
		*acc &= entry_access(w, level, e);
		if (kind == ENTRY_LEAF)
			return level;
		table = e & PT_ADDR_MASK;
	}
	return 0;	/* not reached: level 1 is always a leaf */
}

void walk_guest(const struct walk_request *req, const struct walk_mem *mem, struct walk_result *out)
{
	enum paging_mode mode = paging_mode_of(&req->ps);
	struct walker w;
	unsigned acc = ACC_ALL;
	unsigned leaf;
	uint32_t pfec;
	bool write;

	memset(out, 0, sizeof(*out));
	if (mode == PAGING_OFF) {
		walk_paging_off(req, out);
		return;
	}
	w.req = req;
	w.mem = mem;
	w.d = &walk_modes[mode];
	w.out = out;
	w.maxphy = clamp_maxphy(req->maxphyaddr, w.d->phys_cap);
	w.nxe = req->ps.efer & EFER_NXE;
	out->levels = w.d->levels;
	out->pte_size = w.d->pte_size;

	leaf = descend(&w, &acc);
	out->access = acc;
	if (!leaf)
		return;
	out->leaf_level = leaf;
	out->page_size = 1ull << w.d->lvl[leaf].shift;
	out->gpa = leaf_gpa(&w, leaf, out->pte[leaf]);
	out->dirty = out->pte[leaf] & PT_D;
	out->global = out->pte[leaf] & PT_G;

	pfec = check_rights(&w, acc);
	if (pfec) {
		walk_fault(&w, pfec);
		return;
	}
	write = (req->access & WALK_WRITE) && !(req->access & WALK_FETCH);
	if (req->set_ad) {
		set_ad_bits(&w, leaf, write);
		if (write)
			out->dirty = true;
	}
}
