/*
 * Fuzz target: the guest page-table walker (mm/walk.c) against a reference model written here.
 *
 * Input: the control registers and CPUID facts (paging mode, CR0.WP, CR4.PSE/SMEP/SMAP,
 * EFER.NXE, MAXPHYADDR, PSE-36, 1 GiB pages), the access (read, write, fetch, CPL 3, implicit
 * supervisor, EFLAGS.AC), the linear address, the PAE PDPTEs, then one entry per level placed
 * where the walk of that address reads it, then any further entries anywhere in guest RAM (so
 * tables may share pages and map themselves). Entries name a frame of guest RAM or keep their
 * own address bits. Guest RAM is 32 pages at 0 and 8 pages at 60 GiB; the rest is not RAM.
 *
 * The model (model_walk below) follows the SDM Vol. 3A 4.3-4.8 mode by mode, in its own words:
 * present and reserved bits per level, U/S and R/W with CR0.WP, XD with NXE, SMEP, SMAP with AC
 * and implicit accesses, the #PF error code, and A/D updates. Walker and model run on separate
 * copies of memory; their results, the entries and their addresses, and the memory afterwards
 * must agree; the unit tests' model (tests/unit/walk_ref.c, written separately) gives a third
 * opinion on the outcome. The walker must write nothing on a fault, and only entries whose value changes
 * (or an entry used at two levels, whose second update repeats the first).
 */
#include "tests/fuzz/fuzz.h"

#include "arch/cr.h"
#include "arch/msr.h"
#include "arch/pfec.h"
#include "arch/pt.h"
#include "mm/walk.h"
#include "tests/unit/walk_ref.h"

/* ---- guest RAM ---- */

#define LOW_PAGES	32
#define HIGH_PAGES	8
#define HIGH_BASE	0xf00000000ull	/* 60 GiB: above 4 GiB, reachable with MAXPHYADDR >= 36 */
#define NPAGES		(LOW_PAGES + HIGH_PAGES)

struct ram {
	uint8_t page[NPAGES][4096];
	unsigned writes;
	bool rewrote_same;	/* a write stored the value already there */
};

static uint64_t frame_gpa(unsigned f)
{
	return f < LOW_PAGES ? (uint64_t)f << 12 : HIGH_BASE + ((uint64_t)(f - LOW_PAGES) << 12);
}

/* The bytes at gpa, or NULL when [gpa, gpa + len) is not all in one RAM page. */
static uint8_t *ram_at(struct ram *r, uint64_t gpa, unsigned len)
{
	uint64_t off = gpa & 0xfff;

	if (off + len > 4096)
		return NULL;
	if (gpa < ((uint64_t)LOW_PAGES << 12))
		return &r->page[gpa >> 12][off];
	if (gpa >= HIGH_BASE && gpa - HIGH_BASE < ((uint64_t)HIGH_PAGES << 12))
		return &r->page[LOW_PAGES + ((gpa - HIGH_BASE) >> 12)][off];
	return NULL;
}

static bool mem_read(void *ctx, uint64_t gpa, void *buf, unsigned len)
{
	uint8_t *p = ram_at(ctx, gpa, len);

	if (!p)
		return false;
	memcpy(buf, p, len);
	return true;
}

static bool mem_write(void *ctx, uint64_t gpa, const void *buf, unsigned len)
{
	struct ram *r = ctx;
	uint8_t *p = ram_at(r, gpa, len);

	FUZZ_CHECK(len == 4 || len == 8, "entry write of %u bytes", len);
	if (!p)
		return false;
	r->writes++;
	if (!memcmp(p, buf, len))
		r->rewrote_same = true;
	memcpy(p, buf, len);
	return true;
}

/* ---- the reference model ---- */

static uint64_t bits(unsigned hi, unsigned lo)
{
	return (hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1) & ~((1ull << lo) - 1);
}

struct ref {
	const struct walk_request *rq;
	struct ram *ram;
	unsigned M;		/* MAXPHYADDR as the mode sees it */
	bool nxe;
	bool pae_like;		/* PAE or 4-level paging: 8-byte entries, XD */
	unsigned esize;
	/* The entries read, top first, and the outcome. */
	unsigned nread;
	unsigned level[4];
	uint64_t gpa[4], value[4];
	bool is_reg[4];
	struct walk_result r;
};

