/* The packet buffer: order, wrap-around, growth while a packet is held (its bytes stay valid until
   the next get or release), zero-length packets, reserving more than is committed, and thousands of
   random operations checked against a plain FIFO model. */
#include "emrtc_internal.h"
#include "tst.h"

#include <stdlib.h>

/* ---- helpers ---- */

static void fill(uint8_t *p, size_t n, uint32_t seed) {
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(seed * 31u + i * 7u + (i >> 8));
}

static bool same_as(const uint8_t *p, size_t n, uint32_t seed) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)(seed * 31u + i * 7u + (i >> 8))) return false;
    return true;
}

/* Adds one packet of `len` bytes (pattern `seed`), reserving `reserve` >= len; makes it available. */
static bool put(_emrtc_packetbuf *pb, size_t reserve, size_t len, uint32_t seed, bool text) {
    uint8_t *at = _emrtc_packetbuf_reserve(pb, reserve);
    if (!at) return false;
    fill(at, len, seed);
    if (!_emrtc_packetbuf_commit(pb, len, text)) return false;
    _emrtc_packetbuf_make_available(pb);
    return true;
}

static bool get_expect(_emrtc_packetbuf *pb, size_t len, uint32_t seed, bool text) {
    const uint8_t *d = NULL;
    size_t n = 0;
    bool is_text = !text;
    if (!_emrtc_packetbuf_get(pb, &d, &n, &is_text)) return false;
    return n == len && is_text == text && same_as(d, n, seed);
}

/* ---- fixed cases ---- */

static void test_fifo_order_and_flags(void) {
    _emrtc_packetbuf pb = {0};
    for (uint32_t i = 0; i < 10; i++) TST_CHECK(put(&pb, 100 + i, 100 + i, i, i % 2 == 0));
    for (uint32_t i = 0; i < 10; i++) TST_CHECK(get_expect(&pb, 100 + i, i, i % 2 == 0));
    const uint8_t *d;
    size_t n;
    bool t;
    TST_CHECK(!_emrtc_packetbuf_get(&pb, &d, &n, &t));
    _emrtc_packetbuf_free(&pb);
}

static void test_pending_not_readable(void) {
    _emrtc_packetbuf pb = {0};
    uint8_t *at = _emrtc_packetbuf_reserve(&pb, 4);
    TST_REQUIRE(at != NULL);
    memcpy(at, "abcd", 4);
    TST_CHECK(_emrtc_packetbuf_commit(&pb, 4, false));
    const uint8_t *d;
    size_t n;
    bool t;
    TST_CHECK(!_emrtc_packetbuf_get(&pb, &d, &n, &t)); /* pending until made available */
    TST_EQ_INT(pb.available, 0);
    _emrtc_packetbuf_make_available(&pb);
    _emrtc_packetbuf_make_available(&pb); /* one more than committed: ignored */
    TST_EQ_INT(pb.available, 1);
    TST_CHECK(_emrtc_packetbuf_get(&pb, &d, &n, &t));
    TST_CHECK(n == 4 && memcmp(d, "abcd", 4) == 0);
    _emrtc_packetbuf_free(&pb);
}

static void test_commit_rules(void) {
    _emrtc_packetbuf pb = {0};
    TST_CHECK(!_emrtc_packetbuf_commit(&pb, 0, false)); /* nothing reserved */
    TST_REQUIRE(_emrtc_packetbuf_reserve(&pb, 10) != NULL);
    TST_CHECK(!_emrtc_packetbuf_commit(&pb, 11, false)); /* more than reserved */
    TST_CHECK(_emrtc_packetbuf_commit(&pb, 3, false));
    TST_CHECK(!_emrtc_packetbuf_commit(&pb, 3, false)); /* already committed */
    TST_CHECK(_emrtc_packetbuf_reserve(&pb, 0x80000000u) == NULL); /* over 2 GiB - 1 */
    _emrtc_packetbuf_free(&pb);
}

static void test_zero_length(void) {
    _emrtc_packetbuf pb = {0};
    TST_CHECK(put(&pb, 0, 0, 0, true));
    TST_CHECK(put(&pb, 5, 0, 0, false)); /* reserved 5, committed 0 */
    TST_CHECK(put(&pb, 3, 3, 9, false));
    TST_CHECK(get_expect(&pb, 0, 0, true));
    TST_CHECK(get_expect(&pb, 0, 0, false));
    TST_CHECK(get_expect(&pb, 3, 9, false));
    _emrtc_packetbuf_free(&pb);
}

