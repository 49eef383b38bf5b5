/*
 * Task switches (CALL/JMP to a TSS or task gate, IRET with NT, an IDT task gate). Umbra does not
 * emulate them: the hardware would load CR3, LDTR and every register from a TSS behind the
 * shadow MMU's back. VMX always exits on one (SDM Vol. 3C 26.4.2); SVM is told to (APM Vol. 2
 * 15.14.2). The guest stops with a report rather than running on corrupt state.
 */
#include "guest/exits/exits.h"
#include "guest/guest.h"

static const char *task_switch_source_name(enum task_switch_source s)
{
	switch (s) {
	case TASK_SWITCH_CALL: return "CALL";
	case TASK_SWITCH_IRET: return "IRET";
	case TASK_SWITCH_JMP: return "JMP";
	case TASK_SWITCH_GATE: return "a task gate in the IDT";
	case TASK_SWITCH_UNSEEN: return "an unknown instruction; the processor ran it without an exit";
	}
	return "?";
}

void exit_task_switch(struct guest *g, struct vm_exit *e)
{
	guest_stop(g, GUEST_STOP_FATAL, "task switch not supported (to TSS selector 0x%x by %s)",
		   e->task_switch.selector, task_switch_source_name(e->task_switch.source));
}
