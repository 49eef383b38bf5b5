/* XCR0 and the XSAVE state components (Intel SDM Vol. 1 13.1-13.3, table 13-1; AMD APM Vol. 2
 * 11.5.2). Shared by Umbra and its test guests. */
#ifndef UMBRA_ARCH_XSAVE_H
#define UMBRA_ARCH_XSAVE_H

#define XCR_XFEATURE_ENABLED_MASK	0	/* XCR0, the only XCR that XSETBV writes */

/* XCR0 bits: each enables one state component for XSAVE and for the instructions using it. */
#define  XCR0_X87			(1u << 0)	/* always 1: XSETBV refuses to clear it */
#define  XCR0_SSE			(1u << 1)	/* XMM0-15, MXCSR */
#define  XCR0_AVX			(1u << 2)	/* YMM upper halves; needs SSE */
#define  XCR0_BNDREG			(1u << 3)	/* MPX BND0-3; pairs with BNDCSR */
#define  XCR0_BNDCSR			(1u << 4)	/* MPX BNDCFGU, BNDSTATUS */
#define  XCR0_OPMASK			(1u << 5)	/* AVX-512 k0-7 */
#define  XCR0_ZMM_HI256			(1u << 6)	/* ZMM0-15 upper halves */
#define  XCR0_HI16_ZMM			(1u << 7)	/* ZMM16-31 */
#define  XCR0_PKRU			(1u << 9)	/* protection-key rights */
#define  XCR0_TILECFG			(1u << 17)	/* AMX TILECFG; pairs with TILEDATA */
#define  XCR0_TILEDATA			(1u << 18)	/* AMX TMM0-7 */
#define  XCR0_APX			(1u << 19)	/* APX R16-R31 */

/* Components that come in groups: XSETBV takes a group whole or not at all (SDM Vol. 1 13.3). */
#define XCR0_MPX			(XCR0_BNDREG | XCR0_BNDCSR)
#define XCR0_AVX512			(XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_AMX			(XCR0_TILECFG | XCR0_TILEDATA)

/* Supervisor components (PT, PASID, CET, HDC, UINTR, LBR, HWP): IA32_XSS only, reserved in
 * XCR0 (SDM Vol. 1 13.2). */
#define XCR0_XSS_ONLY			(0x1fdull << 8)	/* bits 8 and 10-16 */

#ifndef __ASSEMBLY__
#include <stdint.h>

/* XSETBV: value must pass every check of SDM Vol. 2C "XSETBV", or it raises #GP here. */
static inline void xcr_write(uint32_t xcr, uint64_t value)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xd1"	/* XSETBV, for assemblers without it */
			 : : "c"(xcr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}
#endif

#endif
