/* Vendor-neutral vCPU helpers: event queueing with the architectural double-fault rules. */
#include "guest/vcpu.h"
#include "arch/trap.h"

/* SDM Vol. 3A 6.15, table 6-5: contributory exceptions are #DE, #TS, #NP, #SS and #GP. */
static bool exception_is_contributory(uint8_t v)
{
	return v == EXC_DE || (v >= EXC_TS && v <= EXC_GP);
}

/* SDM Vol. 3A 6.15, table 6-5: which pairs of exceptions become a double fault. */
static bool exceptions_make_double_fault(uint8_t first, uint8_t second)
{
	if (first == EXC_PF)
		return second == EXC_PF || exception_is_contributory(second);
	return exception_is_contributory(first) && exception_is_contributory(second);
}

void vcpu_queue_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error_code)
{
	struct event *e = &v->pending_event;

	if (e->pending && e->type == EVENT_HW_EXCEPTION) {
		if (e->vector == EXC_DF) {
			/* A fault while delivering #DF: the guest shuts down; the backend sees it as a
			 * triple fault when it injects the queued #DF and that faults again. */
			vector = EXC_DF;
			has_error = true;
			error_code = 0;
		} else if (exceptions_make_double_fault(e->vector, vector)) {
			vector = EXC_DF;
			has_error = true;
			error_code = 0;
		}
	}
	e->pending = true;
	e->type = EVENT_HW_EXCEPTION;
	e->vector = vector;
	e->has_error_code = has_error;
	e->error_code = error_code;
}

void vcpu_queue_page_fault(struct vcpu *v, uint32_t pfec, uint64_t cr2)
{
	v->cr2 = cr2;
	vcpu_queue_exception(v, EXC_PF, true, pfec);
}
