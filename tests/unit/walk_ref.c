/*
 * Reference model of the guest page-table walk (see walk_ref.h). Every rule cites the section of
 * the Intel SDM Vol. 3A (chapter 4, "Paging") it comes from. Deliberately plain: one function
 * per paging mode, each level spelled out, no tables of level descriptors.
 */
#include "tests/unit/walk_ref.h"

#include <string.h>

#include "arch/cr.h"
#include "arch/msr.h"
#include "mm/access.h"
#include "mm/mmu.h"

#define BIT(n)		(1ULL << (n))

/* Paging-structure entry bits used by every mode (SDM tables 4-4 to 4-6, 4-8 to 4-11, 4-14 to
 * 4-19). */
#define E_P	BIT(0)		/* present */
#define E_RW	BIT(1)		/* read/write */
#define E_US	BIT(2)		/* user/supervisor */
#define E_A	BIT(5)		/* accessed */
#define E_D	BIT(6)		/* dirty (leaf entries only) */
#define E_PS	BIT(7)		/* page size (PDE, PDPTE) */
#define E_G	BIT(8)		/* global (leaf entries only) */
#define E_XD	BIT(63)		/* execute-disable (PAE and 4-level) */

#define KiB	(1ULL << 10)
#define MiB	(1ULL << 20)
#define GiB	(1ULL << 30)

/* Bits hi..lo inclusive; empty when hi < lo. */
static uint64_t bits(unsigned hi, unsigned lo)
{
	uint64_t upto;

	if (hi < lo)
		return 0;
	upto = hi >= 63 ? ~0ULL : BIT(hi + 1) - 1;
	return upto & ~(BIT(lo) - 1);
}

/* What kind of access this is, in the terms of SDM 4.6. */
struct ref_access {
	bool write;
	bool fetch;
	bool user;		/* user-mode access: CPL 3 and not an implicit supervisor access */
	bool implicit;		/* implicit supervisor-mode access (GDT, IDT, TSS...) */
	bool ac;		/* EFLAGS.AC */
};

static struct ref_access decode_access(const struct walk_request *req)
{
	struct ref_access a;

	a.write = req->access & WALK_WRITE;
	a.fetch = req->access & WALK_FETCH;
	a.implicit = req->access & WALK_IMPLICIT;
	/* 4.6: implicit accesses are supervisor-mode accesses regardless of CPL. */
	a.user = (req->access & WALK_USER) && !a.implicit;
	a.ac = req->access & WALK_RFLAGS_AC;
	return a;
}

/*
 * SDM 4.7 (figure 4-12): the access bits of the error code. W (bit 1) is set for a write; U
 * (bit 2) for a user-mode access; I/D (bit 4) for an instruction fetch, but only if CR4.SMEP = 1
 * or (CR4.PAE = 1, i.e. PAE or 4-level paging, and IA32_EFER.NXE = 1). P (bit 0) and RSVD
 * (bit 3) are added by the caller.
 */
static uint32_t pfec_access_bits(const struct walk_request *req, bool cr4_pae)
{
	struct ref_access a = decode_access(req);
	uint32_t pfec = 0;

	if (a.write)
		pfec |= PFEC_W;
	if (a.user)
		pfec |= PFEC_U;
	if (a.fetch && ((req->ps.cr4 & CR4_SMEP) || (cr4_pae && (req->ps.efer & EFER_NXE))))
		pfec |= PFEC_I;
	return pfec;
}

/*
 * SDM 4.6.1: is the access allowed, given the rights combined over the paging-structure entries?
 *   user_addr: U/S = 1 in every entry used (a user-mode address; otherwise supervisor-mode)
 *   writable:  R/W = 1 in every entry used
 *   xd:        XD = 1 in some entry used, with IA32_EFER.NXE = 1 (never for 32-bit paging)
 */
