/* The guest's MSRs: which exist, which are virtualized, and what the rest do (#GP). */
#ifndef UMBRA_GUEST_MSR_H
#define UMBRA_GUEST_MSR_H

struct guest;
struct vm_exit;

/* Performs an intercepted RDMSR or WRMSR, or queues #GP(0) as hardware does for MSRs that do
 * not exist. */
void guest_handle_msr(struct guest *g, struct vm_exit *e);

#endif
