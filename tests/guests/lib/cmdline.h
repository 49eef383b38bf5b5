/* The guest's command line (the module string after "guest"), as words. */
#ifndef GUEST_CMDLINE_H
#define GUEST_CMDLINE_H

#include <stdbool.h>

/* True when the multiboot command line has word among its space-separated words. */
bool guest_cmdline_has(const char *word);

/* The value of the first word "key=VALUE": its first character (the value ends at a space or
 * at the end of the line), or NULL when no word starts with "key=". */
const char *guest_cmdline_value(const char *key);

#endif