static bool rights_allow(const struct walk_request *req, bool user_addr, bool writable, bool xd)
{
	struct ref_access a = decode_access(req);
	bool wp = req->ps.cr0 & CR0_WP;
	bool smep = req->ps.cr4 & CR4_SMEP;
	bool smap = req->ps.cr4 & CR4_SMAP;

	if (a.user) {
		/* 4.6.1, user-mode access: supervisor-mode addresses allow no access at all. */
		if (!user_addr)
			return false;
		/* 4.6.1: writes need R/W = 1 everywhere (CR0.WP does not matter for CPL 3). */
		if (a.write)
			return writable;
		/* 4.6.1: fetches need XD = 0 everywhere (when NXE = 1). */
		if (a.fetch)
			return !xd;
		return true;
	}

	/* Supervisor-mode access (explicit, or implicit at any CPL). */
	if (a.fetch) {
		/* 4.6.1: with CR4.SMEP = 1, no fetch from a user-mode address. */
		if (user_addr && smep)
			return false;
		/* 4.6.1: otherwise fetches need XD = 0 everywhere (when NXE = 1). */
		return !xd;
	}
	/*
	 * 4.6.1, data accesses to user-mode addresses with CR4.SMAP = 1: allowed only for an
	 * explicit access with EFLAGS.AC = 1; "if EFLAGS.AC = 0 or the access is implicit, data
	 * may not be read from (written to) any user-mode address".
	 */
	if (user_addr && smap && (a.implicit || !a.ac))
		return false;
	/* 4.6.1: supervisor writes with CR0.WP = 1 need R/W = 1 everywhere; with CR0.WP = 0 any
	 * (permitted) address may be written. */
	if (a.write && wp && !writable)
		return false;
	return true;
}

static bool read_entry(const struct walk_mem *mem, uint64_t gpa, unsigned size, uint64_t *val)
{
	uint32_t v32;
	uint64_t v64;

	if (size == 4) {
		if (!mem->read(mem->ctx, gpa, &v32, 4))
			return false;
		*val = v32;
	} else {
		if (!mem->read(mem->ctx, gpa, &v64, 8))
			return false;
		*val = v64;
	}
	return true;
}

/* Records the entry of a level as read, and returns false (not RAM) when it could not be. */
static bool fetch_level(struct ref_expect *exp, const struct walk_mem *mem, unsigned level,
			uint64_t gpa, unsigned size)
{
	uint64_t v;

	if (!read_entry(mem, gpa, size, &v)) {
		/* walk.h: an entry outside guest RAM ends the walk without a fault. */
		exp->r.not_ram = true;
		return false;
	}
	exp->r.pte[level] = v;
	exp->r.pte_gpa[level] = gpa;
	if (!exp->top_read)
		exp->top_read = level;
	exp->low_read = level;
	return true;
}

static void fault(struct ref_expect *exp, uint32_t pfec)
{
	exp->r.fault = true;
	exp->r.pfec = pfec;
}

/*
 * SDM 4.8: on a successful translation the processor sets A in every paging-structure entry it
 * used (if not already set) and, for a write, D in the entry that maps the page (if not already
 * set). walk.h: only when req->set_ad, nothing on a fault. One write per changed entry, the whole
 * entry. Levels top..leaf; for PAE the PDPTE (level 3) is a register and is never written.
 */
static void plan_ad(const struct walk_request *req, struct ref_expect *exp, unsigned top,
		    unsigned leaf)
{
	bool write = req->access & WALK_WRITE;
	unsigned level;

	exp->r.dirty = (exp->r.pte[leaf] & E_D) || (write && req->set_ad);
	if (!req->set_ad)
		return;
	for (level = top; level >= leaf; level--) {
		uint64_t old = exp->r.pte[level];
		uint64_t new = old | E_A;

		if (level == leaf && write)
			new |= E_D;
		if (new != old) {
			struct ref_write *w = &exp->writes[exp->nwrites++];

			w->gpa = exp->r.pte_gpa[level];
			w->size = exp->r.pte_size;
			w->value = new;
		}
	}
}

static unsigned acc_bits(bool user_addr, bool writable, bool xd)
{
	return (user_addr ? ACC_USER : 0) | (writable ? ACC_WRITE : 0) | (xd ? 0 : ACC_EXEC);
}

/* SDM 4.1.1 (table 4-1): CR0.PG = 0, linear addresses are physical; walk.h: truncated to 32
 * bits (no paging means no long mode). */
