/* Stats and ICE restart on a connected pair of one page (host candidates): what get_stats reports
   (RTT, candidate types, bytes against what was sent), per-channel counters, the refusals (stale
   handle, closed peer, a request under way); restart_ice makes a new offer with new ICE
   credentials, both sides gather again, and the same channels carry data afterwards. */
#include "helpers.h"

#include <stdlib.h>

#define STATS_BINARY_COUNT 20
#define STATS_BINARY_SIZE 1000
#define STATS_TEXT_COUNT 10
static const char stats_text[] = "stats \xe2\x9c\x93"; /* 9 bytes of UTF-8 */
#define STATS_TEXT_SIZE (sizeof stats_text - 1)
/* What the transport may carry beyond the payload in this scenario: the DTLS handshake (certificates:
   a few KB each way), SCTP's association setup, acknowledgements and heartbeats, ICE's checks, and
   per message about 60 bytes of SCTP + DTLS + UDP + IP headers. */
#define STATS_FIXED_OVERHEAD 20000u
#define STATS_PER_MESSAGE_OVERHEAD 100u

typedef struct {
    scn_pair p;
    emrtc_channel ca, cb;
    emrtc_peer_stats got[2];
    int answers[2];
    char ufrag[2][2][64]; /* [side][description number] */
    uint8_t payload[STATS_BINARY_SIZE];
} stats_ctx;

static int side_index(scn_side *side) { return side == &side->pair->b; }

static void on_stats(emrtc_peer pc, const emrtc_peer_stats *st, void *ud) {
    scn_side *side = ud;
    stats_ctx *c = side->pair->s->ctx;
    (void)pc;
    c->got[side_index(side)] = *st;
    c->answers[side_index(side)]++;
}

/* Records each description's ice-ufrag, then does what the pair does with it. */
static void on_description(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    scn_side *side = ud;
    stats_ctx *c = side->pair->s->ctx;
    int n = side->descriptions; /* before the pair's callback counts this one */
    const char *u = strstr(sdp, "a=ice-ufrag:");
    if (u && n < 2) {
        u += 12;
        size_t len = strcspn(u, "\r\n");
        if (len >= sizeof c->ufrag[0][0]) len = sizeof c->ufrag[0][0] - 1;
        memcpy(c->ufrag[side_index(side)][n], u, len);
        c->ufrag[side_index(side)][n][len] = 0;
    }
    scn_side_callbacks(side).session_description_created(pc, type, sdp, ud);
}

static void install_callbacks(scn *s, scn_side *side) {
    emrtc_peer_callbacks cb = scn_side_callbacks(side);
    cb.stats = on_stats;
    cb.session_description_created = on_description;
    CHECK_OK(emrtc_peer_set_callbacks(side->pc, &cb));
}

static void check_candidate(scn *s, const emrtc_candidate_stats *k, const char *which) {
    scn_check(s, k->type == EMRTC_CANDIDATE_TYPE_HOST, __FILE__, __LINE__, "%s candidate type %d, expected host",
              which, (int)k->type);
    scn_check(s, k->protocol == EMRTC_ICE_PROTOCOL_UDP, __FILE__, __LINE__, "%s protocol %d, expected udp", which,
              (int)k->protocol);
    scn_check(s, k->relay_protocol == EMRTC_ICE_PROTOCOL_UNKNOWN, __FILE__, __LINE__, "%s relay_protocol %d", which,
              (int)k->relay_protocol);
    scn_check(s, k->port > 0 && k->address[0] != 0, __FILE__, __LINE__, "%s address \"%s\" port %u", which,
              k->address, (unsigned)k->port);
}

/* The transport carried the payload plus at most the stated overhead. */
static void check_bytes(scn *s, uint64_t bytes, uint64_t packets, uint64_t payload, uint64_t messages, const char *which) {
    uint64_t most = payload + STATS_FIXED_OVERHEAD + STATS_PER_MESSAGE_OVERHEAD * messages;
    scn_check(s, bytes >= payload && bytes <= most, __FILE__, __LINE__,
              "%s: %llu bytes on the wire for %llu bytes of payload (allowed up to %llu)", which,
              (unsigned long long)bytes, (unsigned long long)payload, (unsigned long long)most);
    scn_check(s, packets >= messages, __FILE__, __LINE__, "%s: %llu packets for %llu messages", which,
              (unsigned long long)packets, (unsigned long long)messages);
}

