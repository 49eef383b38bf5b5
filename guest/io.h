/* The guest's port I/O space. */
#ifndef UMBRA_GUEST_IO_H
#define UMBRA_GUEST_IO_H

struct guest;
struct vm_exit;

/* Performs the IN/OUT/INS/OUTS of an I/O exit and completes the instruction. */
void guest_handle_io(struct guest *g, struct vm_exit *e);

#endif
