/* #PF error code bits (Intel SDM Vol. 3A 4.7, figure 4-12; AMD APM Vol. 2 8.4.2). */
#ifndef UMBRA_ARCH_PFEC_H
#define UMBRA_ARCH_PFEC_H

#define PFEC_P		(1u << 0)	/* the fault was a protection violation (else not present) */
#define PFEC_W		(1u << 1)	/* write access */
#define PFEC_U		(1u << 2)	/* user-mode access */
#define PFEC_RSVD	(1u << 3)	/* reserved bit set in a paging-structure entry */
#define PFEC_I		(1u << 4)	/* instruction fetch */
#define PFEC_PK		(1u << 5)	/* protection key */

#endif
