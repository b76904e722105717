/* The handle pool: ids carry slot and generation, slot 0 is never used, stale ids are refused,
   generations wrap without reaching 0, and a pool refuses more than its maximum. */
#include "emrtc_internal.h"
#include "tst.h"

static int objs[70000];

static void test_ids_and_lookup(void) {
    _emrtc_pool p;
    _emrtc_pool_init(&p, 8);
    uint32_t a = _emrtc_pool_add(&p, &objs[0]), b = _emrtc_pool_add(&p, &objs[1]);
    TST_CHECK(a != 0 && b != 0 && a != b);
    TST_EQ_INT(a & 0xFFFFu, 1); /* lowest slot first, slot 0 never */
    TST_EQ_INT(b & 0xFFFFu, 2);
    TST_EQ_INT(a >> 16, 1);     /* first generation */
    TST_CHECK(_emrtc_pool_get(&p, a) == &objs[0]);
    TST_CHECK(_emrtc_pool_get(&p, b) == &objs[1]);
    TST_EQ_INT(p.live, 2);
    TST_CHECK(_emrtc_pool_get(&p, 0) == NULL);
    TST_CHECK(_emrtc_pool_get(&p, 0x10000u) == NULL);       /* slot 0 */
    TST_CHECK(_emrtc_pool_get(&p, 1u) == NULL);             /* generation 0 */
    TST_CHECK(_emrtc_pool_get(&p, (1u << 16) | 500u) == NULL); /* slot out of range */
    TST_CHECK(_emrtc_pool_add(&p, NULL) == 0);
    _emrtc_pool_free(&p);
}

static void test_stale_after_remove(void) {
    _emrtc_pool p;
    _emrtc_pool_init(&p, 8);
    uint32_t a = _emrtc_pool_add(&p, &objs[0]);
    TST_CHECK(_emrtc_pool_remove(&p, a) == &objs[0]);
    TST_CHECK(_emrtc_pool_get(&p, a) == NULL);
    TST_CHECK(_emrtc_pool_remove(&p, a) == NULL); /* twice: nothing */
    TST_EQ_INT(p.live, 0);
    uint32_t again = _emrtc_pool_add(&p, &objs[1]);
    TST_CHECK((again & 0xFFFFu) != (a & 0xFFFFu)); /* an unused slot first, not the freed one */
    TST_CHECK(_emrtc_pool_get(&p, a) == NULL);
    TST_CHECK(_emrtc_pool_get(&p, again) == &objs[1]);
    _emrtc_pool_free(&p);
}

static void test_generation_wraps_to_one(void) {
    _emrtc_pool p;
    _emrtc_pool_init(&p, 1);
    uint32_t first = _emrtc_pool_add(&p, &objs[0]), id = first;
    bool never_zero = true;
    for (int i = 0; i < 32767; i++) { /* generations 1..32767, then 1 again */
        _emrtc_pool_remove(&p, id);
        id = _emrtc_pool_add(&p, &objs[0]);
        if (id == 0 || (id >> 16) == 0) never_zero = false;
    }
    TST_CHECK(never_zero);
    TST_EQ_INT(id, first);
    TST_CHECK(id <= 0x7FFFFFFFu); /* fits a positive JS number */
    _emrtc_pool_free(&p);
}

/* The freed slot waits behind the reserve: between two uses of a slot, at least _EMRTC_POOL_RESERVE
   other ids are removed, in FIFO order. */
static void test_fifo_reuse_behind_reserve(void) {
    _emrtc_pool p;
    _emrtc_pool_init(&p, _EMRTC_POOL_MAX_SLOTS);
    uint32_t first = _emrtc_pool_add(&p, &objs[0]), id = first;
    uint32_t slot = first & 0xFFFFu;
    int reuse_at = -1;
    for (int i = 1; i <= 5000 && reuse_at < 0; i++) {
        _emrtc_pool_remove(&p, id);
        id = _emrtc_pool_add(&p, &objs[0]);
        if ((id & 0xFFFFu) == slot) reuse_at = i;
    }
    TST_CHECK(reuse_at > (int)_EMRTC_POOL_RESERVE); /* the old LIFO pool reused it at once (i == 1) */
    TST_CHECK(reuse_at <= (int)_EMRTC_POOL_RESERVE + 2);
    TST_CHECK(p.cap <= 2048u); /* the reserve costs about 1024 slots, no more */
    _emrtc_pool_free(&p);
}

