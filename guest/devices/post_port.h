/* Port 0x80, the POST diagnostic port: firmware writes progress codes there and kernels write
 * to it for a short I/O delay (Linux's outb_p). Writes are dropped without a report; reads see
 * all-ones. No state. */
#ifndef UMBRA_GUEST_DEVICES_POST_PORT_H
#define UMBRA_GUEST_DEVICES_POST_PORT_H

#include <stdbool.h>

#define POST_PORT	0x80

struct device_bus;

bool post_port_attach(struct device_bus *b);

#endif