static void ref_walk_off(const struct walk_request *req, struct ref_expect *exp)
{
	exp->r.levels = 0;
	exp->r.gpa = req->addr & 0xffffffffULL;
	exp->r.access = ACC_ALL;
}

/* SDM 4.3: 32-bit paging. */
static void ref_walk_32(const struct walk_request *req, const struct walk_mem *mem,
			struct ref_expect *exp)
{
	uint32_t addr = (uint32_t)req->addr;	/* 4.3: 32-bit linear addresses */
	uint32_t base = pfec_access_bits(req, false);
	uint64_t pde, pte, pde_gpa, pte_gpa;
	bool user_addr, writable;

	exp->r.levels = 2;
	exp->r.pte_size = 4;

	/* 4.3: the PDE is at CR3[31:12] : linear[31:22] : 00. */
	pde_gpa = (req->ps.cr3 & 0xfffff000ULL) | ((uint64_t)(addr >> 22) << 2);
	if (!fetch_level(exp, mem, 2, pde_gpa, 4))
		return;
	pde = exp->r.pte[2];
	/* 4.3 / 4.7: P = 0 in the PDE: not-present fault (P = 0 in the error code). */
	if (!(pde & E_P)) {
		fault(exp, base);
		return;
	}

	if ((req->ps.cr4 & CR4_PSE) && (pde & E_PS)) {
		/*
		 * 4.3, table 4-4: with CR4.PSE = 1 and PS = 1 the PDE maps a 4 MiB page. PDE bits
		 * (M-20):13 are physical-address bits (M-1):32 and bits 21:(M-19) are reserved,
		 * where M = min(MAXPHYADDR, 40) with PSE-36 and M = 32 without it (so bits 21:13
		 * are all reserved then). A reserved bit gives a #PF with P = 1 and RSVD = 1.
		 */
		unsigned m = req->pse36 ? (req->maxphyaddr < 40 ? req->maxphyaddr : 40) : 32;
		uint64_t rsvd = bits(21, m - 19);

		if (pde & rsvd) {
			fault(exp, base | PFEC_P | PFEC_RSVD);
			return;
		}
		user_addr = pde & E_US;
		writable = pde & E_RW;
		/* 4.6: there is no XD bit in 32-bit paging, whatever IA32_EFER.NXE says. */
		if (!rights_allow(req, user_addr, writable, false)) {
			fault(exp, base | PFEC_P);
			return;
		}
		/* 4.3: PA[39:32] = PDE[20:13], PA[31:22] = PDE[31:22], PA[21:0] = linear[21:0]. */
		exp->r.gpa = (((pde >> 13) & 0xffULL) << 32) | (pde & 0xffc00000ULL) |
			     (addr & 0x3fffffULL);
		exp->r.leaf_level = 2;
		exp->r.page_size = 4 * MiB;
		exp->r.access = acc_bits(user_addr, writable, false);
		exp->r.global = pde & E_G;
		plan_ad(req, exp, 2, 2);
		return;
	}

	/*
	 * 4.3, table 4-5: otherwise (CR4.PSE = 0, where PS is ignored, or PS = 0) the PDE references
	 * a page table at PDE[31:12]. No bit of such a PDE is reserved.
	 * The PTE is at PDE[31:12] : linear[21:12] : 00.
	 */
	pte_gpa = (pde & 0xfffff000ULL) | (((uint64_t)(addr >> 12) & 0x3ff) << 2);
	if (!fetch_level(exp, mem, 1, pte_gpa, 4))
		return;
	pte = exp->r.pte[1];
	if (!(pte & E_P)) {
		fault(exp, base);
		return;
	}
	/* 4.3, table 4-6: no bit of a 32-bit PTE is reserved (bit 7 is PAT). */
	user_addr = (pde & E_US) && (pte & E_US);
	writable = (pde & E_RW) && (pte & E_RW);
	if (!rights_allow(req, user_addr, writable, false)) {
		fault(exp, base | PFEC_P);
		return;
	}
	/* 4.3: PA[31:12] = PTE[31:12], PA[11:0] = linear[11:0]. */
	exp->r.gpa = (pte & 0xfffff000ULL) | (addr & 0xfffULL);
	exp->r.leaf_level = 1;
	exp->r.page_size = 4 * KiB;
	exp->r.access = acc_bits(user_addr, writable, false);
	exp->r.global = pte & E_G;
	plan_ad(req, exp, 2, 1);
}