/* The bound the header states: a stale id matches a new object only after its slot has been reused
   32,767 times, i.e. after at least _EMRTC_POOL_REUSE_BOUND other ids were removed meanwhile. Run at
   the edge: destroy and create one object until the stale id comes back. */
static void test_stale_match_bound(void) {
    _emrtc_pool p;
    _emrtc_pool_init(&p, _EMRTC_POOL_MAX_SLOTS);
    uint32_t stale = _emrtc_pool_add(&p, &objs[0]), id = stale;
    _emrtc_pool_remove(&p, stale);
    uint64_t removed_since = 0, limit = _EMRTC_POOL_REUSE_BOUND * 2u;
    bool matched = false;
    while (!matched && removed_since < limit) {
        id = _emrtc_pool_add(&p, &objs[1]);
        if (id == stale) {
            matched = true;
            break;
        }
        _emrtc_pool_remove(&p, id);
        removed_since++;
    }
    TST_CHECK(matched); /* the bound is real: it does come back, eventually */
    TST_CHECK(removed_since >= _EMRTC_POOL_REUSE_BOUND);
    TST_CHECK(removed_since <= (uint64_t)_EMRTC_POOL_GENERATIONS * (_EMRTC_POOL_RESERVE + 2u));
    printf("pool: a stale id matched again after %llu removals (bound %llu)\n", (unsigned long long)removed_since,
           (unsigned long long)_EMRTC_POOL_REUSE_BOUND);
    _emrtc_pool_free(&p);
}

static void test_exhaustion(void) {
    _emrtc_pool p;
    _emrtc_pool_init(&p, 3);
    uint32_t ids[3];
    for (int i = 0; i < 3; i++) TST_CHECK((ids[i] = _emrtc_pool_add(&p, &objs[i])) != 0);
    TST_EQ_INT(_emrtc_pool_add(&p, &objs[3]), 0);
    TST_EQ_INT(p.live, 3);
    _emrtc_pool_remove(&p, ids[1]);
    TST_CHECK(_emrtc_pool_add(&p, &objs[3]) != 0); /* a freed slot can be taken again */
    TST_EQ_INT(_emrtc_pool_add(&p, &objs[4]), 0);
    _emrtc_pool_free(&p);
    TST_EQ_INT(p.live, 0);
    TST_CHECK(_emrtc_pool_add(&p, &objs[0]) != 0); /* usable again after free, same maximum */
    _emrtc_pool_free(&p);
}

static void test_growth_keeps_ids(void) {
    enum { N = 1000 };
    static uint32_t ids[N];
    _emrtc_pool p;
    _emrtc_pool_init(&p, _EMRTC_POOL_MAX_SLOTS);
    for (int i = 0; i < N; i++) ids[i] = _emrtc_pool_add(&p, &objs[i]);
    int wrong = 0;
    for (int i = 0; i < N; i++) wrong += _emrtc_pool_get(&p, ids[i]) != &objs[i];
    TST_EQ_INT(wrong, 0);
    TST_EQ_INT(p.live, N);
    _emrtc_pool_free(&p);
}

static void test_maximum_is_capped(void) {
    _emrtc_pool p;
    _emrtc_pool_init(&p, 1000000u); /* more than an id can name: capped */
    int added = 0;
    while (added < 70000 && _emrtc_pool_add(&p, &objs[added])) added++;
    TST_EQ_INT(added, _EMRTC_POOL_MAX_SLOTS);
    _emrtc_pool_free(&p);
}

int main(void) {
    TST_RUN(test_ids_and_lookup);
    TST_RUN(test_stale_after_remove);
    TST_RUN(test_generation_wraps_to_one);
    TST_RUN(test_fifo_reuse_behind_reserve);
    TST_RUN(test_stale_match_bound);
    TST_RUN(test_exhaustion);
    TST_RUN(test_growth_keeps_ids);
    TST_RUN(test_maximum_is_capped);
    return tst_summary("pool");
}
