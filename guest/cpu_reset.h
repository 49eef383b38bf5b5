/* The guest's processor state that lives outside struct vcpu's registers, set at each reset. */
#ifndef UMBRA_GUEST_CPU_RESET_H
#define UMBRA_GUEST_CPU_RESET_H

struct guest;

/* Called once the vCPU exists: puts the guest's reset values into the real registers that the
 * guest owns while it runs (XCR0), which survive from the previous run otherwise. */
void guest_cpu_reset(struct guest *g);

#endif
