/* Names of the neutral exit kinds, for reports and counters (from guest/exit_kinds.h). */
#include "guest/vm_exit.h"

#define EXIT_KIND_NAME(kind, name, handler, needs_length) [kind] = name,
static const char *const exit_kind_names[EXIT_KIND_COUNT] = { EXIT_KINDS(EXIT_KIND_NAME) };
#undef EXIT_KIND_NAME

const char *exit_kind_name(enum exit_kind kind)
{
	return (unsigned)kind < EXIT_KIND_COUNT && exit_kind_names[kind] ? exit_kind_names[kind] : "?";
}
