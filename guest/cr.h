/* Control-register and XCR0 accesses of the guest. */
#ifndef UMBRA_GUEST_CR_H
#define UMBRA_GUEST_CR_H

struct guest;
struct vm_exit;

/* Performs MOV to/from CRn, CLTS, LMSW or SMSW, or queues the fault the guest would get. */
void guest_handle_cr(struct guest *g, struct vm_exit *e);
/* Performs XSETBV on XCR0, or queues #GP(0). */
void guest_handle_xsetbv(struct guest *g, struct vm_exit *e);

#endif
