/*
 * Extended page tables (Intel SDM Vol. 3C 29.3): the bits of EPT paging-structure entries and
 * of the EPT pointer. Shared by mm/ (which builds the tables) and vmx/ (which loads EPTP).
 *
 *   EPT entry:  63 ... 52 | 51 ... 12 | 11 10 | 9 | 8 | 7  | 6   | 5:3   | 2 | 1 | 0
 *               ignored   | address   | ign.  | D | A | PS | IPAT| mtype | X | W | R
 */
#ifndef UMBRA_ARCH_EPT_H
#define UMBRA_ARCH_EPT_H

/* Every level (SDM Vol. 3C 29.3.2, tables 29-1 to 29-6). */
#define EPT_R			(1ULL << 0)	/* reads allowed */
#define EPT_W			(1ULL << 1)	/* writes allowed (never without R) */
#define EPT_X			(1ULL << 2)	/* instruction fetches allowed */
#define EPT_RWX			(EPT_R | EPT_W | EPT_X)
/* Leaf entries only (a 4 KiB PTE, or a PDE/PDPTE with PS). */
#define EPT_MEMTYPE_SHIFT	3		/* bits 5:3: EPT memory type (29.3.7.2) */
#define EPT_IGNORE_PAT		(1ULL << 6)	/* the guest's PAT plays no part */
#define EPT_PS			(1ULL << 7)	/* PDE: 2 MiB page, PDPTE: 1 GiB page */
#define EPT_A			(1ULL << 8)	/* accessed, with A/D in EPTP (29.3.5) */
#define EPT_D			(1ULL << 9)	/* dirty (leaf only), likewise */
#define EPT_ADDR_MASK		0x000ffffffffff000ULL

/* Memory types of EPT leaf entries and of EPTP (SDM Vol. 3C 29.3.7.2, 25.6.11). */
#define EPT_MT_UC		0ULL
#define EPT_MT_WB		6ULL

/* The EPT pointer (SDM Vol. 3C 25.6.11, table 25-9). */
#define EPTP_MT_WB		(EPT_MT_WB << 0)	/* 2:0: the tables' memory type */
#define EPTP_WALK_4		(3ULL << 3)		/* 5:3: page-walk length - 1 */
#define EPTP_AD_ENABLE		(1ULL << 6)		/* accessed and dirty flags */

#endif
