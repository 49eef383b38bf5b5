/* Host page-table entry bits (Intel SDM Vol. 3A 4.5 "4-Level Paging", tables 4-15 to 4-20). */
#ifndef UMBRA_ARCH_PT_H
#define UMBRA_ARCH_PT_H

#define PT_P		(1 << 0)	/* present */
#define PT_RW		(1 << 1)	/* writable */
#define PT_US		(1 << 2)	/* user accessible */
#define PT_PWT		(1 << 3)	/* page-level write-through */
#define PT_PCD		(1 << 4)	/* page-level cache disable */
#define PT_A		(1 << 5)	/* accessed */
#define PT_D		(1 << 6)	/* dirty (leaf only) */
#define PT_PS		(1 << 7)	/* large page (PDPTE: 1 GiB, PDE: 2 MiB) */
#define PT_G		(1 << 8)	/* global (leaf only) */
#ifndef __ASSEMBLY__
#define PT_NX		(1ULL << 63)	/* no execute, with EFER.NXE */
#define PT_ADDR_MASK	0x000ffffffffff000ULL	/* bits 51:12 */
#endif

#define PT_ENTRIES	512
#define PT_SHIFT_L1	12
#define PT_SHIFT_L2	21
#define PT_SHIFT_L3	30
#define PT_SHIFT_L4	39

#endif
