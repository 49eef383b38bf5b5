/*
 * The two kinds of not-present shadow entry, and which one a shadow entry gets.
 *
 *   0          "not present in the guest": the guest's own entry is not present (P = 0), and
 *              every guest write to it is seen (its table is write-protected). The processor
 *              faults with P = 0, exactly as the guest's walk would; a backend that can let
 *              such faults reach the guest without an exit (VMX: exception bitmap bit 14 with
 *              PFEC_MASK = PFEC_MATCH = P, SDM Vol. 3C 25.2) saves the exit.
 *   SPTE_TRAP  "not yet shadowed": Umbra has not built this entry (a fresh shadow page, an
 *              entry cleared, an upper level not yet linked), or the guest's entry is present,
 *              or Umbra might miss the guest making it present. P = 1 with a bit reserved in
 *              every paging mode the host walks, so the access faults with P = 1 and RSVD = 1
 *              (SDM Vol. 3A 4.7) and always exits; the fault path then walks the guest.
 *
 * Safety (the guest is hostile): a present entry with a reserved bit set faults before the
 * processor uses its address (SDM Vol. 3A 4.4.2 and 4.5.4: "if the P flag is 1 and a reserved
 * bit is set, the entry is not used to translate", the access causes #PF with RSVD = 1), and
 * the processor caches no translation or paging-structure entry for it (SDM 4.10.2.3, 4.10.3.1:
 * only entries with no reserved bit set are cached). Its address bits are 0 besides.
 */
#ifndef UMBRA_MM_SPTE_H
#define UMBRA_MM_SPTE_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/pt.h"
#include "mm/shadow_page.h"

/*
 * Bit 51 is an address bit of every paging-structure entry of PAE and 4-level paging, the
 * two formats the host walks (SDM Vol. 3A 4.4.2 tables 4-8 to 4-11, 4.5.4 tables 4-14 to
 * 4-20: bits 51:M, M = MAXPHYADDR, are reserved in PAE entries up to bit 62 and in 4-level
 * entries up to bit 51). It is reserved exactly when the host's MAXPHYADDR is at most 51.
 */
#define SPTE_TRAP_RSVD_BIT	51
#define SPTE_TRAP		(PT_P | (1ULL << SPTE_TRAP_RSVD_BIT))

/* True when the host's physical-address width leaves bit 51 reserved (CPUID 80000008h). */
static inline bool spte_trap_usable(unsigned host_maxphyaddr)
{
	return host_maxphyaddr <= SPTE_TRAP_RSVD_BIT;
}

/* True for the "not yet shadowed" marker. No entry Umbra builds equals it: leaves carry A and
 * D, table links RW, US and A. */
static inline bool spte_is_trap(uint64_t e)
{
	return e == SPTE_TRAP;
}

/* True for a shadow entry that translates: P = 1 and not the marker. */
static inline bool spte_present(uint64_t e)
{
	return (e & PT_P) && !spte_is_trap(e);
}

/*
 * True when a #PF with P = 0 that the processor raises while walking the shadow tables of
 * a page with this role carries the error code the guest's own walk would produce (SDM
 * Vol. 3A 4.7), so that it may reach the guest directly:
 *   P = 0, RSVD = 0  the processor stops at the first not-present entry, before checking
 *                    rights or reserved bits below (4.7); the shadow entries above it are
 *                    Umbra's links, built from present guest entries without reserved bits
 *                    (a guest entry with one is SPTE_TRAP), so the guest's walk too stops at
 *                    its not-present entry at the same level, with P = 0 and RSVD = 0;
 *   W, U/S           describe the access (4.7), which is the guest's own access;
 *   PK               is set only by a protection-key violation, which needs a translation
 *                    (4.6.2): 0 on both sides;
 *   I/D              1 for a fetch only when CR4.SMEP = 1, or CR4.PAE = 1 and EFER.NXE = 1
 *                    (4.7). The host always pages with PAE, its CR4.SMEP is the guest's and
 *                    its EFER.NXE is host_nx (struct mmu_cpu): the bit matches the guest's
 *                    rule when the guest has SMEP, or when (guest PAE and NXE) == host_nx.
 *                    A 32-bit guest, or a PAE/4-level guest with NXE = 0, on a host with NX
 *                    and without SMEP would see I/D = 1 where its walk says 0: those roles
 *                    keep SPTE_TRAP for not-present guest entries (the fault exits and
 *                    Umbra reflects the exact code).
 * Direct pages shadow no guest table: every absent entry of theirs is SPTE_TRAP.
 */
static inline bool spte_np_exact(union sp_role role, bool host_nx)
{
	bool guest_reports_fetch = role.cr4_smep || (!role.gpte4 && role.efer_nxe);
	bool host_reports_fetch = role.cr4_smep || host_nx;

	return !role.direct && guest_reports_fetch == host_reports_fetch;
}

/*
 * True when every guest write to the table sp shadows is seen before the guest can rely on
 * it: the table is write-protected, so an entry it makes present reaches Umbra (a
 * not-present-to-present change needs no INVLPG, SDM Vol. 3A 4.10.4.3, so nothing else
 * would). A table let out of sync (mm/unsync_state.h) is not: the guest writes it freely, so its
 * absent entries must be SPTE_TRAP, and a fault there exits and walks the guest's table.
 */
static inline bool sp_guest_writes_visible(const struct shadow_page *sp)
{
	return !sp->unsync;
}

/*
 * The absent shadow entry for a guest entry whose P bit is guest_present, in sp; trap is the
 * MMU's marker (SPTE_TRAP, or 0 when no reserved bit is usable: then every absent entry is 0
 * and every #PF must exit, as before markers existed).
 */
static inline uint64_t spte_absent(const struct shadow_page *sp, bool guest_present,
				   bool host_nx, uint64_t trap)
{
	if (!guest_present && sp_guest_writes_visible(sp) && spte_np_exact(sp->role, host_nx))
		return 0;
	return trap;
}

#endif
