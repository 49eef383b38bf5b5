/* VMX and SVM instructions raise #UD on a CPU whose CPUID hides them; so do VMCALL and VMMCALL
 * until Umbra defines hypercalls (SDM Vol. 3C 25.1.3 makes them exit; the guest sees #UD). */
#include "guest/exits/exits.h"
#include "guest/guest.h"
#include "arch/trap.h"

void exit_undefined_insn(struct guest *g, struct vm_exit *e)
{
	(void)e;
	vcpu_queue_exception(&g->vcpu, EXC_UD, false, 0);
}
