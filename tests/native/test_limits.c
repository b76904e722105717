/* Limits of what a remote can make a peer hold (emrtc.h, LIMITS), over the loopback: the receive
   backlog per channel and of all channels (drop and count, or close; one error per burst; exact
   accounting: delivered + dropped = sent), empty packets, channels per peer, the remote's labels,
   the event queue bound, and the configuration checks. */
#include "emrtc_internal.h"
#include "pair.h"
#include "tst.h"

#include <stdlib.h>

#define HAS(text, part) TST_CHECK(strstr((text), (part)) != NULL)

static uint8_t payload[65536];

/* Sends `count` packets of `size` bytes a -> b, numbered, polling both sides after each (the far
   side polls but never reads). Returns how many put_packet accepted. */
static int flood(tp_pair *p, emrtc_channel ch, int count, size_t size, uint32_t first) {
    int sent = 0;
    for (int i = 0; i < count; i++) {
        uint32_t n = first + (uint32_t)i;
        if (size >= 4) memcpy(payload, &n, 4);
        if (emrtc_channel_put_packet(ch, payload, size) == EMRTC_OK) sent++;
        tp_poll(p, 1);
    }
    return sent;
}

/* Reads every available packet of ch; checks their numbers increase; returns how many. */
static int drain_numbered(emrtc_channel ch, uint32_t *last) {
    const uint8_t *d;
    size_t n;
    int got = 0;
    while (emrtc_channel_get_packet(ch, &d, &n) == EMRTC_OK) {
        uint32_t v = 0;
        if (n >= 4) memcpy(&v, d, 4);
        if (got || *last != UINT32_MAX) TST_CHECK(v > *last || *last == UINT32_MAX);
        *last = v;
        got++;
    }
    return got;
}

static bool connect_with(tp_pair *p, const emrtc_configuration *b_config, emrtc_channel *ca, const char *label,
                         const emrtc_channel_options *o) {
    tp_init(p);
    if (b_config && emrtc_peer_initialize(p->b.pc, b_config) != EMRTC_OK) return false;
    if (emrtc_peer_create_data_channel(p->a.pc, label, o, ca) != EMRTC_OK) return false;
    return tp_connect(p) && p->b.nreceived == 1;
}

/* The default: 1 MiB per channel. A flood of 64 KiB packets at a side that polls but never reads:
   the backlog stops at the limit, the rest is dropped and counted, one error for the whole burst;
   after reading, the channel carries data normally, and a second burst is reported again. */
static void test_default_limit_drops_and_counts(void) {
    tp_pair p;
    emrtc_channel ca;
    TST_REQUIRE(connect_with(&p, NULL, &ca, "flood", NULL));
    emrtc_channel cb = p.b.received[0];
    enum { N = 200, SIZE = 65536 };
    int sent = flood(&p, ca, N, SIZE, 0);
    TST_EQ_INT(sent, N);
    int available = emrtc_channel_get_available_packet_count(cb);
    uint64_t dropped = emrtc_channel_get_dropped_count(cb);
    TST_EQ_INT(available + (int)dropped, sent);
    TST_EQ_INT(available, EMRTC_DEFAULT_MAX_BACKLOG_BYTES / (SIZE + EMRTC_PACKET_OVERHEAD_BYTES));
    TST_CHECK(emrtc_channel_get_backlog_bytes(cb) <= EMRTC_DEFAULT_MAX_BACKLOG_BYTES);
    TST_EQ_INT(emrtc_channel_get_backlog_bytes(cb), (size_t)available * (SIZE + EMRTC_PACKET_OVERHEAD_BYTES));
    TST_EQ_INT(emrtc_total_backlog_bytes(), emrtc_channel_get_backlog_bytes(cb));
    TST_EQ_INT(p.b.errors, 1); /* once per burst, not once per packet */
    TST_EQ_INT(p.b.last_error, EMRTC_ERR_OUT_OF_MEMORY);
    HAS(p.b.last_error_message, "receive: channel \"flood\"");
    HAS(p.b.last_error_message, "its unread backlog reached its limit");
    TST_EQ_INT(emrtc_channel_get_ready_state(cb), EMRTC_CHANNEL_STATE_OPEN);
    uint32_t last = UINT32_MAX;
    TST_EQ_INT(drain_numbered(cb, &last), available);
    TST_EQ_INT(last, (uint32_t)available - 1u); /* the oldest were kept, the newest dropped */
    TST_EQ_INT(emrtc_channel_get_backlog_bytes(cb), 0);
    TST_EQ_INT(emrtc_total_backlog_bytes(), 0);
    /* reads normally afterwards, no new error */
    TST_EQ_INT(flood(&p, ca, 5, SIZE, 1000), 5);
    TST_EQ_INT(drain_numbered(cb, &last), 5);
    TST_EQ_INT(last, 1004u);
    TST_EQ_INT(p.b.errors, 1);
    TST_EQ_INT(emrtc_channel_get_dropped_count(cb), dropped);
    /* a second burst is a second report */
    flood(&p, ca, N, SIZE, 2000);
    TST_EQ_INT(p.b.errors, 2);
    TST_EQ_INT(emrtc_channel_get_available_packet_count(cb) + (int)emrtc_channel_get_dropped_count(cb),
               (int)dropped + N);
    tp_destroy(&p);
    TST_EQ_INT(emrtc_total_backlog_bytes(), 0);
}