/* SDM 4.7: the error code's access bits. */
static uint32_t ref_access_bits(const struct ref *m)
{
	uint32_t a = m->rq->access, e = 0;
	bool fetch = a & WALK_FETCH;

	if (fetch && ((m->rq->ps.cr4 & CR4_SMEP) || (m->pae_like && m->nxe)))
		e |= PFEC_I;
	if (!fetch && (a & WALK_WRITE))
		e |= PFEC_W;
	if ((a & WALK_USER) && !(a & WALK_IMPLICIT))
		e |= PFEC_U;
	return e;
}

static void ref_fault(struct ref *m, uint32_t bits_)
{
	m->r.fault = true;
	m->r.pfec = ref_access_bits(m) | bits_;
}

/* Reads an entry of the given level at gpa; false (not_ram) when it is not RAM. */
static bool ref_read(struct ref *m, unsigned level, uint64_t gpa, uint64_t *e)
{
	uint32_t v32;
	uint8_t *p = ram_at(m->ram, gpa, m->esize);

	if (!p) {
		m->r.not_ram = true;
		return false;
	}
	if (m->esize == 4) {
		memcpy(&v32, p, 4);
		*e = v32;
	} else {
		memcpy(e, p, 8);
	}
	m->level[m->nread] = level;
	m->gpa[m->nread] = gpa;
	m->value[m->nread] = *e;
	m->is_reg[m->nread] = false;
	m->nread++;
	return true;
}

/* Present check, then reserved bits (SDM 4.7): true when the walk may go on. */
static bool ref_entry_ok(struct ref *m, uint64_t e, uint64_t reserved)
{
	if (!(e & PT_P)) {
		ref_fault(m, 0);
		return false;
	}
	if (e & reserved) {
		ref_fault(m, PFEC_P | PFEC_RSVD);
		return false;
	}
	return true;
}

/* Reserved bits common to every 8-byte entry: MAXPHYADDR up to top, and XD without NXE. */
static uint64_t ref_rsvd8(const struct ref *m, unsigned top)
{
	return bits(top, m->M) | (m->nxe ? 0 : PT_NX);
}

/* SDM 4.6: is the access allowed on a translation with these combined rights? */
static bool ref_allowed(const struct ref *m, bool u, bool w, bool x)
{
	uint32_t a = m->rq->access;
	bool implicit = a & WALK_IMPLICIT, fetch = a & WALK_FETCH;
	bool write = !fetch && (a & WALK_WRITE);
	bool cpl3 = (a & WALK_USER) && !implicit;
	uint64_t cr4 = m->rq->ps.cr4;

	if (cpl3) {
		if (!u)
			return false;
		if (fetch)
			return x;
		return !write || w;
	}
	if (fetch)
		return x && !(u && (cr4 & CR4_SMEP));
	if (u && (cr4 & CR4_SMAP) && (implicit || !(a & WALK_RFLAGS_AC)))
		return false;
	return !write || w || !(m->rq->ps.cr0 & CR0_WP);
}

/* Records a successful translation of a page of 2^shift bytes at frame, from the leaf. */
static void ref_leaf(struct ref *m, unsigned level, unsigned shift, uint64_t frame, uint64_t leaf,
		     bool u, bool w, bool x)
{
	m->r.leaf_level = level;
	m->r.page_size = 1ull << shift;
	m->r.gpa = frame | (m->rq->addr & bits(shift - 1, 0));
	m->r.access = (u ? ACC_USER : 0) | (w ? ACC_WRITE : 0) | (x ? ACC_EXEC : 0);
	m->r.dirty = leaf & PT_D;
	m->r.global = leaf & PT_G;
	if (!ref_allowed(m, u, w, x))
		ref_fault(m, PFEC_P);
}

