/* The verdict of a backend's probe: can Umbra use this virtualization extension, and if not, why. */
#ifndef UMBRA_ARCH_VIRT_PROBE_H
#define UMBRA_ARCH_VIRT_PROBE_H

#include <stdbool.h>

struct virt_probe {
	bool usable;
	char reason[160];	/* why not (or a note when usable), one line */
};

#endif