/* EMRTC_BACKLOG_CLOSE: at the limit the channel closes on both sides; what arrived stays readable;
   delivered + dropped = sent. Set on the receiving peer's configuration (received channels). */
static void test_close_policy(void) {
    tp_pair p;
    emrtc_channel ca;
    emrtc_configuration cfg = {.max_backlog_bytes = 100000, .backlog_policy = EMRTC_BACKLOG_CLOSE};
    TST_REQUIRE(connect_with(&p, &cfg, &ca, "strict", NULL));
    emrtc_channel cb = p.b.received[0];
    int sent = flood(&p, ca, 20, 10000, 0);
    tp_poll(&p, 2);
    TST_EQ_INT(emrtc_channel_get_ready_state(cb), EMRTC_CHANNEL_STATE_CLOSED);
    TST_EQ_INT(emrtc_channel_get_ready_state(ca), EMRTC_CHANNEL_STATE_CLOSED);
    int available = emrtc_channel_get_available_packet_count(cb);
    TST_EQ_INT(available, 100000 / (10000 + EMRTC_PACKET_OVERHEAD_BYTES));
    TST_EQ_INT(available + (int)emrtc_channel_get_dropped_count(cb), sent);
    TST_EQ_INT(p.b.errors, 1);
    HAS(p.b.last_error_message, "the channel was closed (EMRTC_BACKLOG_CLOSE)");
    uint32_t last = UINT32_MAX;
    TST_EQ_INT(drain_numbered(cb, &last), available);
    tp_destroy(&p);
}

/* Channel options override the peer's configuration (a local channel's limit). */
static void test_channel_option_overrides(void) {
    tp_pair p;
    tp_init(&p);
    emrtc_channel_options o = {.negotiated = true, .has_id = true, .id = 7, .max_backlog_bytes = 5000};
    emrtc_channel ca, cb;
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "n", &o, &ca));
    o.max_backlog_bytes = 0; /* b's side: the default limit */
    TST_OK(emrtc_peer_create_data_channel(p.b.pc, "n", &o, &cb));
    TST_REQUIRE(tp_connect(&p));
    tp_poll(&p, 3);
    flood(&p, cb, 10, 1000, 0); /* b -> a: a's limit is 5000 */
    TST_EQ_INT(emrtc_channel_get_available_packet_count(ca), 5000 / (1000 + EMRTC_PACKET_OVERHEAD_BYTES));
    TST_EQ_INT(emrtc_channel_get_dropped_count(ca), 10 - 5000 / (1000 + EMRTC_PACKET_OVERHEAD_BYTES));
    flood(&p, ca, 10, 1000, 0); /* a -> b: the default holds them all */
    TST_EQ_INT(emrtc_channel_get_available_packet_count(cb), 10);
    TST_EQ_INT(emrtc_channel_get_dropped_count(cb), 0);
    tp_destroy(&p);
}

/* Empty packets count their overhead: a flood of them cannot queue without bound. */
static void test_empty_packets_bounded(void) {
    tp_pair p;
    emrtc_channel ca;
    emrtc_configuration cfg = {.max_backlog_bytes = 1600};
    TST_REQUIRE(connect_with(&p, &cfg, &ca, "empty", NULL));
    emrtc_channel cb = p.b.received[0];
    for (int i = 0; i < 1000; i++) TST_OK(emrtc_channel_put_packet(ca, payload, 0));
    tp_poll(&p, 2);
    TST_EQ_INT(emrtc_channel_get_available_packet_count(cb), 1600 / EMRTC_PACKET_OVERHEAD_BYTES);
    TST_EQ_INT(emrtc_channel_get_dropped_count(cb), 1000 - 1600 / EMRTC_PACKET_OVERHEAD_BYTES);
    TST_EQ_INT(p.b.errors, 1);
    tp_destroy(&p);
}