/* SDM 4.3: 32-bit paging. */
static void ref_walk32(struct ref *m)
{
	const struct walk_request *rq = m->rq;
	uint32_t la = (uint32_t)rq->addr;
	uint64_t pde, pte;

	if (!ref_read(m, 2, (rq->ps.cr3 & 0xfffff000u) + ((la >> 22) << 2), &pde))
		return;
	if ((pde & PT_PS) && (rq->ps.cr4 & CR4_PSE)) {
		/* 4 MiB page: bits 20:13 are PA bits 39:32 up to M = min(MAXPHYADDR, 40) with
		 * PSE-36 (M = 32 without); the rest of 21:13 is reserved. */
		unsigned M = rq->pse36 ? (m->M > 40 ? 40 : m->M) : 32;
		uint64_t high = (pde >> 13) & 0xff;

		if (!ref_entry_ok(m, pde, bits(21, 13 + (M - 32))))
			return;
		ref_leaf(m, 2, 22, (pde & 0xffc00000u) | (rq->pse36 ? high << 32 : 0), pde,
			 pde & PT_US, pde & PT_RW, true);
		return;
	}
	if (!ref_entry_ok(m, pde, 0))
		return;
	if (!ref_read(m, 1, (pde & 0xfffff000u) + (((la >> 12) & 0x3ff) << 2), &pte))
		return;
	if (!ref_entry_ok(m, pte, 0))
		return;
	ref_leaf(m, 1, 12, pte & 0xfffff000u, pte, (pde & pte & PT_US), (pde & pte & PT_RW), true);
}

/* SDM 4.4: PAE paging, from the PDPTE registers (already checked when they were loaded). */
static void ref_walk_pae(struct ref *m)
{
	const struct walk_request *rq = m->rq;
	uint32_t la = (uint32_t)rq->addr;
	uint64_t pdpte = rq->pdptes[la >> 30], pde, pte;
	bool x;

	m->level[m->nread] = 3;
	m->gpa[m->nread] = 0;
	m->value[m->nread] = pdpte;
	m->is_reg[m->nread++] = true;
	if (!ref_entry_ok(m, pdpte, 0))
		return;
	if (!ref_read(m, 2, (pdpte & bits(m->M - 1, 12)) + (((la >> 21) & 0x1ff) << 3), &pde))
		return;
	if (pde & PT_PS) {
		if (!ref_entry_ok(m, pde, ref_rsvd8(m, 62) | bits(20, 13)))
			return;
		x = !(m->nxe && (pde & PT_NX));
		ref_leaf(m, 2, 21, pde & bits(m->M - 1, 21), pde, pde & PT_US, pde & PT_RW, x);
		return;
	}
	if (!ref_entry_ok(m, pde, ref_rsvd8(m, 62)))
		return;
	if (!ref_read(m, 1, (pde & bits(m->M - 1, 12)) + (((la >> 12) & 0x1ff) << 3), &pte))
		return;
	if (!ref_entry_ok(m, pte, ref_rsvd8(m, 62)))
		return;
	x = !(m->nxe && ((pde | pte) & PT_NX));
	ref_leaf(m, 1, 12, pte & bits(m->M - 1, 12), pte, pde & pte & PT_US, pde & pte & PT_RW, x);
}

/* SDM 4.5: 4-level paging. Bits 62:52 are ignored, 51:M reserved. */
static void ref_walk4(struct ref *m)
{
	const struct walk_request *rq = m->rq;
	uint64_t la = rq->addr, table = rq->ps.cr3 & bits(m->M - 1, 12);
	bool u = true, w = true, x = true;
	uint64_t e;

	for (unsigned level = 4; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t reserved = ref_rsvd8(m, 51);
		bool large;

		if (!ref_read(m, level, table + (((la >> shift) & 0x1ff) << 3), &e))
			return;
		/* PS: reserved in a PML4E; a 1 GiB page only where 1 GiB pages exist. */
		if (level == 4 || (level == 3 && !rq->gb_pages))
			reserved |= PT_PS;
		large = (level == 3 || level == 2) && (e & PT_PS) && !(reserved & PT_PS);
		if (large)
			reserved |= bits(shift - 1, 13);
		if (!ref_entry_ok(m, e, reserved))
			return;
		u = u && (e & PT_US);
		w = w && (e & PT_RW);
		x = x && !(m->nxe && (e & PT_NX));
		if (level == 1 || large) {
			ref_leaf(m, level, shift, e & bits(m->M - 1, shift), e, u, w, x);
			return;
		}
		table = e & bits(m->M - 1, 12);
	}
}

