/*
 * The processor, for shadow-MMU host tests: walks Umbra's shadow tables as the CPU running the
 * guest would (SDM Vol. 3A 4.4-4.7), with the real control bits Umbra gives it while the guest
 * pages: CR0.WP = 1, EFER.NXE as the host's, and the guest's own CR4.SMEP and CR4.SMAP. It
 * knows what Umbra cannot see in a shadow entry (the CPL, EFLAGS.AC, implicit supervisor
 * accesses), and hw_run() plays Umbra's run loop around it: faults go to mmu_page_fault(), an
 * emulated write goes through the guest's translation as guest/exits/pt_write.c does.
 */
#ifndef UMBRA_TESTS_MMU_HW_H
#define UMBRA_TESTS_MMU_HW_H

#include "arch/pfec.h"
#include "arch/pt.h"
#include "mm/walk.h"
#include "tests/unit/mmu_fixture.h"

enum hw_kind { HW_READ, HW_WRITE, HW_FETCH };

/* One access as an instruction makes it. */
struct hw_access {
	uint64_t va;
	enum hw_kind kind;
	unsigned cpl;		/* 0 or 3 */
	bool implicit;		/* a supervisor-mode access whatever the CPL (descriptor tables) */
	bool ac;		/* EFLAGS.AC */
};

/* What came of it after Umbra handled the faults. */
struct hw_outcome {
	bool faulted;		/* the guest got #PF with pfec */
	uint32_t pfec;
	uint64_t hpa;		/* when not faulted: the host frame reached */
	bool emulated;		/* Umbra emulated the write instead of mapping it */
	/* Umbra asked to emulate an implicit write at CPL 0 with AC = 1 (CR0.WP = 0, SMAP, a
	 * read-only user page): it takes it for an explicit one, which the error code cannot
	 * tell apart, and the instruction (a descriptor load, say) is no write the emulator
	 * knows. Known limit: the outcome is the emulator's, not checked here. */
	bool emulate_implicit;
};

static inline uint32_t hw_walk_access(const struct hw_access *a)
{
	uint32_t acc = a->kind == HW_WRITE ? WALK_WRITE : a->kind == HW_FETCH ? WALK_FETCH : 0;

	if (a->cpl == 3)
		acc |= WALK_USER;
	if (a->implicit)
		acc |= WALK_IMPLICIT;
	if (a->ac)
		acc |= WALK_RFLAGS_AC;
	return acc;
}

static inline bool hw_gm_read(void *ctx, uint64_t gpa, void *buf, unsigned len)
{
	return guest_mem_read(ctx, gpa, buf, len);
}

static inline bool hw_gm_write(void *ctx, uint64_t gpa, const void *buf, unsigned len)
{
	return guest_mem_write(ctx, gpa, buf, len);
}

/* The guest's own verdict: a walk that changes nothing (the walker is checked against an
 * independent model by test_walk). */
static inline void hw_guest_walk(struct fixture *f, const struct paging_state *ps,
				 const struct hw_access *a, struct walk_result *w)
{
	struct walk_mem mem = { hw_gm_read, hw_gm_write, &f->gm };
	struct walk_request req = { .ps = *ps, .addr = a->va, .access = hw_walk_access(a),
				    .maxphyaddr = f->mmu.cpu.maxphyaddr, .pse36 = f->mmu.cpu.pse36,
				    .gb_pages = f->mmu.cpu.gb_pages, .set_ad = false };

	memcpy(req.pdptes, ps->pdptes, sizeof(req.pdptes));
	walk_guest(&req, &mem, w);
}

/*
 * The processor's translation of a on the shadow tables from the current root: true and *hpa
 * when the access is allowed, else false and the hardware error code in *pfec (SDM 4.7; U/S is
 * 0 for implicit accesses, I/D is set for fetches since the real EFER.NXE is on).
 */