/* Packets of a third of the ring, read as they come: they wrap to the front, no growth. */
static void test_wrap_around_without_growth(void) {
    _emrtc_packetbuf pb = {0};
    TST_REQUIRE(put(&pb, 1000, 1000, 0, false));
    size_t cap = pb.cap;
    uint32_t next_read = 0;
    for (uint32_t i = 1; i < 200; i++) {
        TST_REQUIRE(put(&pb, 1000, 1000, i, false));
        TST_CHECK(get_expect(&pb, 1000, next_read, false));
        next_read++;
    }
    TST_EQ_INT(pb.cap, cap);
    _emrtc_packetbuf_free(&pb);
}

/* Growth while a packet is held: the held bytes stay where they were, readable, until released. */
static void test_growth_keeps_held_packet(void) {
    _emrtc_packetbuf pb = {0};
    TST_REQUIRE(put(&pb, 3000, 3000, 1, false));
    const uint8_t *held;
    size_t n;
    bool t;
    TST_REQUIRE(_emrtc_packetbuf_get(&pb, &held, &n, &t));
    size_t cap = pb.cap;
    for (uint32_t i = 2; i < 40; i++) TST_REQUIRE(put(&pb, 3000, 3000, i, false));
    TST_CHECK(pb.cap > cap);
    TST_CHECK(n == 3000 && same_as(held, n, 1)); /* still valid (ASan/valgrind check the memory) */
    for (uint32_t i = 2; i < 40; i++) TST_CHECK(get_expect(&pb, 3000, i, false));
    _emrtc_packetbuf_free(&pb);
}

/* Reading several packets between two reserves, right after a wrap (the case that once left the
   ring believing it was still wrapped, and placed a packet past its end). */
static void test_read_past_wrap_between_reserves(void) {
    _emrtc_packetbuf pb = {0};
    TST_REQUIRE(put(&pb, 1500, 1500, 0, false)); /* [0, 1500) of a 4096-byte ring */
    TST_REQUIRE(put(&pb, 2000, 2000, 1, false)); /* [1500, 3500) */
    TST_CHECK(get_expect(&pb, 1500, 0, false));
    TST_CHECK(get_expect(&pb, 2000, 1, false));  /* holds [1500, 3500) */
    TST_REQUIRE(put(&pb, 1000, 1000, 2, false)); /* no room at the end: wraps to [0, 1000) */
    TST_REQUIRE(put(&pb, 100, 100, 3, false));   /* [1000, 1100) */
    TST_CHECK(get_expect(&pb, 1000, 2, false));  /* the wrapped one... */
    TST_CHECK(get_expect(&pb, 100, 3, false));   /* ...and past it: the ring is linear again */
    TST_REQUIRE(put(&pb, 200, 200, 4, false));
    TST_REQUIRE(put(&pb, 3000, 3000, 5, false)); /* must not be placed past the end */
    TST_CHECK(get_expect(&pb, 200, 4, false));
    TST_CHECK(get_expect(&pb, 3000, 5, false));
    _emrtc_packetbuf_free(&pb);
}

static void test_release_and_free(void) {
    _emrtc_packetbuf pb = {0};
    TST_REQUIRE(put(&pb, 10, 10, 1, false));
    const uint8_t *d;
    size_t n;
    bool t;
    TST_REQUIRE(_emrtc_packetbuf_get(&pb, &d, &n, &t));
    _emrtc_packetbuf_release(&pb);
    TST_CHECK(!pb.holding);
    _emrtc_packetbuf_release(&pb); /* twice is fine */
    _emrtc_packetbuf_free(&pb);
    _emrtc_packetbuf_free(&pb); /* and so is freeing a freed one */
    TST_CHECK(pb.data == NULL && pb.recs == NULL);
}

/* ---- random operations against a model ---- */

typedef struct model_pkt {
    size_t len;
    uint32_t seed;
    bool text;
} model_pkt;

static uint32_t rng_state = 12345u;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static size_t random_len(void) {
    uint32_t r = rnd() % 100;
    if (r < 10) return 0;
    if (r < 70) return rnd() % 600;
    if (r < 95) return rnd() % 5000;
    return 5000 + rnd() % 70000;
}