/* SDM 4.8: A in every entry used (not the PDPTE registers), D in the leaf on a write. */
static void ref_set_ad(struct ref *m)
{
	uint32_t a = m->rq->access;
	bool write = (a & WALK_WRITE) && !(a & WALK_FETCH);

	for (unsigned i = 0; i < m->nread; i++) {
		uint8_t *p;
		uint64_t v = 0, set = PT_A;

		if (m->is_reg[i])
			continue;
		if (i == m->nread - 1 && write)
			set |= PT_D;
		p = ram_at(m->ram, m->gpa[i], m->esize);
		memcpy(&v, p, m->esize);
		v |= set;
		memcpy(p, &v, m->esize);
	}
	if (write)
		m->r.dirty = true;
}

static void model_walk(struct ref *m)
{
	const struct walk_request *rq = m->rq;
	bool pg = rq->ps.cr0 & CR0_PG, pae = rq->ps.cr4 & CR4_PAE, lma = rq->ps.efer & EFER_LMA;
	unsigned cap = pae ? 52 : 40;

	memset(&m->r, 0, sizeof(m->r));
	m->nread = 0;
	m->M = rq->maxphyaddr < 32 ? 32 : rq->maxphyaddr > cap ? cap : rq->maxphyaddr;
	m->nxe = rq->ps.efer & EFER_NXE;
	m->pae_like = pae;
	m->esize = pae ? 8 : 4;
	if (!pg) {
		m->r.access = ACC_ALL;
		m->r.gpa = lma ? rq->addr : (uint32_t)rq->addr;
		return;
	}
	m->r.levels = !pae ? 2 : lma ? 4 : 3;
	m->r.pte_size = (uint8_t)m->esize;
	if (!pae)
		ref_walk32(m);
	else if (!lma)
		ref_walk_pae(m);
	else
		ref_walk4(m);
	if (!m->r.fault && !m->r.not_ram && rq->set_ad)
		ref_set_ad(m);
}

/* ---- the input ---- */

/* An entry value from the input: its own bits, with the address of a RAM frame unless the
 * selector keeps the value's own address bits. */
static uint64_t take_entry(struct fuzz_in *in, bool pae)
{
	uint8_t sel = fuzz_u8(in);
	uint64_t v = pae ? fuzz_u64(in) : fuzz_u32(in);

	if (sel < 4 * NPAGES) {
		uint64_t mask = pae ? bits(51, 12) : 0xfffff000u;

		v = (v & ~mask) | (frame_gpa(sel % NPAGES) & mask);
		if (!pae && frame_gpa(sel % NPAGES) >= (1ull << 32))
			v = (v & ~0x1fe000ull) | (((frame_gpa(sel % NPAGES) >> 32) & 0xff) << 13);
	}
	return v;
}

static void put_entry(struct ram *r, uint64_t gpa, uint64_t v, unsigned size)
{
	uint8_t *p = ram_at(r, gpa, size);

	if (p)
		memcpy(p, &v, size);
}

/* The PDPTE registers hold only what MOV CR3 accepts (SDM 4.4.1): no reserved bit when P. */
static uint64_t legal_pdpte(uint64_t v, unsigned M)
{
	if (v & PT_P)
		v &= ~(bits(63, M) | bits(8, 5) | bits(2, 1));
	return v;
}

