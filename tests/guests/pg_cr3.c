/* pg_cr3: three address spaces map the same linear address to different frames; CR3 switches
 * between them, in each paging mode, must show the right frame every time. */
#include "guest.h"
#include "paging.h"

#define SPACES		3
#define SHARED_VA	0x41123000ull	/* mapped in every space, to its own frame */
#define ONLY1_VA	0x41200000ull	/* mapped in space 1 only */

static void run(enum pg_mode mode)
{
	const char *name = pg_mode_name(mode);
	struct pg_space as[SPACES];
	uint32_t frame[SPACES];

	for (int i = 0; i < SPACES; i++) {
		frame[i] = pg_alloc();
		*(volatile uint32_t *)frame[i] = 0xc3000000u | ((uint32_t)mode << 8) | (uint32_t)i;
		pg_space_init(&as[i], mode);
		pg_map(&as[i], SHARED_VA, frame[i], 1, PTE_P | PTE_W);
	}
	pg_map(&as[1], ONLY1_VA, frame[1], 1, PTE_P | PTE_W);
	pg_activate(&as[0]);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < SPACES; i++) {
			int s = round == 1 ? SPACES - 1 - i : i;	/* forwards, backwards, forwards */

			pg_activate(&as[s]);
			CHECK_EQ(read_cr3(), as[s].root, "%s round %d: CR3 holds space %d", name,
				 round, s);
			pg_check_read(SHARED_VA, *(volatile uint32_t *)frame[s],
				      "%s round %d: space %d sees its frame", name, round, s);
			if (s == 1)
				pg_check_read(ONLY1_VA, *(volatile uint32_t *)frame[1],
					      "%s round %d: space 1 maps its extra page", name,
					      round);
			else
				pg_check_fault(ONLY1_VA, PG_READ, false, 0,
					       "%s round %d: space %d does not map space 1's page",
					       name, round, s);
		}
	}
	/* A write in one space lands in that space's frame only. */
	pg_activate(&as[2]);
	pg_probe(SHARED_VA + 4, PG_WRITE, false, 0x22222222);
	pg_activate(&as[0]);
	pg_probe(SHARED_VA + 4, PG_WRITE, false, 0x00000000);
	CHECK(((volatile uint32_t *)frame[2])[1] == 0x22222222 &&
	      ((volatile uint32_t *)frame[0])[1] == 0, "%s: writes land in each space's own frame",
	      name);
	/* Changing a PTE of an inactive space takes effect when it becomes current. */
	pg_set(&as[1], SHARED_VA, 1, frame[2] | PTE_P | PTE_W);
	pg_activate(&as[1]);
	pg_check_read(SHARED_VA, *(volatile uint32_t *)frame[2],
		      "%s: a PTE changed while its space was inactive is seen", name);
	pg_deactivate();
}

void guest_main(void)
{
	pg_init();
	run(PG_32);
	run(PG_PAE);
	if (pg_cpu.lm)
		run(PG_LM);
	else
		SKIP("no long mode");
}