/* SDM 4.4: PAE paging. */
static void ref_walk_pae(const struct walk_request *req, const struct walk_mem *mem,
			 struct ref_expect *exp)
{
	uint32_t addr = (uint32_t)req->addr;	/* 4.4: 32-bit linear addresses */
	uint32_t base = pfec_access_bits(req, true);
	unsigned m = req->maxphyaddr;
	bool nxe = req->ps.efer & EFER_NXE;
	uint64_t addr_mask = bits(m - 1, 12);	/* 4.4.2: addresses are (M-1):12 */
	uint64_t pdpte, pde, pte, pde_gpa, pte_gpa, rsvd;
	bool user_addr, writable, xd;

	exp->r.levels = 3;
	exp->r.pte_size = 8;

	/*
	 * 4.4.1: the PDPTE comes from the PDPTE register selected by linear[31:30], never from
	 * memory. Its reserved bits were checked when it was loaded (walk.h); it carries no
	 * R/W, U/S, XD or A (bits 2:1 and 8:5 are reserved), so it neither limits rights nor is
	 * ever written. walk.h: its "guest-physical address" is 0.
	 */
	pdpte = req->pdptes[(addr >> 30) & 3];
	exp->r.pte[3] = pdpte;
	exp->r.pte_gpa[3] = 0;
	exp->top_read = exp->low_read = 3;
	/* 4.4.2: P = 0 in the PDPTE: not-present fault. */
	if (!(pdpte & E_P)) {
		fault(exp, base);
		return;
	}

	/* 4.4.2: the PDE is at PDPTE[(M-1):12] : linear[29:21] : 000. */
	pde_gpa = (pdpte & addr_mask) | (((uint64_t)(addr >> 21) & 0x1ff) << 3);
	if (!fetch_level(exp, mem, 2, pde_gpa, 8))
		return;
	pde = exp->r.pte[2];
	if (!(pde & E_P)) {
		fault(exp, base);
		return;
	}
	/*
	 * 4.4.2, tables 4-9 and 4-10: reserved in every PAE PDE are bits 62:M, and bit 63 when
	 * IA32_EFER.NXE = 0 (no XD then); a PDE that maps a 2 MiB page (PS = 1) also has bits
	 * 20:13 reserved. (Bits 62:52 are reserved in PAE paging, unlike 4-level paging.)
	 */
	rsvd = bits(62, m) | (nxe ? 0 : E_XD);
	if (pde & E_PS)
		rsvd |= bits(20, 13);
	if (pde & rsvd) {
		fault(exp, base | PFEC_P | PFEC_RSVD);
		return;
	}

	if (pde & E_PS) {
		/* 4.4.2: a 2 MiB page; PA = PDE[(M-1):21] : linear[20:0]. */
		user_addr = pde & E_US;
		writable = pde & E_RW;
		xd = nxe && (pde & E_XD);
		if (!rights_allow(req, user_addr, writable, xd)) {
			fault(exp, base | PFEC_P);
			return;
		}
		exp->r.gpa = (pde & bits(m - 1, 21)) | (addr & bits(20, 0));
		exp->r.leaf_level = 2;
		exp->r.page_size = 2 * MiB;
		exp->r.access = acc_bits(user_addr, writable, xd);
		exp->r.global = pde & E_G;
		plan_ad(req, exp, 2, 2);
		return;
	}

