/*
 * Guest memory as an instruction Umbra completes for the guest reaches it: the one path for
 * every read, write and instruction fetch done on the guest's behalf (INS, OUTS, SMSW, the
 * page-table write emulator, instruction decode). It checks what the processor would check for
 * that instruction, at its CPL, and tells the shadow MMU of every byte written.
 *
 * Pure: translation and guest-physical memory come through struct emu_mem_ops, so the host unit
 * tests run it over a fake guest (tests/unit/test_emu_mem.c). guest/gva.c binds it to a guest.
 */
#ifndef UMBRA_GUEST_EMU_MEM_H
#define UMBRA_GUEST_EMU_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/x86/x86_emulate.h"

/* The instruction an access is made for: what decides the checks. */
struct emu_who {
	uint8_t cpl;		/* 0-3; 3 makes every access a user access (SDM Vol. 3A 4.6) */
	bool rflags_ac;		/* EFLAGS.AC: SMAP override at CPL < 3, alignment check at CPL 3 */
	bool cr0_am;		/* CR0.AM */
	bool mode64;		/* 64-bit mode: 64-bit canonical linear addresses; otherwise
				 * (compatibility mode included) they wrap at 4 GiB */
	bool via_ss;		/* the operand is in SS: a non-canonical address is #SS(0) */
};

/* The guest's translation and its guest-physical memory. */
struct emu_mem_ops {
	/* Translates linear for access (WALK_* of mm/walk.h), setting A/D bits as the guest's
	 * processor would: 0 with *gpa; 1 with *pfec, a guest page fault; -1 when the walk
	 * leaves guest RAM. */
	int (*translate)(void *ctx, uint64_t linear, uint32_t access, uint64_t *gpa,
			 uint32_t *pfec);
	bool (*read)(void *ctx, uint64_t gpa, void *buf, unsigned len);
	bool (*write)(void *ctx, uint64_t gpa, const void *buf, unsigned len);
	/* After each write: the guest-physical bytes it changed (the shadow MMU's business). */
	void (*wrote)(void *ctx, uint64_t gpa, unsigned len);
	void *ctx;
	/* Instruction bytes: RAM only, never a device's registers (an MMIO window is not
	 * executable memory for Umbra). NULL: read() serves fetches too. */
	bool (*fetch)(void *ctx, uint64_t gpa, void *buf, unsigned len);
};

enum emu_mem_status {
	EMU_MEM_OK,
	EMU_MEM_FAULT,		/* *f is the exception the guest takes: #PF, #AC, #GP or #SS */
	EMU_MEM_NOT_RAM,	/* the access or a table it needs lies outside guest RAM */
};

/* The longest data access: an access spans at most two pages. */
#define EMU_MEM_MAX_LEN	16

/* A data access whose checks passed: its guest-physical pieces, one per page. */
struct emu_mem_plan {
	uint64_t gpa[2];
	unsigned len[2];
	unsigned pieces;
};

/*
 * Checks a data access of len bytes (1..EMU_MEM_MAX_LEN) at linear for who, in the order the
 * processor raises its faults, and plans it; nothing is written yet. A write to a frame the
 * MMU must hear of is reported by emu_mem_commit_write(). Used directly when something must
 * happen between the check and the access (INS reads its port only once the destination is
 * known to be writable).
 */
enum emu_mem_status emu_mem_check(const struct emu_mem_ops *ops, const struct emu_who *who,
				  uint64_t linear, unsigned len, bool write,
				  struct emu_mem_plan *plan, struct x86_fault *f);
/* Performs a planned access. */
enum emu_mem_status emu_mem_commit_read(const struct emu_mem_ops *ops,
					const struct emu_mem_plan *plan, void *buf);
enum emu_mem_status emu_mem_commit_write(const struct emu_mem_ops *ops,
					 const struct emu_mem_plan *plan, const void *buf);
/* Check, then access. */
enum emu_mem_status emu_mem_read(const struct emu_mem_ops *ops, const struct emu_who *who,
				 uint64_t linear, void *buf, unsigned len, struct x86_fault *f);
enum emu_mem_status emu_mem_write(const struct emu_mem_ops *ops, const struct emu_who *who,
				  uint64_t linear, const void *buf, unsigned len,
				  struct x86_fault *f);

/*
 * Instruction fetch of up to len bytes at base + ip, ip advancing modulo ip_mask + 1 (0xffff,
 * 0xffffffff or all-ones: IP, EIP or RIP, SDM Vol. 1 3.5), each byte fetched at who's CPL.
 * Returns how many bytes were fetched; when fewer than len, *st and *f say why the next one
 * could not be (a fault is only the guest's if the decoder needed that byte).
 */
size_t emu_mem_fetch(const struct emu_mem_ops *ops, const struct emu_who *who, uint64_t base,
		     uint64_t ip, uint64_t ip_mask, uint8_t *buf, size_t len,
		     enum emu_mem_status *st, struct x86_fault *f);

#endif
