/*
 * Helpers for the page-table-write scenarios (tests/guests/pt_*.c): Umbra detection and its
 * counter port, a demand-paging #PF handler (32-bit and 64-bit), and single instructions that
 * modify memory run from 32-bit or 64-bit code (ptw_stubs.S).
 *
 * Shared with ptw_stubs.S: the constants only.
 */
#ifndef GUEST_PTW_H
#define GUEST_PTW_H

/* Frames the instruction scenarios map: the first pool pages, allocated right after pg_init()
 * (ptw_frames_init() checks that), so immediates can name them. Frame k holds PTW_MARK(k) at
 * offset 0 and RET (0xc3) everywhere else. */
#define PTW_FRAME_BASE		0x00200000
#define PTW_FRAMES		32
#define PTW_FRAME(k)		(PTW_FRAME_BASE + (k) * 0x1000)
#define PTW_MARK(k)		(0xf1a00000 + (k))
#define PTW_LEAF		0x63		/* P | W | A | D */
#define PTW_IMM32		(PTW_FRAME(2) + PTW_LEAF)	/* the MOV-immediate PTE */

/* struct ptw_req offsets */
#define PTWR_FN		0
#define PTWR_ADDR	8
#define PTWR_AX		16
#define PTWR_BX		24
#define PTWR_CX		32
#define PTWR_DX		40
#define PTWR_SI		48
#define PTWR_DI		56
#define PTWR_FLAGS	64
#define PTWR_DONE	72

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>
#include "paging.h"

/* Umbra announces itself with CPUID leaf 0x40000000, signature "UmbraUmbraUm". */
bool ptw_umbra(void);
/* One counter of Umbra's counter port (guest/umbra_abi.h); all-ones without Umbra. */
uint64_t ptw_counter(uint32_t index);

/* Allocates the PTW_FRAMES frames (first thing after pg_init) and fills them. */
void ptw_frames_init(void);

/*
 * One instruction on memory. fn is a snippet of ptw_stubs.S; the memory operand is at addr
 * ((%ebp) in 32-bit code, (%r8) in 64-bit code); the string instructions use SI/DI/CX as given.
 * The registers come back as the instruction left them, flags included. done is 0 when the
 * instruction faulted.
 */
struct ptw_req {
	uint64_t fn;
	uint64_t addr;
	uint64_t ax, bx, cx, dx, si, di;
	uint64_t flags;
	uint64_t done;
};

/* Runs req in 32-bit code (protected or compatibility mode) or in 64-bit code (long mode only). */
void ptw_run32(struct ptw_req *req);
void ptw_run64(struct ptw_req *req);

/* The snippets. */
extern char ptw32_mov_r[], ptw32_mov_i[], ptw32_xchg[], ptw32_cmpxchg[], ptw32_cmpxchg8b[],
	ptw32_lock_or[], ptw32_lock_and[], ptw32_xor[], ptw32_lock_xor[], ptw32_add[],
	ptw32_sub[], ptw32_adc[], ptw32_sbb[], ptw32_bts[], ptw32_btr_r[], ptw32_btc[],
	ptw32_rep_stos[], ptw32_rep_movs[];
extern char ptw64_mov_r[], ptw64_mov_i[], ptw64_mov_r32[], ptw64_xchg[], ptw64_cmpxchg[],
	ptw64_cmpxchg8b[], ptw64_cmpxchg16b[], ptw64_lock_or[], ptw64_lock_and[], ptw64_xor[],
	ptw64_lock_xor[], ptw64_add[], ptw64_sub[], ptw64_adc[], ptw64_sbb[], ptw64_bts[],
	ptw64_btr_r[], ptw64_btc[], ptw64_rep_stos[], ptw64_rep_movs[];

/*
 * Demand paging: a #PF inside [base, base + pages * 4 KiB) writes the PTE of the faulting page
 * with frames + offset | P | W | A | D, and returns. One store: 4 bytes in 32-bit code (in PAE
 * the low half only, the high half being zero already), or a LOCK CMPXCHG8B of the whole entry
 * with ptw_dp_cx8; 8 bytes in the 64-bit handler. Other faults go to the library's handlers.
 * pte is the address of base's PTE (the region's PTEs are consecutive: one page table),
 * pte_size 4 or 8.
 */
void ptw_demand_install(uint32_t base, uint32_t pages, uint32_t pte, unsigned int pte_size,
			uint32_t frames);
void ptw_demand_remove(void);
extern volatile uint32_t ptw_dp_count;	/* faults the handler served */
/* Set: the 32-bit handler writes the whole 8-byte PTE with one LOCK CMPXCHG8B instead. */
extern uint32_t ptw_dp_cx8;

/* "1.25": value / div with two decimals, integer math. */
void ptw_ratio(char *buf, unsigned int size, uint64_t value, uint64_t div);

#endif
#endif