static void test_random_against_model(void) {
    enum { OPS = 60000, MAXQ = 4096 };
    static model_pkt q[MAXQ];
    int head = 0, count = 0, available = 0;
    _emrtc_packetbuf pb = {0};
    bool holding = false;
    const uint8_t *held = NULL;
    model_pkt held_pkt = {0, 0, false};
    uint32_t seed = 1;
    int bad = 0;
    for (int op = 0; op < OPS && bad < 5; op++) {
        uint32_t r = rnd() % 100;
        if (r < 45 && count < MAXQ) {
            size_t len = random_len();
            size_t reserve = len + (rnd() % 4 == 0 ? rnd() % 300 : 0);
            uint8_t *at = _emrtc_packetbuf_reserve(&pb, reserve);
            if (!at) { bad++; TST_CHECK(at != NULL); continue; }
            fill(at, len, seed);
            bool text = rnd() & 1u;
            if (!_emrtc_packetbuf_commit(&pb, len, text)) { bad++; TST_CHECK(false); continue; }
            q[(head + count++) % MAXQ] = (model_pkt){len, seed++, text};
        } else if (r < 70) {
            _emrtc_packetbuf_make_available(&pb);
            if (available < count) available++;
        } else if (r < 95) {
            const uint8_t *d;
            size_t n;
            bool t;
            bool got = _emrtc_packetbuf_get(&pb, &d, &n, &t);
            if (got != (available > 0)) { bad++; TST_CHECK(got == (available > 0)); continue; }
            holding = got;
            if (!got) continue;
            model_pkt m = q[head];
            head = (head + 1) % MAXQ;
            count--;
            available--;
            if (!(n == m.len && t == m.text && same_as(d, n, m.seed))) {
                bad++;
                tst_check_(false, __FILE__, __LINE__, "op %d: packet %u differs (len %zu, expected %zu)", op, m.seed, n, m.len);
            }
            held = d;
            held_pkt = m;
        } else {
            _emrtc_packetbuf_release(&pb);
            holding = false;
        }
        if (holding && !same_as(held, held_pkt.len, held_pkt.seed)) {
            bad++;
            tst_check_(false, __FILE__, __LINE__, "op %d: the held packet %u changed before its release", op, held_pkt.seed);
        }
        TST_EQ_INT(pb.available, available);
    }
    TST_EQ_INT(bad, 0);
    _emrtc_packetbuf_free(&pb);
}

/* With max_cap (the core sets the channel's backlog limit), the ring never grows past it while the
   unread bytes plus the new packet fit in it, also when fragmentation forces a move: a slow reader of
   a flood, packets of uneven sizes, one held at a time. */
static void test_growth_bounded_by_max_cap(void) {
    enum { MAX = 65536 };
    _emrtc_packetbuf pb = {0};
    pb.max_cap = MAX;
    uint32_t next_put = 0, next_get = 0, rnd = 12345;
    size_t unread = 0, lens[4096];
    bool ok = true;
    for (int step = 0; step < 20000 && ok; step++) {
        rnd = rnd * 1103515245u + 12345u;
        size_t len = 1 + (rnd >> 8) % 9000;
        if ((rnd >> 4) % 3 != 0 && unread + len <= MAX) {
            ok = put(&pb, len, len, next_put, false);
            lens[next_put % 4096] = len;
            next_put++;
            unread += len;
        } else if (next_get < next_put) {
            ok = get_expect(&pb, lens[next_get % 4096], next_get, false);
            unread -= lens[next_get % 4096];
            next_get++;
        }
        if (pb.cap > MAX) ok = false;
    }
    TST_CHECK(ok);
    TST_CHECK(pb.cap <= MAX);
    TST_EQ_INT(pb.unread, unread);
    _emrtc_packetbuf_free(&pb);
}

/* trim gives the ring back once nothing is unread or held, only rings over `keep`, and only at the
   `polls`-th call in a row that finds it so (any other call starts the count again). */
