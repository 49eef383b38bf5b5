/* The guest's command line (the module string after "guest"), as words. */
#ifndef GUEST_CMDLINE_H
#define GUEST_CMDLINE_H

#include <stdbool.h>

/* True when the multiboot command line has word among its space-separated words. */
bool guest_cmdline_has(const char *word);

#endif