/* All channels together: emrtc_set_total_backlog_limit. */
static void test_total_limit(void) {
    TST_OK(emrtc_set_total_backlog_limit(300000));
    tp_pair p;
    tp_init(&p);
    emrtc_channel c1, c2;
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "one", NULL, &c1));
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "two", NULL, &c2));
    TST_REQUIRE(tp_connect(&p));
    tp_poll(&p, 3);
    TST_REQUIRE(p.b.nreceived == 2);
    int sent = flood(&p, c1, 20, 10000, 0) + flood(&p, c2, 20, 10000, 0);
    emrtc_channel r1 = p.b.received[0], r2 = p.b.received[1];
    TST_CHECK(emrtc_total_backlog_bytes() <= 300000);
    TST_EQ_INT(emrtc_total_backlog_bytes(), emrtc_channel_get_backlog_bytes(r1) + emrtc_channel_get_backlog_bytes(r2));
    TST_EQ_INT(emrtc_channel_get_available_packet_count(r1) + emrtc_channel_get_available_packet_count(r2),
               300000 / (10000 + EMRTC_PACKET_OVERHEAD_BYTES));
    TST_EQ_INT(emrtc_channel_get_available_packet_count(r1) + emrtc_channel_get_available_packet_count(r2) +
                   (int)(emrtc_channel_get_dropped_count(r1) + emrtc_channel_get_dropped_count(r2)),
               sent);
    HAS(p.b.last_error_message, "all channels reached its limit");
    TST_EQ_INT(emrtc_set_total_backlog_limit(EMRTC_MAX_BACKLOG_BYTES + (size_t)1), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_OK(emrtc_set_total_backlog_limit(0));
    tp_destroy(&p);
    TST_EQ_INT(emrtc_total_backlog_bytes(), 0);
}

/* max_channels counts local and remote channels; remote ones past it are closed and reported. */
static void test_max_channels(void) {
    tp_pair p;
    tp_init(&p);
    emrtc_configuration cfg = {.max_channels = 3};
    TST_OK(emrtc_peer_initialize(p.b.pc, &cfg));
    emrtc_channel ch[5];
    for (int i = 0; i < 5; i++) TST_OK(emrtc_peer_create_data_channel(p.a.pc, "c", NULL, &ch[i]));
    TST_REQUIRE(tp_connect(&p));
    tp_poll(&p, 3);
    TST_EQ_INT(p.b.nreceived, 3);
    TST_EQ_INT(p.b.errors, 1);
    HAS(p.b.last_error_message, "data_channel_received: 2 channels the remote opened were refused");
    HAS(p.b.last_error_message, "max_channels");
    int closed = 0;
    for (int i = 0; i < 5; i++) closed += emrtc_channel_get_ready_state(ch[i]) == EMRTC_CHANNEL_STATE_CLOSED;
    TST_EQ_INT(closed, 2);
    tp_destroy(&p);
    /* a local channel past max_channels */
    tp_init(&p);
    TST_OK(emrtc_peer_initialize(p.a.pc, &cfg));
    for (int i = 0; i < 3; i++) TST_OK(emrtc_peer_create_data_channel(p.a.pc, "c", NULL, &ch[i]));
    TST_EQ_INT(emrtc_peer_create_data_channel(p.a.pc, "c", NULL, &ch[3]), EMRTC_ERR_OUT_OF_MEMORY);
    HAS(emrtc_last_error_message(), "max_channels");
    TST_EQ_INT(ch[3].id, 0);
    tp_destroy(&p);
}

