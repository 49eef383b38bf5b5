/* The neutral exit record: what a backend reports after each VM exit, whatever the vendor. */
#ifndef UMBRA_GUEST_VM_EXIT_H
#define UMBRA_GUEST_VM_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/trap.h"
#include "guest/exit_kinds.h"

#define EXIT_KIND_ENUM(kind, name, handler, needs_length) kind,
enum exit_kind {
	EXIT_KINDS(EXIT_KIND_ENUM)
	EXIT_KIND_COUNT
};
#undef EXIT_KIND_ENUM

enum cr_access_type {
	CR_MOV_TO,		/* MOV CRn, reg */
	CR_MOV_FROM,		/* MOV reg, CRn */
	CR_CLTS,
	CR_LMSW,		/* source in lmsw_value */
	CR_SMSW,		/* destination register or memory: decoded by guest/ */
};

/* What started a task switch (SDM Vol. 3C 28.2.1 table 28-2; APM Vol. 2 15.14 "Task Switch
 * Intercept", EXITINFO2). */
enum task_switch_source {
	TASK_SWITCH_CALL,
	TASK_SWITCH_IRET,
	TASK_SWITCH_JMP,
	TASK_SWITCH_GATE,	/* a task gate in the IDT (an interrupt or exception) */
	TASK_SWITCH_UNSEEN,	/* found after the fact: the processor did not intercept it */
};

struct vm_exit {
	enum exit_kind kind;
	uint64_t rip;			/* guest RIP of the exiting instruction */
	uint8_t insn_len;		/* 0 when the backend does not know: guest/ decodes it */
	uint64_t raw_reason;		/* the vendor's exit code, for reports */
	uint64_t raw_info1, raw_info2;	/* exit qualification / EXITINFO1-2, for reports */
	/*
	 * The exit interrupted the delivery of an event (VMX IDT-vectoring information valid,
	 * SDM Vol. 3C 27.2.4; SVM EXITINTINFO valid, APM Vol. 2 15.7.2): what faulted is the
	 * delivery, not the instruction at RIP, which must then be neither emulated nor
	 * completed. The backend has already queued the event again (v->pending_event) when the
	 * processor would not raise it again by itself (software interrupts re-execute).
	 */
	bool during_delivery;
	union {
		struct {
			uint16_t port;
			uint8_t size;		/* 1, 2 or 4 */
			bool in;
			bool string;		/* INS/OUTS */
			bool rep;
			uint8_t address_size;	/* 2, 4 or 8, for string forms */
			int8_t segment;		/* OUTS source segment override, -1 when unknown */
		} io;
		struct {
			uint32_t index;
		} msr;
		struct {
			enum cr_access_type type;
			uint8_t cr;
			int8_t gpr;		/* -1 when the backend did not decode it */
			uint16_t lmsw_value;
			bool lmsw_known;
		} cr;
		struct {
			uint8_t vector;
			bool has_error_code;
			uint32_t error_code;
			uint64_t cr2;		/* #PF: the faulting linear address */
			bool int1;		/* #DB raised by INT1 (ICEBP): a trap the guest layer
						 * completes with insn_len before reflecting it */
		} exception;
		struct {
			uint16_t selector;	/* the TSS the guest tried to switch to */
			enum task_switch_source source;
		} task_switch;
		struct {
			uint64_t linear;	/* INVLPG operand, when the hardware gives it */
			bool known;
		} invlpg;
		struct {
			uint32_t error;		/* VMX instruction error or SVM exit code */
		} entry;
		struct {
			uint64_t gpa;		/* the guest-physical address accessed */
			uint64_t linear;	/* the guest-linear address, when linear_valid */
			uint8_t access;		/* TDP_READ/WRITE/FETCH: what the access was */
			uint8_t allowed;	/* TDP_* the entries allowed, when known */
			bool linear_valid;
			bool walk;		/* a guest page-table access, not the final one */
			bool present;		/* the translation existed (a rights fault) */
		} tdp;
		struct {
			uint8_t vector;		/* when acknowledged */
			bool acknowledged;	/* the exit took the interrupt (VMX ack-on-exit) */
		} interrupt;
	};
};

/* The exit kind of an intercepted exception: the vectors with a handler of their own. */
static inline enum exit_kind exit_kind_of_exception(uint8_t vector)
{
	switch (vector) {
	case EXC_PF:
		return EXIT_PAGE_FAULT;
	case EXC_DB:
		return EXIT_DEBUG;
	case EXC_AC:
		return EXIT_ALIGNMENT_CHECK;
	}
	return EXIT_EXCEPTION;
}

/* A short human name of each kind, for reports and counters. */
const char *exit_kind_name(enum exit_kind kind);

#endif