	/* 4.4.2: the PTE is at PDE[(M-1):12] : linear[20:12] : 000. */
	pte_gpa = (pde & addr_mask) | (((uint64_t)(addr >> 12) & 0x1ff) << 3);
	if (!fetch_level(exp, mem, 1, pte_gpa, 8))
		return;
	pte = exp->r.pte[1];
	if (!(pte & E_P)) {
		fault(exp, base);
		return;
	}
	/* 4.4.2, table 4-11: a PTE has bits 62:M reserved, and bit 63 when NXE = 0. */
	rsvd = bits(62, m) | (nxe ? 0 : E_XD);
	if (pte & rsvd) {
		fault(exp, base | PFEC_P | PFEC_RSVD);
		return;
	}
	/* 4.6: rights combine the PDE and the PTE (the PDPTE has none). */
	user_addr = (pde & E_US) && (pte & E_US);
	writable = (pde & E_RW) && (pte & E_RW);
	xd = nxe && ((pde & E_XD) || (pte & E_XD));
	if (!rights_allow(req, user_addr, writable, xd)) {
		fault(exp, base | PFEC_P);
		return;
	}
	/* 4.4.2: PA = PTE[(M-1):12] : linear[11:0]. */
	exp->r.gpa = (pte & addr_mask) | (addr & 0xfffULL);
	exp->r.leaf_level = 1;
	exp->r.page_size = 4 * KiB;
	exp->r.access = acc_bits(user_addr, writable, xd);
	exp->r.global = pte & E_G;
	plan_ad(req, exp, 2, 1);
}

/* SDM 4.5: 4-level paging (IA-32e mode, CR4.LA57 = 0). */
static void ref_walk_4level(const struct walk_request *req, const struct walk_mem *mem,
			    struct ref_expect *exp)
{
	uint64_t addr = req->addr;
	uint32_t base = pfec_access_bits(req, true);
	unsigned m = req->maxphyaddr;
	bool nxe = req->ps.efer & EFER_NXE;
	uint64_t addr_mask = bits(m - 1, 12);	/* 4.5.4: addresses are (M-1):12 */
	/* 4.5.4, tables 4-14 to 4-20: bits 51:M are reserved in every entry, and bit 63 when
	 * IA32_EFER.NXE = 0. Bits 62:52 are ignored (62:59 are protection keys only with
	 * CR4.PKE, which this model does not set). */
	uint64_t rsvd_common = bits(51, m) | (nxe ? 0 : E_XD);
	uint64_t pml4e, pdpte, pde, pte, gpa, rsvd;
	bool user_addr, writable, xd;

	exp->r.levels = 4;
	exp->r.pte_size = 8;

	/* 4.5.4: the PML4E is at CR3[(M-1):12] : linear[47:39] : 000. */
	gpa = (req->ps.cr3 & addr_mask) | (((addr >> 39) & 0x1ff) << 3);
	if (!fetch_level(exp, mem, 4, gpa, 8))
		return;
	pml4e = exp->r.pte[4];
	if (!(pml4e & E_P)) {
		fault(exp, base);
		return;
	}
	/* 4.5.4, table 4-15: a PML4E has PS (bit 7) reserved. */
	rsvd = rsvd_common | E_PS;
	if (pml4e & rsvd) {
		fault(exp, base | PFEC_P | PFEC_RSVD);
		return;
	}

	/* 4.5.4: the PDPTE is at PML4E[(M-1):12] : linear[38:30] : 000. */
	gpa = (pml4e & addr_mask) | (((addr >> 30) & 0x1ff) << 3);
	if (!fetch_level(exp, mem, 3, gpa, 8))
		return;
	pdpte = exp->r.pte[3];
	if (!(pdpte & E_P)) {
		fault(exp, base);
		return;
	}
	/*
	 * 4.5.4, table 4-16: a PDPTE with PS = 1 maps a 1 GiB page and has bits 29:13 reserved;
	 * if 1 GiB pages are not supported (CPUID.80000001H:EDX.Page1GB = 0), PS itself is
	 * reserved (4.1.4).
	 */
	rsvd = rsvd_common;
	if (pdpte & E_PS)
		rsvd |= req->gb_pages ? bits(29, 13) : E_PS;
	if (pdpte & rsvd) {
		fault(exp, base | PFEC_P | PFEC_RSVD);
		return;
	}
	if (pdpte & E_PS) {
		user_addr = (pml4e & E_US) && (pdpte & E_US);
		writable = (pml4e & E_RW) && (pdpte & E_RW);
		xd = nxe && ((pml4e & E_XD) || (pdpte & E_XD));
		if (!rights_allow(req, user_addr, writable, xd)) {
			fault(exp, base | PFEC_P);
			return;
		}
		/* 4.5.4: PA = PDPTE[(M-1):30] : linear[29:0]. */
		exp->r.gpa = (pdpte & bits(m - 1, 30)) | (addr & bits(29, 0));
		exp->r.leaf_level = 3;
		exp->r.page_size = GiB;
		exp->r.access = acc_bits(user_addr, writable, xd);
		exp->r.global = pdpte & E_G;
		plan_ad(req, exp, 4, 3);
		return;
	}