#define KEEP (256u * 1024u)
static void test_trim(void) {
    _emrtc_packetbuf pb = {0};
    pb.max_cap = 1u << 20;
    for (uint32_t i = 0; i < 40; i++) TST_CHECK(put(&pb, 10000, 10000, i, false));
    size_t cap = pb.cap;
    TST_CHECK(cap >= 400000);
    _emrtc_packetbuf_trim(&pb, 0, 1, 1); /* unread packets: kept */
    TST_EQ_INT(pb.cap, cap);
    for (uint32_t i = 0; i < 40; i++) TST_CHECK(get_expect(&pb, 10000, i, false));
    _emrtc_packetbuf_trim(&pb, 0, 1, 1); /* the last packet is still held: kept */
    TST_EQ_INT(pb.cap, cap);
    _emrtc_packetbuf_release(&pb);
    _emrtc_packetbuf_trim(&pb, cap, 1, 1); /* not over `keep` */
    TST_EQ_INT(pb.cap, cap);
    /* read empty: kept for 3 calls, given back at the 4th */
    for (int k = 0; k < 3; k++) _emrtc_packetbuf_trim(&pb, KEEP, 4, 16);
    TST_EQ_INT(pb.cap, cap);
    /* a packet in between starts the count again: a ring refilled between polls stays */
    TST_CHECK(put(&pb, 100, 100, 1, false));
    _emrtc_packetbuf_trim(&pb, KEEP, 4, 16); /* unread: the count is 0 again */
    TST_CHECK(get_expect(&pb, 100, 1, false));
    _emrtc_packetbuf_release(&pb);
    for (int k = 0; k < 3; k++) _emrtc_packetbuf_trim(&pb, KEEP, 4, 16);
    TST_EQ_INT(pb.cap, cap);
    TST_CHECK(pb.data != NULL);
    _emrtc_packetbuf_trim(&pb, KEEP, 4, 16);
    TST_EQ_INT(pb.cap, 0);
    TST_CHECK(pb.data == NULL);
    TST_EQ_INT(pb.idle, 0);
    TST_EQ_INT(pb.max_cap, 1u << 20); /* the limit survives */
    TST_CHECK(put(&pb, 100, 100, 7, true)); /* and the buffer works again */
    TST_CHECK(get_expect(&pb, 100, 7, true));
    _emrtc_packetbuf_free(&pb);
}

static void fill_and_read(_emrtc_packetbuf *pb, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) TST_CHECK(put(pb, 10000, 10000, i, false));
    for (uint32_t i = 0; i < n; i++) TST_CHECK(get_expect(pb, 10000, i, false));
    _emrtc_packetbuf_release(pb);
}

/* Trims one by one until the ring goes back; returns how many calls that took (0: not within 100). */
static int calls_to_trim(_emrtc_packetbuf *pb) {
    for (int k = 1; k <= 100; k++) {
        _emrtc_packetbuf_trim(pb, KEEP, 4, 16);
        if (!pb->data) return k;
    }
    return 0;
}

/* A ring that is needed again after going back waits twice as long the next time, up to max_polls;
   traffic that fits in `keep` changes nothing. */
static void test_trim_backs_off(void) {
    _emrtc_packetbuf pb = {0};
    fill_and_read(&pb, 40); /* about 400 KB: over KEEP */
    TST_EQ_INT(calls_to_trim(&pb), 4);
    _emrtc_packetbuf_trim(&pb, KEEP, 4, 16); /* 1 call later: big again */
    fill_and_read(&pb, 40);
    TST_EQ_INT(calls_to_trim(&pb), 8);
    for (int k = 0; k < 10; k++) _emrtc_packetbuf_trim(&pb, KEEP, 4, 16); /* after a quiet spell too */
    fill_and_read(&pb, 40);
    TST_EQ_INT(calls_to_trim(&pb), 16);
    fill_and_read(&pb, 40); /* and no more than max_polls */
    TST_EQ_INT(calls_to_trim(&pb), 16);
    fill_and_read(&pb, 2); /* small traffic (the ring stays under KEEP) changes nothing */
    for (int k = 0; k < 20; k++) _emrtc_packetbuf_trim(&pb, KEEP, 4, 16);
    TST_CHECK(pb.cap <= KEEP);
    _emrtc_packetbuf_free(&pb);
}

int main(void) {
    TST_RUN(test_fifo_order_and_flags);
    TST_RUN(test_pending_not_readable);
    TST_RUN(test_commit_rules);
    TST_RUN(test_zero_length);
    TST_RUN(test_wrap_around_without_growth);
    TST_RUN(test_growth_keeps_held_packet);
    TST_RUN(test_read_past_wrap_between_reserves);
    TST_RUN(test_release_and_free);
    TST_RUN(test_random_against_model);
    TST_RUN(test_growth_bounded_by_max_cap);
    TST_RUN(test_trim);
    TST_RUN(test_trim_backs_off);
    return tst_summary("packetbuf");
}
