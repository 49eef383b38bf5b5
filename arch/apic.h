/*
 * Local APIC and I/O APIC hardware constants: Intel SDM Vol. 3A chapter 11 ("Advanced
 * Programmable Interrupt Controller") for the local APIC and its x2APIC mode, and the Intel
 * 82093AA I/O APIC datasheet (order 290566) for the I/O APIC. Shared by C and assembly.
 */
#ifndef UMBRA_ARCH_APIC_H
#define UMBRA_ARCH_APIC_H

/* IA32_APIC_BASE (MSR 1BH, SDM 11.4.4 figure 11-5, 11.12.1 for EXTD). */
#define MSR_IA32_APIC_BASE		0x0000001b
#define  APIC_BASE_BSP			(1u << 8)	/* the bootstrap processor (read-only) */
#define  APIC_BASE_EXTD			(1u << 10)	/* x2APIC mode */
#define  APIC_BASE_EN			(1u << 11)	/* APIC global enable */
#define  APIC_BASE_ADDR_SHIFT		12		/* bits MAXPHYADDR-1:12: the xAPIC page */
#define  APIC_BASE_ADDR_MASK		0x000ffffffffff000ull	/* at the widest MAXPHYADDR, 52 */
#define APIC_DEFAULT_BASE		0xfee00000u	/* after reset (SDM 11.4.1) */
#define APIC_MMIO_SIZE			0x1000u		/* one 4 KiB page of registers */

/* IA32_TSC_DEADLINE (MSR 6E0H, SDM 11.5.4.1), with CPUID.1:ECX[24]. */
#define MSR_IA32_TSC_DEADLINE		0x000006e0

/* x2APIC registers are MSRs 800H + (xAPIC offset >> 4) (SDM 11.12.1.2, table 11-6). */
#define MSR_X2APIC_FIRST		0x00000800
#define MSR_X2APIC_LAST			0x000008ff

/* Local APIC register offsets in the xAPIC page (SDM 11.4.1 table 11-1). Registers are 32 bits
 * wide at 16-byte-aligned offsets. */
#define APIC_REG_ID			0x020
#define APIC_REG_VERSION		0x030
#define APIC_REG_TPR			0x080	/* task priority */
#define APIC_REG_APR			0x090	/* arbitration priority (xAPIC only) */
#define APIC_REG_PPR			0x0a0	/* processor priority (read-only) */
#define APIC_REG_EOI			0x0b0	/* write-only */
#define APIC_REG_RRD			0x0c0	/* remote read (xAPIC only) */
#define APIC_REG_LDR			0x0d0	/* logical destination */
#define APIC_REG_DFR			0x0e0	/* destination format (xAPIC only) */
#define APIC_REG_SPIV			0x0f0	/* spurious-interrupt vector */
#define APIC_REG_ISR			0x100	/* in-service, 8 registers 0x100-0x170 */
#define APIC_REG_TMR			0x180	/* trigger mode, 0x180-0x1f0 */
#define APIC_REG_IRR			0x200	/* interrupt request, 0x200-0x270 */
#define APIC_REG_ESR			0x280	/* error status */
#define APIC_REG_LVT_CMCI		0x2f0
#define APIC_REG_ICR_LO			0x300	/* interrupt command, bits 31:0 */
#define APIC_REG_ICR_HI			0x310	/* bits 63:32 (xAPIC only: x2APIC ICR is one MSR) */
#define APIC_REG_LVT_TIMER		0x320
#define APIC_REG_LVT_THERMAL		0x330
#define APIC_REG_LVT_PERF		0x340
#define APIC_REG_LVT_LINT0		0x350
#define APIC_REG_LVT_LINT1		0x360
#define APIC_REG_LVT_ERROR		0x370
#define APIC_REG_TIMER_INIT		0x380	/* initial count */
#define APIC_REG_TIMER_CUR		0x390	/* current count (read-only) */
#define APIC_REG_TIMER_DIV		0x3e0	/* divide configuration */
#define APIC_REG_SELF_IPI		0x3f0	/* x2APIC only, write-only (SDM 11.12.11) */

/* Version register (SDM 11.4.8 figure 11-7): version 10H-15H is an integrated APIC; bits
 * 23:16 the max LVT entry (number of entries - 1); bit 24 EOI-broadcast suppression. */
#define APIC_VERSION_INTEGRATED		0x14u
#define APIC_VERSION_MAX_LVT_SHIFT	16

/* Spurious-interrupt vector register (SDM 11.9 figure 11-23). */
#define APIC_SPIV_VECTOR		0xffu
#define APIC_SPIV_ENABLE		(1u << 8)	/* APIC software enable */
#define APIC_SPIV_FOCUS_DISABLE		(1u << 9)