	/* 4.5.4: the PDE is at PDPTE[(M-1):12] : linear[29:21] : 000. */
	gpa = (pdpte & addr_mask) | (((addr >> 21) & 0x1ff) << 3);
	if (!fetch_level(exp, mem, 2, gpa, 8))
		return;
	pde = exp->r.pte[2];
	if (!(pde & E_P)) {
		fault(exp, base);
		return;
	}
	/* 4.5.4, table 4-18: a PDE with PS = 1 maps a 2 MiB page and has bits 20:13 reserved. */
	rsvd = rsvd_common;
	if (pde & E_PS)
		rsvd |= bits(20, 13);
	if (pde & rsvd) {
		fault(exp, base | PFEC_P | PFEC_RSVD);
		return;
	}
	if (pde & E_PS) {
		user_addr = (pml4e & E_US) && (pdpte & E_US) && (pde & E_US);
		writable = (pml4e & E_RW) && (pdpte & E_RW) && (pde & E_RW);
		xd = nxe && ((pml4e & E_XD) || (pdpte & E_XD) || (pde & E_XD));
		if (!rights_allow(req, user_addr, writable, xd)) {
			fault(exp, base | PFEC_P);
			return;
		}
		/* 4.5.4: PA = PDE[(M-1):21] : linear[20:0]. */
		exp->r.gpa = (pde & bits(m - 1, 21)) | (addr & bits(20, 0));
		exp->r.leaf_level = 2;
		exp->r.page_size = 2 * MiB;
		exp->r.access = acc_bits(user_addr, writable, xd);
		exp->r.global = pde & E_G;
		plan_ad(req, exp, 4, 2);
		return;
	}

	/* 4.5.4: the PTE is at PDE[(M-1):12] : linear[20:12] : 000. */
	gpa = (pde & addr_mask) | (((addr >> 12) & 0x1ff) << 3);
	if (!fetch_level(exp, mem, 1, gpa, 8))
		return;
	pte = exp->r.pte[1];
	if (!(pte & E_P)) {
		fault(exp, base);
		return;
	}
	/* 4.5.4, table 4-19: a PTE has only the common reserved bits (bit 7 is PAT). */
	if (pte & rsvd_common) {
		fault(exp, base | PFEC_P | PFEC_RSVD);
		return;
	}
	/* 4.6: rights combine all four levels. */
	user_addr = (pml4e & E_US) && (pdpte & E_US) && (pde & E_US) && (pte & E_US);
	writable = (pml4e & E_RW) && (pdpte & E_RW) && (pde & E_RW) && (pte & E_RW);
	xd = nxe && ((pml4e & E_XD) || (pdpte & E_XD) || (pde & E_XD) || (pte & E_XD));
	if (!rights_allow(req, user_addr, writable, xd)) {
		fault(exp, base | PFEC_P);
		return;
	}
	/* 4.5.4: PA = PTE[(M-1):12] : linear[11:0]. */
	exp->r.gpa = (pte & addr_mask) | (addr & 0xfffULL);
	exp->r.leaf_level = 1;
	exp->r.page_size = 4 * KiB;
	exp->r.access = acc_bits(user_addr, writable, xd);
	exp->r.global = pte & E_G;
	plan_ad(req, exp, 4, 1);
}

void ref_walk(const struct walk_request *req, const struct walk_mem *mem, struct ref_expect *exp)
{
	memset(exp, 0, sizeof(*exp));
	/* 4.1.1, table 4-1: the mode follows CR0.PG, CR4.PAE and IA32_EFER.LMA. */
	if (!(req->ps.cr0 & CR0_PG))
		ref_walk_off(req, exp);
	else if (!(req->ps.cr4 & CR4_PAE))
		ref_walk_32(req, mem, exp);
	else if (!(req->ps.efer & EFER_LMA))
		ref_walk_pae(req, mem, exp);
	else
		ref_walk_4level(req, mem, exp);
}
