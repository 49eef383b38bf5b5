/* Debug-register bits (Intel SDM Vol. 3B 17.2.3 "Debug Status Register (DR6)", 17.2.4 "Debug
 * Control Register (DR7)"; AMD APM Vol. 2 13.1.1.3, 13.1.1.4), shared by C and assembly. */
#ifndef UMBRA_ARCH_DEBUGREG_H
#define UMBRA_ARCH_DEBUGREG_H

#define DR6_B0_B3		0xf		/* breakpoint conditions 0-3 met */
#define DR6_BD			(1u << 13)	/* debug-register access (DR7.GD) */
#define DR6_BS			(1u << 14)	/* single step (RFLAGS.TF) */
#define DR6_RTM			(1u << 16)	/* active low: #DB in an RTM region */
#define DR7_GD			(1u << 13)	/* general detect: cleared by each #DB */

#endif