static void check_same(const struct walk_result *w, const struct ref *m)
{
	const struct walk_result *r = &m->r;

	FUZZ_CHECK(w->levels == r->levels && w->pte_size == r->pte_size, "levels %u/%u", w->levels,
		   r->levels);
	FUZZ_CHECK(w->not_ram == r->not_ram, "not_ram: walker %d, model %d", w->not_ram, r->not_ram);
	FUZZ_CHECK(w->fault == r->fault, "fault: walker %d (pfec %#x), model %d (pfec %#x)", w->fault,
		   w->pfec, r->fault, r->pfec);
	if (r->fault)
		FUZZ_CHECK(w->pfec == r->pfec, "pfec: walker %#x, model %#x", w->pfec, r->pfec);
	for (unsigned i = 0; i < m->nread; i++) {
		unsigned l = m->level[i];

		FUZZ_CHECK(w->pte[l] == m->value[i], "level %u entry: walker %#llx, model %#llx", l,
			   (unsigned long long)w->pte[l], (unsigned long long)m->value[i]);
		FUZZ_CHECK(w->pte_gpa[l] == m->gpa[i], "level %u entry address: walker %#llx, model %#llx",
			   l, (unsigned long long)w->pte_gpa[l], (unsigned long long)m->gpa[i]);
	}
	if (r->fault || r->not_ram)
		return;
	FUZZ_CHECK(w->gpa == r->gpa, "gpa: walker %#llx, model %#llx", (unsigned long long)w->gpa,
		   (unsigned long long)r->gpa);
	FUZZ_CHECK(w->access == r->access, "access: walker %#x, model %#x", w->access, r->access);
	if (!r->levels)
		return;
	FUZZ_CHECK(w->leaf_level == r->leaf_level && w->page_size == r->page_size,
		   "leaf: walker level %u size %#llx, model level %u size %#llx", w->leaf_level,
		   (unsigned long long)w->page_size, r->leaf_level, (unsigned long long)r->page_size);
	FUZZ_CHECK(w->dirty == r->dirty && w->global == r->global, "dirty/global");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ram mem_w, mem_m, mem_0;
	struct fuzz_in in = { data, size };
	struct walk_request rq;
	struct walk_result out;
	struct ref m;
	uint8_t mode = fuzz_u8(&in), cfg = fuzz_u8(&in), acc = fuzz_u8(&in);
	bool pae;

	memset(&rq, 0, sizeof(rq));
	memset(&mem_w, 0, sizeof(mem_w));
	/* Mode: 0 paging off, 1 32-bit, 2 PAE, 3 4-level (LME with LMA). */
	rq.ps.cr0 = ((mode & 3) ? CR0_PG : 0) | 1 | ((cfg & 1) ? CR0_WP : 0);
	rq.ps.cr4 = ((mode & 3) >= 2 ? CR4_PAE : 0) | ((cfg & 2) ? CR4_PSE : 0) |
		    ((cfg & 4) ? CR4_SMEP : 0) | ((cfg & 8) ? CR4_SMAP : 0);
	rq.ps.efer = ((mode & 3) == 3 ? EFER_LME | EFER_LMA : 0) | ((cfg & 16) ? EFER_NXE : 0);
	rq.pse36 = cfg & 32;
	rq.gb_pages = cfg & 64;
	rq.set_ad = !(cfg & 128);
	rq.maxphyaddr = (uint8_t)(32 + (mode >> 2) % 21);	/* 32..52 */
	/* Access: a fetch is never a write, an implicit access is a supervisor data access. */
	rq.access = ((acc & 1) ? WALK_WRITE : 0) | ((acc & 2) ? WALK_USER : 0) |
		    ((acc & 4) ? WALK_FETCH : 0) | ((acc & 8) ? WALK_IMPLICIT : 0) |
		    ((acc & 16) ? WALK_RFLAGS_AC : 0);
	if (rq.access & WALK_FETCH)
		rq.access &= ~WALK_WRITE;
	if (rq.access & WALK_IMPLICIT)
		rq.access &= ~(WALK_FETCH | WALK_USER);
	rq.addr = fuzz_u64(&in);
	pae = rq.ps.cr4 & CR4_PAE;

	/* CR3 names a frame (bits the mode does not use may be set: the walker ignores them). */
	{
		uint8_t f = fuzz_u8(&in);

		rq.ps.cr3 = frame_gpa(f % NPAGES) | (fuzz_u16(&in) & 0xfff);
		if (!pae)
			rq.ps.cr3 &= 0xffffffffu;
	}
	for (int i = 0; i < 4; i++) {
		unsigned M = rq.maxphyaddr;

		rq.pdptes[i] = legal_pdpte(take_entry(&in, true), M);
		rq.ps.pdptes[i] = rq.pdptes[i];
	}

	/* One entry per level where the walk of addr reads it (if that is RAM). */
	{
		unsigned levels = !(rq.ps.cr0 & CR0_PG) ? 0 : !pae ? 2 : (rq.ps.efer & EFER_LMA) ? 4 : 2;
		unsigned esize = pae ? 8 : 4;
		uint64_t table = pae && !(rq.ps.efer & EFER_LMA) ? rq.pdptes[(rq.addr >> 30) & 3] & bits(51, 12)
								 : rq.ps.cr3 & (pae ? bits(51, 12) : 0xfffff000u);

		for (unsigned l = levels; l >= 1; l--) {
			unsigned shift = pae ? 12 + 9 * (l - 1) : 12 + 10 * (l - 1);
			uint64_t idx = pae ? (rq.addr >> shift) & 0x1ff : ((uint32_t)rq.addr >> shift) & 0x3ff;
			uint64_t e = take_entry(&in, pae);

			put_entry(&mem_w, table + idx * esize, e, esize);
			table = e & (pae ? bits(51, 12) : 0xfffff000u);
		}
	}
	/* Further entries anywhere: frame, slot, value. */
	while (in.n >= 4) {
		unsigned f = fuzz_u8(&in) % NPAGES, slot = fuzz_u16(&in);
		uint64_t e = take_entry(&in, pae);

		if (pae)
			put_entry(&mem_w, frame_gpa(f) + (slot % 512) * 8, e, 8);
		else
			put_entry(&mem_w, frame_gpa(f) + (slot % 1024) * 4, e, 4);
	}

	memcpy(&mem_m, &mem_w, sizeof(mem_m));
	memcpy(&mem_0, &mem_w, sizeof(mem_0));
	mem_w.writes = 0;
	mem_w.rewrote_same = false;
	{
		struct walk_mem wm = { .read = mem_read, .write = mem_write, .ctx = &mem_w };

		walk_guest(&rq, &wm, &out);
	}
	memset(&m, 0, sizeof(m));
	m.rq = &rq;
	m.ram = &mem_m;
	model_walk(&m);

	check_same(&out, &m);
	{
		/* The third opinion, on memory as it was before the walk (it only reads). */
		struct walk_mem wm0 = { .read = mem_read, .write = mem_write, .ctx = &mem_0 };
		struct ref_expect exp;

		ref_walk(&rq, &wm0, &exp);
		FUZZ_CHECK(exp.r.fault == m.r.fault && exp.r.not_ram == m.r.not_ram &&
			   (!m.r.fault || exp.r.pfec == m.r.pfec) &&
			   (m.r.fault || m.r.not_ram || exp.r.gpa == m.r.gpa),
			   "walk_ref: fault %d pfec %#x not_ram %d gpa %#llx; this model: %d %#x %d %#llx",
			   exp.r.fault, exp.r.pfec, exp.r.not_ram, (unsigned long long)exp.r.gpa, m.r.fault,
			   m.r.pfec, m.r.not_ram, (unsigned long long)m.r.gpa);
	}
	/* A value already there is written again only for an entry the walk used twice (a table
	 * that maps itself): the second update was computed from the value as first read. */
	if (mem_w.rewrote_same) {
		bool twice = false;

		for (unsigned i = 0; i < m.nread; i++)
			for (unsigned j = 0; j < i; j++)
				twice |= !m.is_reg[i] && !m.is_reg[j] && m.gpa[i] == m.gpa[j];
		FUZZ_CHECK(twice, "the walker rewrote an entry with its own value");
	}
	if (out.fault || out.not_ram || !rq.set_ad)
		FUZZ_CHECK(mem_w.writes == 0, "%u writes without a successful A/D walk", mem_w.writes);
	FUZZ_CHECK(memcmp(mem_w.page, mem_m.page, sizeof(mem_w.page)) == 0,
		   "guest memory after the walk differs from the model's A/D updates");
	return 0;
}