static inline bool hw_translate(struct fixture *f, const struct paging_state *ps,
				const struct hw_access *a, uint64_t *hpa, uint32_t *pfec)
{
	enum paging_mode mode = paging_mode_of(ps);
	bool four = mode == PAGING_4LEVEL, paging = mode != PAGING_OFF;
	bool user = a->cpl == 3 && !a->implicit;
	bool write = a->kind == HW_WRITE, fetch = a->kind == HW_FETCH;
	bool smep = paging && (ps->cr4 & CR4_SMEP), smap = paging && (ps->cr4 & CR4_SMAP);
	uint64_t table = f->mmu.root, va = four ? a->va : (uint32_t)a->va;
	unsigned rights = ACC_ALL;
	bool ok;

	*pfec = (write ? PFEC_W : 0) | (user ? PFEC_U : 0) |
		(fetch && (f->mmu.cpu.host_nx || smep) ? PFEC_I : 0);
	for (unsigned level = four ? 4 : 3; level >= 1; level--) {
		bool pdpte = !four && level == 3;
		unsigned idx = pdpte ? (va >> 30) & 3 : (va >> (12 + 9 * (level - 1))) & 511;
		uint64_t e = ((uint64_t *)(uintptr_t)table)[idx];

		if (!(e & PT_P))
			return false;
		/* SDM 4.7: a reserved bit (51:M with the host's MAXPHYADDR M) in a present
		 * entry faults with P = 1 and RSVD = 1; a PDPTE with one fails VM entry. */
		if ((e & PT_ADDR_MASK) >> f->mmu.cpu.host_maxphyaddr) {
			assert_false(pdpte);
			*pfec |= PFEC_P | PFEC_RSVD;
			return false;
		}
		if (!pdpte) {
			if (!(e & PT_US))
				rights &= ~ACC_USER;
			if (!(e & PT_RW))
				rights &= ~ACC_WRITE;
			if (e & PT_NX) {
				assert_true(f->mmu.cpu.host_nx);	/* else a reserved bit */
				rights &= ~ACC_EXEC;
			}
		}
		assert_false(level > 1 && (e & PT_PS));	/* Umbra builds no large mappings */
		table = e & PT_ADDR_MASK;
	}
	/* SDM 4.6.1 with CR0.WP = 1. SMAP: AC lifts it for explicit accesses at CPL < 3 only. */
	if (fetch && !(rights & ACC_EXEC))
		ok = false;
	else if (user)
		ok = (rights & ACC_USER) && (!write || (rights & ACC_WRITE));
	else if (fetch)
		ok = !(smep && (rights & ACC_USER));
	else
		ok = (!write || (rights & ACC_WRITE)) &&
		     !(smap && (rights & ACC_USER) && (a->implicit || a->cpl == 3 || !a->ac));
	if (!ok) {
		*pfec |= PFEC_P;
		return false;
	}
	*hpa = table;
	return true;
}

/* What guest/exits/pt_write.c does for MMU_EMULATE_WRITE: the store goes through the guest's
 * translation at the instruction's CPL and AC, then the MMU hears of it. */
static inline struct hw_outcome hw_emulate_write(struct fixture *f, const struct paging_state *ps,
						 const struct hw_access *a)
{
	struct hw_outcome o = { .emulated = true };
	uint32_t access = WALK_WRITE | (a->cpl == 3 ? WALK_USER : 0) |
			  (a->ac ? WALK_RFLAGS_AC : 0);
	uint64_t gpa;
	uint32_t value = 0x5a5a5a5a;
	int r;

	/* The emulator runs instructions; an implicit access is no instruction's operand. */
	if (a->implicit && a->cpl == 0 && a->ac) {
		o.emulate_implicit = true;
		return o;
	}
	if (a->implicit)
		fail_msg("va %llx: Umbra asks to emulate an implicit write at CPL %u",
			 (unsigned long long)a->va, a->cpl);
	r = mmu_translate(&f->mmu, ps, a->va, access, &gpa, &o.pfec);
	assert_int_not_equal(r, -1);
	if (r == 1) {
		o.faulted = true;
		return o;
	}
	assert_true(guest_mem_write(&f->gm, gpa, &value, 4));
	mmu_guest_wrote(&f->mmu, gpa, 4);
	assert_true(guest_mem_gpa_to_hpa(&f->gm, gpa & ~0xfffULL, &o.hpa));
	return o;
}

/* Makes the access a, handling up to a few faults as Umbra's run loop would; an access that
 * still faults into Umbra after that is a livelock, and fails the test. */
static inline struct hw_outcome hw_run(struct fixture *f, const struct paging_state *ps,
				       const struct hw_access *a)
{
	struct hw_outcome o = { 0 };

	for (int tries = 0; tries < 8; tries++) {
		struct mmu_outcome out;
		uint32_t pfec;

		if (!f->mmu.root_valid)
			assert_int_not_equal(mmu_load_root(&f->mmu, ps), 0);
		if (hw_translate(f, ps, a, &o.hpa, &pfec))
			return o;
		/* VMX with the marker (mm/spte.h): a P = 0 fault goes to the guest without an
		 * exit, with the processor's error code; the callers compare it with the
		 * guest's walk. */
		if (f->mmu.trap && !(pfec & PFEC_P)) {
			o.faulted = true;
			o.pfec = pfec;
			f->direct_faults++;
			return o;
		}
		mmu_page_fault(&f->mmu, ps, a->va, pfec, a->cpl, a->ac, false, &out);
		switch (out.action) {
		case MMU_RETRY:
			continue;
		case MMU_INJECT_PF:
			assert_int_equal(out.cr2, paging_mode_of(ps) == PAGING_4LEVEL ? a->va :
					 (uint32_t)a->va);
			o.faulted = true;
			o.pfec = out.error_code;
			return o;
		case MMU_EMULATE_WRITE:
			assert_int_equal(a->kind, HW_WRITE);
			return hw_emulate_write(f, ps, a);
		case MMU_GUEST_FATAL:
			fail_msg("va %llx: guest stopped: %s", (unsigned long long)a->va, out.why);
		case MMU_EMULATE_MMIO:
			fail_msg("va %llx: MMIO without a window", (unsigned long long)a->va);
		}
	}
	fail_msg("va %llx kind %d cpl %u implicit %d ac %d: still faulting into Umbra (livelock)",
		 (unsigned long long)a->va, a->kind, a->cpl, a->implicit, a->ac);
	return o;
}

#endif