/* The labels and protocols of the remote's channels: at most EMRTC_MAX_REMOTE_LABEL_BYTES per peer. */
static void test_remote_label_budget(void) {
    static char big[EMRTC_MAX_LABEL_BYTES + 1];
    memset(big, 'L', EMRTC_MAX_LABEL_BYTES);
    tp_pair p;
    tp_init(&p);
    emrtc_channel_options o = {.protocol = big};
    emrtc_channel ch[4];
    for (int i = 0; i < 4; i++) TST_OK(emrtc_peer_create_data_channel(p.a.pc, big, &o, &ch[i]));
    TST_REQUIRE(tp_connect(&p));
    tp_poll(&p, 3);
    int fit = (int)(EMRTC_MAX_REMOTE_LABEL_BYTES / (2u * EMRTC_MAX_LABEL_BYTES));
    TST_EQ_INT(p.b.nreceived, fit);
    TST_EQ_INT(p.b.errors, 1);
    HAS(p.b.last_error_message, "label and protocol");
    /* destroying a received channel gives its bytes back */
    emrtc_channel_destroy(p.b.received[0]);
    TST_EQ_INT(emrtc_live_channel_count(), 4 + fit - 1);
    tp_destroy(&p);
}

/* At most EMRTC_MAX_QUEUED_EVENTS per object; the rest are counted and told once at the poll. */
static int candidates_seen;
static char lost_message[256];
static void count_candidate(emrtc_peer pc, const char *m, int i, const char *n, void *ud) {
    (void)pc, (void)m, (void)i, (void)n, (void)ud;
    candidates_seen++;
}
static void keep_error(emrtc_peer pc, emrtc_error err, const char *message, void *ud) {
    (void)pc, (void)ud;
    if (err == EMRTC_ERR_OUT_OF_MEMORY) snprintf(lost_message, sizeof lost_message, "%s", message);
}

static void test_event_queue_bound(void) {
    emrtc_peer pc = emrtc_peer_create();
    TST_REQUIRE(pc.id != 0);
    emrtc_peer_callbacks cb = {.ice_candidate_created = count_candidate, .error = keep_error};
    TST_OK(emrtc_peer_set_callbacks(pc, &cb));
    for (int i = 0; i < EMRTC_MAX_QUEUED_EVENTS + 100; i++) emrtc_ext_ice_candidate(pc, "0", 0, "candidate:x");
    TST_OK(emrtc_peer_poll(pc));
    TST_EQ_INT(candidates_seen, EMRTC_MAX_QUEUED_EVENTS);
    HAS(lost_message, "100 events of this peer or its channels were lost");
    lost_message[0] = 0;
    emrtc_ext_ice_candidate(pc, "0", 0, "candidate:y");
    TST_OK(emrtc_peer_poll(pc));
    TST_EQ_INT(candidates_seen, EMRTC_MAX_QUEUED_EVENTS + 1);
    TST_EQ_INT(lost_message[0], 0);
    emrtc_peer_destroy(pc);
}

static void test_configuration_checks(void) {
    emrtc_peer pc = emrtc_peer_create();
    TST_REQUIRE(pc.id != 0);
    emrtc_configuration bad = {.backlog_policy = (emrtc_backlog_policy)3};
    TST_EQ_INT(emrtc_peer_initialize(pc, &bad), EMRTC_ERR_INVALID_PARAMETER);
    HAS(emrtc_last_error_message(), "backlog_policy 3");
    bad = (emrtc_configuration){.max_backlog_bytes = (size_t)EMRTC_MAX_BACKLOG_BYTES + 1u};
    TST_EQ_INT(emrtc_peer_initialize(pc, &bad), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    HAS(emrtc_last_error_message(), "max_backlog_bytes");
    bad = (emrtc_configuration){.max_channels = 70000};
    TST_EQ_INT(emrtc_peer_initialize(pc, &bad), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    emrtc_channel ch;
    emrtc_channel_options o = {.backlog_policy = (emrtc_backlog_policy)-1};
    TST_EQ_INT(emrtc_peer_create_data_channel(pc, "x", &o, &ch), EMRTC_ERR_INVALID_PARAMETER);
    o = (emrtc_channel_options){.max_backlog_bytes = (size_t)EMRTC_MAX_BACKLOG_BYTES + 1u};
    TST_EQ_INT(emrtc_peer_create_data_channel(pc, "x", &o, &ch), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    emrtc_peer_destroy(pc);
}

int main(void) {
    TST_RUN(test_default_limit_drops_and_counts);
    TST_RUN(test_close_policy);
    TST_RUN(test_channel_option_overrides);
    TST_RUN(test_empty_packets_bounded);
    TST_RUN(test_total_limit);
    TST_RUN(test_max_channels);
    TST_RUN(test_remote_label_budget);
    TST_RUN(test_event_queue_bound);
    TST_RUN(test_configuration_checks);
    TST_EQ_INT(emrtc_live_peer_count(), 0);
    TST_EQ_INT(emrtc_live_channel_count(), 0);
    return tst_summary("limits");
}
