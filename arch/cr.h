/* Control-register bits (Intel SDM Vol. 3A 2.5 "Control Registers"; AMD APM Vol. 2 3.1). */
#ifndef UMBRA_ARCH_CR_H
#define UMBRA_ARCH_CR_H

#define CR0_PE		(1 << 0)	/* protection enable */
#define CR0_MP		(1 << 1)	/* monitor coprocessor */
#define CR0_EM		(1 << 2)	/* x87 emulation */
#define CR0_TS		(1 << 3)	/* task switched */
#define CR0_ET		(1 << 4)	/* extension type (hardwired 1) */
#define CR0_NE		(1 << 5)	/* native x87 error reporting */
#define CR0_WP		(1 << 16)	/* supervisor writes honour read-only pages */
#define CR0_AM		(1 << 18)	/* alignment mask */
#define CR0_NW		(1 << 29)	/* not write-through */
#define CR0_CD		(1 << 30)	/* cache disable */
#define CR0_PG		0x80000000	/* paging (written in hex: 1 << 31 would be a negative int) */

#define CR4_VME		(1 << 0)	/* virtual-8086 mode extensions */
#define CR4_PVI		(1 << 1)	/* protected-mode virtual interrupts */
#define CR4_TSD		(1 << 2)	/* RDTSC is privileged */
#define CR4_DE		(1 << 3)	/* debugging extensions */
#define CR4_PSE		(1 << 4)	/* 4 MiB pages in 32-bit paging */
#define CR4_PAE		(1 << 5)	/* physical address extension */
#define CR4_MCE		(1 << 6)	/* machine-check enable */
#define CR4_PGE		(1 << 7)	/* global pages */
#define CR4_PCE		(1 << 8)	/* RDPMC at any privilege */
#define CR4_OSFXSR	(1 << 9)	/* FXSAVE/FXRSTOR and SSE enabled */
#define CR4_OSXMMEXCPT	(1 << 10)	/* unmasked SIMD exceptions */
#define CR4_UMIP	(1 << 11)	/* user-mode instruction prevention */
#define CR4_LA57	(1 << 12)	/* 5-level paging */
#define CR4_VMXE	(1 << 13)	/* VMX enable */
#define CR4_SMXE	(1 << 14)	/* SMX enable */
#define CR4_FSGSBASE	(1 << 16)	/* RDFSBASE and friends */
#define CR4_PCIDE	(1 << 17)	/* process-context identifiers */
#define CR4_OSXSAVE	(1 << 18)	/* XSAVE and XSETBV enabled */
#define CR4_SMEP	(1 << 20)	/* supervisor-mode execution prevention */
#define CR4_SMAP	(1 << 21)	/* supervisor-mode access prevention */
#define CR4_PKE		(1 << 22)	/* protection keys */

#endif
