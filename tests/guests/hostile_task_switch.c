/*
 * A task switch by far JMP to an available TSS. Umbra does not emulate task switches (the
 * hardware would load CR3 and every register from the TSS behind the shadow MMU), so the guest
 * must be stopped with a report; if it is not, the new task runs and says so.
 */
#include "guest.h"
#include "ring3.h"

static uint8_t task_stack[4096] __attribute__((aligned(16)));

static void task_entry(void)
{
	gprintf("FAIL: the task switch ran natively\n");
	guest_exit(GUEST_EXIT_FAIL);
}

void guest_main(void)
{
	ring3_init();
	ring3_prepare_task((uint32_t)task_entry, (uint32_t)task_stack + sizeof(task_stack));
	gprintf("hostile: task switch by far JMP to TSS 0x%x\n", RING3_SEL_TSS2);
	__asm__ volatile("ljmp	%0, $0" : : "i"(RING3_SEL_TSS2) : "memory");
	gprintf("FAIL: the far JMP to a TSS returned\n");
}