SCENARIO(stats_connected_pair, stats_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    install_callbacks(s, &c->p.a);
    install_callbacks(s, &c->p.b);
    CHECK_ERR(emrtc_peer_get_stats((emrtc_peer){0}), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_HAS(emrtc_last_error_message(), "not a live peer");
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "stats", NULL, &c->ca));
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb), 15000);

    for (int i = 0; i < STATS_BINARY_COUNT; i++) {
        scn_pattern(c->payload, sizeof c->payload, (uint32_t)i);
        CHECK_OK(scn_send(c->ca, EMRTC_WRITE_MODE_BINARY, c->payload, sizeof c->payload));
    }
    for (int i = 0; i < STATS_TEXT_COUNT; i++) CHECK_OK(scn_send(c->cb, EMRTC_WRITE_MODE_TEXT, stats_text, STATS_TEXT_SIZE));
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb) == STATS_BINARY_COUNT &&
                       emrtc_channel_get_available_packet_count(c->ca) == STATS_TEXT_COUNT,
                   10000);
    {
        emrtc_channel_stats a, b;
        CHECK_OK(emrtc_channel_get_stats(c->ca, &a));
        CHECK_OK(emrtc_channel_get_stats(c->cb, &b));
        CHECK_INT(a.messages_sent, STATS_BINARY_COUNT);
        CHECK_INT(a.bytes_sent, STATS_BINARY_COUNT * STATS_BINARY_SIZE);
        CHECK_INT(a.messages_received, STATS_TEXT_COUNT);
        CHECK_INT(a.bytes_received, STATS_TEXT_COUNT * STATS_TEXT_SIZE);
        CHECK_INT(b.messages_received, STATS_BINARY_COUNT);
        CHECK_INT(b.bytes_received, STATS_BINARY_COUNT * STATS_BINARY_SIZE);
        CHECK_INT(b.messages_sent, STATS_TEXT_COUNT);
        CHECK_INT(b.bytes_sent, STATS_TEXT_COUNT * STATS_TEXT_SIZE);
        /* a refused send counts nothing */
        CHECK_ERR(emrtc_channel_put_packet(c->ca, NULL, 3), EMRTC_ERR_INVALID_PARAMETER);
        CHECK_OK(emrtc_channel_get_stats(c->ca, &a));
        CHECK_INT(a.messages_sent, STATS_BINARY_COUNT);
        CHECK_ERR(emrtc_channel_get_stats(c->ca, NULL), EMRTC_ERR_INVALID_PARAMETER);
    }

    CHECK_OK(emrtc_peer_get_stats(c->p.a.pc));
    CHECK_ERR(emrtc_peer_get_stats(c->p.a.pc), EMRTC_ERR_BUSY);
    CHECK_HAS(emrtc_last_error_message(), "under way");
    CHECK_OK(emrtc_peer_get_stats(c->p.b.pc));
    SCN_WAIT_UNTIL(c->answers[0] == 1 && c->answers[1] == 1, 10000);
    for (int i = 0; i < 2; i++) {
        const emrtc_peer_stats *st = &c->got[i];
        /* one host talking to itself: well under a second. Chromium measures in whole milliseconds,
           so a same-host RTT reads 0 or 1 (the TURN test checks it above zero); the loopback's 0.05 */
        scn_check(s, st->current_round_trip_time_ms >= 0 && st->current_round_trip_time_ms < 1000, __FILE__, __LINE__,
                  "side %d: current RTT %f ms", i, st->current_round_trip_time_ms);
        CHECK(st->responses_received >= 1);
        CHECK(st->total_round_trip_time_ms >= st->current_round_trip_time_ms);
        CHECK(st->total_round_trip_time_ms / (double)st->responses_received < 1000);
        CHECK(st->timestamp_ms > 1.5e12); /* after 2017, in ms since the epoch */
        check_candidate(s, &st->local, i ? "b local" : "a local");
        check_candidate(s, &st->remote, i ? "b remote" : "a remote");
    }
    CHECK_INT(c->got[0].local.port, c->got[1].remote.port);
    CHECK_INT(c->got[0].remote.port, c->got[1].local.port);
    check_bytes(s, c->got[0].bytes_sent, c->got[0].packets_sent, STATS_BINARY_COUNT * STATS_BINARY_SIZE,
                STATS_BINARY_COUNT, "a sent");
    check_bytes(s, c->got[1].bytes_received, c->got[1].packets_received, STATS_BINARY_COUNT * STATS_BINARY_SIZE,
                STATS_BINARY_COUNT, "b received");
    check_bytes(s, c->got[1].bytes_sent, c->got[1].packets_sent, STATS_TEXT_COUNT * STATS_TEXT_SIZE, STATS_TEXT_COUNT,
                "b sent");
    /* the callback has run: the next request is allowed */
    CHECK_OK(emrtc_peer_get_stats(c->p.a.pc));
    SCN_WAIT_UNTIL(c->answers[0] == 2, 10000);
    CHECK(c->got[0].responses_received >= 1);
    CHECK_INT(c->p.a.errors + c->p.b.errors, 0);

    /* closed: refused with its own error; the channel's counters stay readable */
    emrtc_peer_close(c->p.a.pc);
    CHECK_ERR(emrtc_peer_get_stats(c->p.a.pc), EMRTC_ERR_UNAVAILABLE);
    CHECK_HAS(emrtc_last_error_message(), "closed");
    {
        emrtc_channel_stats a;
        CHECK_OK(emrtc_channel_get_stats(c->ca, &a));
        CHECK_INT(a.messages_sent, STATS_BINARY_COUNT);
    }
    /* destroyed: stale handles of peer and channel */
    {
        emrtc_peer old = c->p.a.pc;
        emrtc_channel old_ch = c->ca;
        emrtc_channel_stats a = {.messages_sent = 99};
        scn_pair_destroy(&c->p);
        CHECK_ERR(emrtc_peer_get_stats(old), EMRTC_ERR_INVALID_PARAMETER);
        CHECK_ERR(emrtc_channel_get_stats(old_ch, &a), EMRTC_ERR_INVALID_PARAMETER);
        CHECK_INT(a.messages_sent, 0);
    }
    SCN_END();
}

