UNIT_TESTS += mmu_race
UNIT_SRCS_mmu_race := mm/mmu_audit.c mm/mmu.c mm/prefetch.c mm/unsync.c mm/mmu_evict.c mm/shadow_pool.c mm/walk.c mm/rmap.c mm/shadow_page.c mm/guest_mem.c mm/pmm.c mm/hostmap.c lib/format.c
# Every guest-memory read and frame lookup of the MMU goes through the test's hook, which lands
# a guest-entry change at a chosen one.
UNIT_LIBS_mmu_race := -Wl,--wrap=guest_mem_read -Wl,--wrap=guest_mem_gpa_to_hpa
