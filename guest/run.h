/* Running the guest until it stops. */
#ifndef UMBRA_GUEST_RUN_H
#define UMBRA_GUEST_RUN_H

struct guest;

/* Enters the guest again and again, handling each exit, until the guest stops; then prints the
 * stop report and the exit counters. Umbra keeps running afterwards. */
void guest_run(struct guest *g);

#endif
