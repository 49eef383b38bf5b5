/* The hostile-guest harness itself: one check, then the console check. */
#include "guest.h"

void guest_main(void)
{
	CHECK(true, "the hostile-guest harness runs");
	guest_finish_after_console_check();
}