/* A request under way when the peer is destroyed: no callback ever comes, nothing is left. */
SCENARIO(stats_destroyed_while_asked, stats_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    install_callbacks(s, &c->p.a);
    CHECK_OK(emrtc_peer_get_stats(c->p.a.pc)); /* before any connection: allowed, mostly zeros */
    SCN_WAIT_UNTIL(c->answers[0] == 1, 10000);
    CHECK_INT(c->got[0].local.type, EMRTC_CANDIDATE_TYPE_UNKNOWN);
    CHECK_INT(c->got[0].current_round_trip_time_ms, 0);
    CHECK_OK(emrtc_peer_get_stats(c->p.a.pc));
    scn_pair_destroy(&c->p);
    SCN_SLEEP(200);
    CHECK_INT(c->answers[0], 1);
    SCN_END();
}

SCENARIO(restart_ice_keeps_channels, stats_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    install_callbacks(s, &c->p.a);
    install_callbacks(s, &c->p.b);
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "kept", NULL, &c->ca));
    CHECK_ERR(emrtc_peer_restart_ice(c->p.a.pc), EMRTC_ERR_UNCONFIGURED);
    CHECK_HAS(emrtc_last_error_message(), "create_offer");
    CHECK_ERR(emrtc_peer_restart_ice((emrtc_peer){0}), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb), 15000);
    CHECK_OK(emrtc_channel_put_packet(c->ca, "before", 6));
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb) == 1, 10000);
    CHECK_PACKET(c->cb, "before", 6, false);

    CHECK_OK(emrtc_peer_restart_ice(c->p.a.pc));
    CHECK_ERR(emrtc_peer_restart_ice(c->p.a.pc), EMRTC_ERR_UNAVAILABLE);
    CHECK_HAS(emrtc_last_error_message(), "under way");
    SCN_WAIT_UNTIL(c->p.a.descriptions == 2 && c->p.b.descriptions == 2 &&
                       emrtc_peer_get_signaling_state(c->p.a.pc) == EMRTC_SIGNALING_STATE_STABLE &&
                       emrtc_peer_get_signaling_state(c->p.b.pc) == EMRTC_SIGNALING_STATE_STABLE &&
                       emrtc_peer_get_gathering_state(c->p.a.pc) == EMRTC_GATHERING_STATE_COMPLETE &&
                       emrtc_peer_get_gathering_state(c->p.b.pc) == EMRTC_GATHERING_STATE_COMPLETE &&
                       c->p.a.end_of_candidates == 2 && c->p.b.end_of_candidates == 2,
                   15000);
    CHECK_STR(c->p.a.last_sdp_type, "offer");
    /* new ICE credentials on both sides */
    CHECK(c->ufrag[0][0][0] && c->ufrag[0][1][0] && strcmp(c->ufrag[0][0], c->ufrag[0][1]) != 0);
    CHECK(c->ufrag[1][0][0] && c->ufrag[1][1][0] && strcmp(c->ufrag[1][0], c->ufrag[1][1]) != 0);
    CHECK(c->p.a.ngather >= 4 && c->p.a.gather[c->p.a.ngather - 2] == EMRTC_GATHERING_STATE_GATHERING);
    SCN_WAIT_UNTIL(emrtc_peer_get_connection_state(c->p.a.pc) == EMRTC_STATE_CONNECTED &&
                       emrtc_peer_get_connection_state(c->p.b.pc) == EMRTC_STATE_CONNECTED,
                   15000);
    /* the same channels, both ways */
    CHECK_INT(emrtc_channel_get_ready_state(c->ca), EMRTC_CHANNEL_STATE_OPEN);
    CHECK_OK(emrtc_channel_put_packet(c->ca, "after", 5));
    CHECK_OK(emrtc_channel_put_packet(c->cb, "back", 4));
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb) == 1 &&
                       emrtc_channel_get_available_packet_count(c->ca) == 1,
                   10000);
    CHECK_PACKET(c->cb, "after", 5, false);
    CHECK_PACKET(c->ca, "back", 4, false);
    CHECK_INT(c->p.a.nreceived + c->p.b.nreceived, 1); /* no new channel */
    CHECK_INT(c->p.a.errors + c->p.b.errors, 0);
    emrtc_peer_close(c->p.b.pc);
    CHECK_ERR(emrtc_peer_restart_ice(c->p.b.pc), EMRTC_ERR_UNAVAILABLE);
    scn_pair_destroy(&c->p);
    SCN_END();
}
