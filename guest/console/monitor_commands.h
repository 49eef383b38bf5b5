/* The monitor's commands, carried out against the running guest. */
#ifndef UMBRA_GUEST_CONSOLE_MONITOR_COMMANDS_H
#define UMBRA_GUEST_CONSOLE_MONITOR_COMMANDS_H

struct guest;
struct monitor_commands;

/* Fills cmds with the operations of every monitor command, acting on g. */
void monitor_commands_for_guest(struct monitor_commands *cmds, struct guest *g);

struct monitor_out;
/* info apic (monitor_apic.c): the local APIC's state and the I/O APIC's table; ctx is g. */
int monitor_info_apic(void *ctx, struct monitor_out *out);

#endif