/* Local vector table entries (SDM 11.5.1 figure 11-8). */
#define APIC_LVT_VECTOR			0xffu
#define APIC_LVT_DELIVERY_SHIFT		8		/* bits 10:8, not in the timer/error LVT */
#define APIC_LVT_DELIVERY_MASK		(7u << 8)
#define APIC_LVT_STATUS			(1u << 12)	/* delivery status (read-only) */
#define APIC_LVT_POLARITY		(1u << 13)	/* LINT0/1 only */
#define APIC_LVT_REMOTE_IRR		(1u << 14)	/* LINT0/1 only, read-only */
#define APIC_LVT_LEVEL			(1u << 15)	/* trigger mode, LINT0/1 only */
#define APIC_LVT_MASKED			(1u << 16)
#define APIC_LVT_TIMER_MODE_SHIFT	17		/* bits 18:17, timer only */
#define APIC_LVT_TIMER_MODE_MASK	(3u << 17)
#define  APIC_TIMER_ONESHOT		0u
#define  APIC_TIMER_PERIODIC		1u
#define  APIC_TIMER_TSC_DEADLINE	2u

/* Delivery modes of LVT entries, ICR and I/O APIC redirection entries (SDM 11.5.1, 11.6.1;
 * 82093AA 3.2.4 table 3). */
#define APIC_DM_FIXED			0u
#define APIC_DM_LOWEST			1u
#define APIC_DM_SMI			2u
#define APIC_DM_NMI			4u
#define APIC_DM_INIT			5u
#define APIC_DM_STARTUP			6u
#define APIC_DM_EXTINT			7u

/* Error status register bits (SDM 11.5.3 figure 11-9). */
#define APIC_ESR_SEND_ILLEGAL_VECTOR	(1u << 5)
#define APIC_ESR_RECV_ILLEGAL_VECTOR	(1u << 6)
#define APIC_ESR_ILLEGAL_REGISTER	(1u << 7)

/* Interrupt command register (SDM 11.6.1 figure 11-12). */
#define APIC_ICR_VECTOR			0xffu
#define APIC_ICR_DELIVERY_SHIFT		8
#define APIC_ICR_DEST_LOGICAL		(1u << 11)
#define APIC_ICR_STATUS			(1u << 12)	/* send pending (read-only) */
#define APIC_ICR_LEVEL_ASSERT		(1u << 14)
#define APIC_ICR_LEVEL			(1u << 15)	/* trigger mode */
#define APIC_ICR_SHORTHAND_SHIFT	18		/* bits 19:18 */
#define  APIC_SHORTHAND_NONE		0u
#define  APIC_SHORTHAND_SELF		1u
#define  APIC_SHORTHAND_ALL		2u
#define  APIC_SHORTHAND_OTHERS		3u
#define APIC_ICR_XAPIC_DEST_SHIFT	24		/* ICR_HI bits 31:24: destination */

/* Destination format register models (SDM 11.6.2.2). */
#define APIC_DFR_FLAT			0xffffffffu
#define APIC_DFR_CLUSTER		0x0fffffffu

/* Divide configuration register: bits 0, 1 and 3 (SDM 11.5.4 figure 11-10). */
#define APIC_TIMER_DIV_BITS		0x0bu

/* Vectors 0-15 are illegal for fixed delivery (SDM 11.5.2). */
#define APIC_FIRST_LEGAL_VECTOR		16u

/* I/O APIC (82093AA datasheet 3.0): two memory-mapped registers, an index and a data window,
 * in a 4 KiB page whose default base is FEC00000H (datasheet 3.0, APIC base address). */
#define IOAPIC_DEFAULT_BASE		0xfec00000u
#define IOAPIC_MMIO_SIZE		0x1000u
#define IOAPIC_IOREGSEL			0x00	/* 3.1.1: index, bits 7:0 */
#define IOAPIC_IOWIN			0x10	/* 3.1.2: the selected register, 32 bits */
/* Indirect registers (3.2 table 2). */
#define IOAPIC_REG_ID			0x00	/* 3.2.1: ID in bits 27:24 */
#define IOAPIC_REG_VERSION		0x01	/* 3.2.2: version 7:0, max redirection entry 23:16 */
#define IOAPIC_REG_ARB			0x02	/* 3.2.3: arbitration ID in bits 27:24 */
#define IOAPIC_REG_REDIR		0x10	/* 3.2.4: entry n at 10H + 2n (low), 11H + 2n (high) */
#define IOAPIC_VERSION			0x11u	/* the 82093AA's version */
#define IOAPIC_PINS			24u
#define IOAPIC_ID_SHIFT			24
#define IOAPIC_ID_MASK			(0xfu << 24)
/* Redirection entry bits (3.2.4): as the LVT's for vector, delivery, polarity, remote IRR,
 * trigger and mask, plus: */
#define IOAPIC_REDIR_DEST_LOGICAL	(1u << 11)
#define IOAPIC_REDIR_STATUS		(1u << 12)	/* delivery status, read-only */
#define IOAPIC_REDIR_POLARITY		(1u << 13)	/* 1: active low */
#define IOAPIC_REDIR_REMOTE_IRR		(1u << 14)	/* read-only */
#define IOAPIC_REDIR_LEVEL		(1u << 15)
#define IOAPIC_REDIR_MASKED		(1u << 16)
#define IOAPIC_REDIR_DEST_SHIFT		56		/* bits 63:56 */

#endif
