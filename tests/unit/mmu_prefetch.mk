UNIT_TESTS += mmu_prefetch
UNIT_SRCS_mmu_prefetch := mm/mmu.c mm/prefetch.c mm/unsync.c mm/mmu_evict.c mm/shadow_pool.c mm/walk.c mm/rmap.c mm/shadow_page.c mm/guest_mem.c mm/pmm.c mm/hostmap.c lib/format.c
# Every guest-memory read goes through the test's hook, which lands a neighbour's change there.
UNIT_LIBS_mmu_prefetch := -Wl,--wrap=guest_mem_read
