UNIT_TESTS += mmu_harden
UNIT_SRCS_mmu_harden := mm/mmu_audit.c mm/mmu.c mm/prefetch.c mm/unsync.c mm/mmu_evict.c mm/shadow_pool.c mm/walk.c mm/rmap.c mm/shadow_page.c mm/guest_mem.c mm/pmm.c mm/hostmap.c lib/format.c
