/* The loopback backend's own contract (what the scenarios cannot see): the descriptions and
   candidates it makes, the refusals it reports like the browser, SCTP ids by DTLS role, what the far
   side learns of a channel, the send queue model, and what closing does to the far side. */
#include "emrtc_internal.h"
#include "pair.h"
#include "tst.h"

#include <stdlib.h>

/* Called by the core from poll once it has the hook (see backend_loopback.c); calling it here too
   makes the send queue model testable either way. */

#define HAS(haystack, needle) tst_check_(strstr((haystack), (needle)) != NULL, __FILE__, __LINE__, \
                                         "\"%.300s\" does not contain \"%s\"", (haystack), (needle))

static void check_nothing_alive(void) {
    TST_EQ_INT(emrtc_live_peer_count(), 0);
    TST_EQ_INT(emrtc_live_channel_count(), 0);
    TST_EQ_INT(emrtc_backend_live_object_count(), 0);
}

static void test_descriptions_and_candidates_look_real(void) {
    tp_pair p;
    tp_init(&p);
    emrtc_channel ch;
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "game", NULL, &ch));
    TST_REQUIRE(tp_connect(&p));
    const char *offer = p.a.last_sdp, *answer = p.b.last_sdp;
    TST_CHECK(strncmp(offer, "v=0\r\no=- ", 9) == 0);
    HAS(offer, "\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n");
    HAS(offer, "\r\na=ice-ufrag:");
    HAS(offer, "\r\na=fingerprint:sha-256 ");
    HAS(offer, "\r\na=setup:actpass\r\n");
    HAS(answer, "\r\na=setup:active\r\n");
    HAS(offer, "\r\na=max-message-size:262144\r\n");
    HAS(offer, "\r\na=x-emrtc-loopback:");
    TST_CHECK(strcmp(offer, answer) != 0);
    TST_EQ_INT(p.a.candidates, 1);
    TST_EQ_INT(p.a.end_of_candidates, 1);
    TST_CHECK(strncmp(p.a.last_candidate, "candidate:1 1 udp 2113937151 127.0.0.1 ", 39) == 0);
    HAS(p.a.last_candidate, " typ host");
    TST_CHECK(strcmp(p.a.last_candidate, p.b.last_candidate) != 0); /* the port names the peer */
    /* Chromium's order: gathering, the candidate, complete, then end-of-candidates */
    TST_CHECK(scn_log_is(p.a.gather, p.a.ngather, 2, EMRTC_GATHERING_STATE_GATHERING, EMRTC_GATHERING_STATE_COMPLETE));
    TST_CHECK(scn_log_is(p.a.conn, p.a.nconn, 2, EMRTC_STATE_CONNECTING, EMRTC_STATE_CONNECTED));
    TST_CHECK(scn_log_is(p.b.conn, p.b.nconn, 2, EMRTC_STATE_CONNECTING, EMRTC_STATE_CONNECTED));
    TST_EQ_INT(p.a.errors + p.b.errors, 0);
    tp_destroy(&p);
    check_nothing_alive();
}

/* Chromium: the offerer is the DTLS server, its in-band channels get odd ids, the answerer's even. */
static void test_sctp_ids_and_far_channel_options(void) {
    tp_pair p;
    tp_init(&p);
    emrtc_channel a1, a2, neg, b1;
    emrtc_channel_options unreliable = {.has_max_retransmits = true, .max_retransmits = 3, .unordered = true, .protocol = "p"};
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "x", &unreliable, &a1));
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "y", &(emrtc_channel_options){.has_max_packet_life_time = true, .max_packet_life_time = 500}, &a2));
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "neg", &(emrtc_channel_options){.negotiated = true, .has_id = true, .id = 3}, &neg));
    TST_OK(emrtc_peer_create_data_channel(p.b.pc, "z", NULL, &b1));
    TST_EQ_INT(emrtc_channel_get_id(a1), EMRTC_ID_UNSET);
    TST_EQ_INT(emrtc_channel_get_max_packet_size(a1), 65536); /* no transport yet */
    TST_REQUIRE(tp_connect(&p));
    tp_poll(&p, 2);
    TST_EQ_INT(emrtc_channel_get_id(a1), 1);
    TST_EQ_INT(emrtc_channel_get_id(a2), 5); /* 3 is the negotiated one's */
    TST_EQ_INT(emrtc_channel_get_id(neg), 3);
    TST_EQ_INT(emrtc_channel_get_id(b1), 0);
    TST_EQ_INT(emrtc_channel_get_max_packet_size(a1), 262144);
    TST_REQUIRE(p.b.nreceived == 2 && p.a.nreceived == 1);
    emrtc_channel bx = p.b.received[0], by = p.b.received[1];
    TST_EQ_STR(emrtc_channel_get_label(bx), "x");
    TST_EQ_STR(emrtc_channel_get_protocol(bx), "p");
    TST_CHECK(!emrtc_channel_is_ordered(bx));
    TST_EQ_INT(emrtc_channel_get_max_retransmits(bx), 3);
    TST_EQ_INT(emrtc_channel_get_max_packet_life_time(bx), EMRTC_ID_UNSET);
    TST_EQ_INT(emrtc_channel_get_id(bx), 1);
    TST_CHECK(!emrtc_channel_is_negotiated(bx));
    TST_EQ_STR(emrtc_channel_get_label(by), "y");
    TST_CHECK(emrtc_channel_is_ordered(by));
    TST_EQ_INT(emrtc_channel_get_max_packet_life_time(by), 500);
    TST_EQ_INT(emrtc_channel_get_id(p.a.received[0]), 0);
    TST_EQ_STR(emrtc_channel_get_label(p.a.received[0]), "z");
    TST_EQ_INT(emrtc_channel_get_ready_state(bx), EMRTC_CHANNEL_STATE_OPEN);
    TST_EQ_INT(emrtc_channel_get_ready_state(neg), EMRTC_CHANNEL_STATE_OPEN); /* open even with no twin */
    TST_EQ_INT(emrtc_backend_live_object_count(), 2 + 4 + 3);
    tp_destroy(&p);
    check_nothing_alive();
}

/* A bad step returns EMRTC_OK and is refused from the next poll through the error callback, with the
   browser's code and "<step>: <DOM error>: ..." (see the browser backend). */
#define REFUSED(side, code, text)                                                                   \
    do {                                                                                            \
        int before_ = (side)->errors;                                                               \
        tp_poll(&p, 1);                                                                             \
        TST_EQ_INT((side)->errors, before_ + 1);                                                    \
        TST_EQ_INT((side)->last_error, code);                                                       \
        HAS((side)->last_error_message, text);                                                      \
    } while (0)

static void test_refusals_like_the_browser(void) {
    static const char chrome_offer[] =
        "v=0\r\no=- 7220569218482473307 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:jRXJ\r\n"
        "a=ice-pwd:Zt9GLmwoogpVbDsgn7cRJsqH\r\na=ice-options:trickle\r\na=fingerprint:sha-256 "
        "E3:6B:4D:A0:54:88:0E:6E:68:64:4F:93:22:E9:BC:FC:5A:EA:AC:2C:AF:26:61:5F:EF:75:DD:C9:9A:44:B2:08\r\n"
        "a=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n";
    tp_pair p;
    tp_init(&p);
    p.forward = false;
    tp_side *b = &p.b;
    TST_OK(emrtc_peer_set_remote_description(b->pc, "offer", "garbage"));
    REFUSED(b, EMRTC_ERR_INVALID_DATA, "set_remote_description: OperationError: Failed to parse SessionDescription. garbage Expect line: v=");
    TST_OK(emrtc_peer_set_remote_description(b->pc, "offer", chrome_offer));
    REFUSED(b, EMRTC_ERR_INVALID_DATA, "not a description of the emrtc loopback");
    TST_OK(emrtc_peer_set_remote_description(b->pc, "offer", ""));
    REFUSED(b, EMRTC_ERR_INVALID_DATA, "Expect line: v=");
    /* an offer made by a, but given as an answer while b is stable */
    emrtc_channel ch;
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "c", NULL, &ch));
    TST_OK(emrtc_peer_create_offer(p.a.pc));
    tp_poll(&p, 1);
    TST_REQUIRE(p.a.descriptions == 1);
    TST_OK(emrtc_peer_set_remote_description(b->pc, "answer", p.a.last_sdp));
    REFUSED(b, EMRTC_ERR_UNAVAILABLE, "set_remote_description: InvalidStateError: Failed to set remote answer sdp: Called in wrong state: stable");
    TST_OK(emrtc_peer_set_local_description(b->pc, "offer", p.a.last_sdp)); /* not b's own */
    REFUSED(b, EMRTC_ERR_INVALID_DATA, "set_local_description: InvalidModificationError: The SDP does not match");
    TST_OK(emrtc_peer_set_local_description(b->pc, "rollback", ""));
    REFUSED(b, EMRTC_ERR_UNAVAILABLE, "set_local_description: InvalidStateError: Called in wrong signalingState: stable");
    /* candidates: before any remote description got through (the core held them until "set") */
    TST_OK(emrtc_peer_add_ice_candidate(b->pc, "0", 0, "candidate:1 1 udp 2113937151 127.0.0.1 5000 typ host"));
    REFUSED(b, EMRTC_ERR_UNAVAILABLE, "add_ice_candidate: InvalidStateError: The remote description was null");
    TST_OK(emrtc_peer_set_remote_description(b->pc, "offer", p.a.last_sdp));
    tp_poll(&p, 1);
    TST_EQ_INT(emrtc_peer_get_signaling_state(b->pc), EMRTC_SIGNALING_STATE_HAVE_REMOTE_OFFER);
    TST_OK(emrtc_peer_add_ice_candidate(b->pc, "0", 0, "garbage"));
    REFUSED(b, EMRTC_ERR_INVALID_DATA, "add_ice_candidate: OperationError: Error processing ICE candidate");
    TST_OK(emrtc_peer_add_ice_candidate(b->pc, "7", 0, "candidate:1 1 udp 2113937151 127.0.0.1 5000 typ host"));
    REFUSED(b, EMRTC_ERR_INVALID_DATA, "Error processing ICE candidate"); /* no such media */
    TST_OK(emrtc_peer_add_ice_candidate(b->pc, "", 4, "candidate:1 1 udp 2113937151 127.0.0.1 5000 typ host"));
    REFUSED(b, EMRTC_ERR_INVALID_DATA, "Error processing ICE candidate"); /* no such index */
    TST_OK(emrtc_peer_add_ice_candidate(b->pc, "0", 0, "candidate:1 1 udp 2113937151 127.0.0.1 5000 typ host"));
    TST_OK(emrtc_peer_add_ice_candidate(b->pc, "0", 0, "candidate:842163049 1 udp 1677729535 203.0.113.7 61234 typ srflx "
                                                        "raddr 0.0.0.0 rport 0 generation 0 ufrag x network-cost 999"));
    TST_OK(emrtc_peer_add_ice_candidate(b->pc, "", 0, "candidate:2 1 TCP 1 fd00::2 9 typ host tcptype active"));
    TST_OK(emrtc_peer_add_ice_candidate(b->pc, "0", 0, ""));
    TST_OK(emrtc_peer_add_ice_candidate(b->pc, "0", 0, "")); /* twice, as Chromium allows */
    int before = b->errors;
    tp_poll(&p, 2);
    TST_EQ_INT(b->errors, before); /* well-formed candidates that lead nowhere are accepted */
    TST_EQ_INT(emrtc_peer_get_connection_state(b->pc), EMRTC_STATE_NEW);
    tp_destroy(&p);
    check_nothing_alive();
}

/* Both sides offer at once: the one that receives an offer rolls its own back (Chromium). */
static void test_glare_rolls_back(void) {
    tp_pair p;
    tp_init(&p);
    p.forward = false;
    emrtc_channel ca, cb;
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "a", NULL, &ca));
    TST_OK(emrtc_peer_create_data_channel(p.b.pc, "b", NULL, &cb));
    TST_OK(emrtc_peer_create_offer(p.a.pc));
    TST_OK(emrtc_peer_create_offer(p.b.pc));
    tp_poll(&p, 1); /* both have set their own offer */
    p.forward = true;
    TST_OK(emrtc_peer_set_remote_description(p.b.pc, "offer", p.a.last_sdp));
    for (int i = 0; i < 20 && !(emrtc_peer_get_connection_state(p.a.pc) == EMRTC_STATE_CONNECTED); i++) tp_poll(&p, 1);
    TST_CHECK(scn_log_is(p.b.sig, p.b.nsig, 4, EMRTC_SIGNALING_STATE_HAVE_LOCAL_OFFER, EMRTC_SIGNALING_STATE_STABLE,
                        EMRTC_SIGNALING_STATE_HAVE_REMOTE_OFFER, EMRTC_SIGNALING_STATE_STABLE));
    TST_EQ_INT(emrtc_peer_get_connection_state(p.a.pc), EMRTC_STATE_CONNECTED);
    TST_EQ_INT(emrtc_peer_get_connection_state(p.b.pc), EMRTC_STATE_CONNECTED);
    TST_EQ_INT(emrtc_channel_get_id(ca), 1); /* a offered: odd */
    TST_EQ_INT(emrtc_channel_get_id(cb), 0);
    TST_EQ_INT(p.a.errors + p.b.errors, 0);
    tp_destroy(&p);
    check_nothing_alive();
}

static bool read_packet(emrtc_channel ch, const char *want, size_t n, bool text) {
    const uint8_t *d;
    size_t size;
    return emrtc_channel_get_packet(ch, &d, &size) == EMRTC_OK && size == n && memcmp(d, want, n) == 0 &&
           emrtc_channel_was_string_packet(ch) == text;
}

static void test_data_text_binary_and_limits(void) {
    tp_pair p;
    tp_init(&p);
    emrtc_channel ca;
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "d", NULL, &ca));
    TST_REQUIRE(tp_connect(&p));
    tp_poll(&p, 1);
    TST_REQUIRE(p.b.nreceived == 1);
    emrtc_channel cb = p.b.received[0];
    TST_OK(emrtc_channel_put_packet(ca, "bin\0ary", 7));
    TST_OK(emrtc_channel_set_write_mode(ca, EMRTC_WRITE_MODE_TEXT));
    TST_OK(emrtc_channel_put_packet(ca, "h\xC3\xA9", 3));
    TST_OK(emrtc_channel_put_packet(ca, "", 0));
    TST_EQ_ERR(emrtc_channel_put_packet(ca, "\xC3", 1), EMRTC_ERR_INVALID_DATA);
    TST_EQ_INT(emrtc_channel_get_available_packet_count(cb), 0); /* readable after b's poll */
    tp_poll(&p, 1);
    TST_EQ_INT(emrtc_channel_get_available_packet_count(cb), 3);
    TST_CHECK(read_packet(cb, "bin\0ary", 7, false));
    TST_CHECK(read_packet(cb, "h\xC3\xA9", 3, true));
    TST_CHECK(read_packet(cb, "", 0, true));
    /* the largest packet Chromium's transport takes, and one byte more */
    uint8_t *big = calloc(1, 262145);
    TST_REQUIRE(big != NULL);
    TST_OK(emrtc_channel_set_write_mode(ca, EMRTC_WRITE_MODE_BINARY));
    TST_OK(emrtc_channel_put_packet(ca, big, 262144));
    TST_EQ_ERR(emrtc_channel_put_packet(ca, big, 262145), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    free(big);
    tp_poll(&p, 1);
    const uint8_t *d;
    size_t n;
    TST_OK(emrtc_channel_get_packet(cb, &d, &n));
    TST_EQ_INT(n, 262144);
    tp_destroy(&p);
    check_nothing_alive();
}

/* The send queue: bytes count until the sender's next poll; 16 MiB between two polls is the limit;
   buffered_amount_low fires when the amount falls to the threshold from above. */
static void test_send_queue_model(void) {
    enum { SIZE = 262144 };
    tp_pair p;
    tp_init(&p);
    /* the loopback writes into the far side at once: room there for the whole 16 MiB */
    emrtc_configuration roomy = {.max_backlog_bytes = 17u * 1024u * 1024u};
    TST_OK(emrtc_peer_initialize(p.b.pc, &roomy));
    TST_OK(emrtc_set_total_backlog_limit(18u * 1024u * 1024u));
    emrtc_channel ca;
    tp_chlog log = {0};
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "q", NULL, &ca));
    TST_REQUIRE(tp_connect(&p));
    tp_watch(ca, &log);
    emrtc_builtin_extension()->peer_poll(p.a.pc); /* the model as the core will drive it */
    uint8_t *buf = calloc(1, SIZE);
    TST_REQUIRE(buf != NULL);
    int accepted = 0;
    emrtc_error err = EMRTC_OK;
    while (accepted < 100 && (err = emrtc_channel_put_packet(ca, buf, SIZE)) == EMRTC_OK) accepted++;
    TST_EQ_INT(accepted, 64);
    TST_EQ_INT(err, EMRTC_ERR_BUSY);
    HAS(emrtc_last_error_message(), "full");
    TST_EQ_INT(emrtc_channel_get_buffered_amount(ca), 16 * 1024 * 1024);
    TST_EQ_INT(log.low, 0);
    emrtc_builtin_extension()->peer_poll(p.a.pc);
    tp_poll(&p, 1);
    TST_EQ_INT(log.low, 1);
    TST_EQ_INT(emrtc_channel_get_buffered_amount(ca), 0);
    TST_EQ_INT(emrtc_channel_get_available_packet_count(p.b.received[0]), 64);
    /* below the threshold: no event; crossing it: one */
    TST_OK(emrtc_channel_set_buffered_amount_low_threshold(ca, 1000));
    TST_OK(emrtc_channel_put_packet(ca, buf, 600));
    TST_EQ_INT(emrtc_channel_get_buffered_amount(ca), 600);
    emrtc_builtin_extension()->peer_poll(p.a.pc);
    tp_poll(&p, 1);
    TST_EQ_INT(log.low, 1);
    TST_OK(emrtc_channel_put_packet(ca, buf, 600));
    TST_OK(emrtc_channel_put_packet(ca, buf, 600));
    emrtc_builtin_extension()->peer_poll(p.a.pc);
    tp_poll(&p, 1);
    TST_EQ_INT(log.low, 2);
    free(buf);
    tp_destroy(&p);
    check_nothing_alive();
    TST_OK(emrtc_set_total_backlog_limit(0));
}

static void test_channel_close_reaches_far_side(void) {
    tp_pair p;
    tp_init(&p);
    emrtc_channel ca;
    tp_chlog la = {0}, lb = {0};
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "c", NULL, &ca));
    tp_watch(ca, &la);
    TST_REQUIRE(tp_connect(&p));
    tp_poll(&p, 1);
    TST_REQUIRE(p.b.nreceived == 1);
    emrtc_channel cb = p.b.received[0];
    tp_watch(cb, &lb);
    emrtc_channel_close(ca);
    TST_EQ_ERR(emrtc_channel_put_packet(ca, "x", 1), EMRTC_ERR_UNAVAILABLE);
    tp_poll(&p, 1);
    TST_CHECK(scn_log_is(la.states, la.n, 3, EMRTC_CHANNEL_STATE_OPEN, EMRTC_CHANNEL_STATE_CLOSING, EMRTC_CHANNEL_STATE_CLOSED));
    TST_CHECK(scn_log_is(lb.states, lb.n, 2, EMRTC_CHANNEL_STATE_CLOSING, EMRTC_CHANNEL_STATE_CLOSED));
    TST_EQ_ERR(emrtc_channel_put_packet(cb, "x", 1), EMRTC_ERR_UNAVAILABLE);
    TST_EQ_INT(p.a.errors + p.b.errors, 0);
    TST_EQ_INT(emrtc_peer_get_connection_state(p.b.pc), EMRTC_STATE_CONNECTED); /* the peers stay */
    /* destroying a channel closes the far one too */
    emrtc_channel_destroy(cb);
    TST_EQ_INT(emrtc_backend_live_object_count(), 3);
    tp_destroy(&p);
    check_nothing_alive();
}

/* close() aborts the association: the far channels see Chromium's abort error, then CLOSED; the far
   connection leaves CONNECTED. destroy() does the same, less the errors (its channels were closed
   first). */
static void test_peer_close_and_destroy_reach_far_side(void) {
    for (int destroy = 0; destroy < 2; destroy++) {
        tp_pair p;
        tp_init(&p);
        emrtc_channel ca;
        tp_chlog lb = {0};
        TST_OK(emrtc_peer_create_data_channel(p.a.pc, "abort", NULL, &ca));
        TST_REQUIRE(tp_connect(&p));
        tp_poll(&p, 1);
        TST_REQUIRE(p.b.nreceived == 1);
        tp_watch(p.b.received[0], &lb);
        if (destroy) {
            emrtc_peer_destroy(p.a.pc);
            p.a.pc.id = 0;
        } else {
            emrtc_peer_close(p.a.pc);
        }
        tp_poll(&p, 1);
        TST_CHECK(scn_log_is(lb.states, lb.n, 2, EMRTC_CHANNEL_STATE_CLOSING, EMRTC_CHANNEL_STATE_CLOSED));
        TST_EQ_INT(emrtc_peer_get_connection_state(p.b.pc), EMRTC_STATE_DISCONNECTED);
        if (destroy) {
            TST_EQ_INT(p.b.errors, 0);
        } else {
            TST_EQ_INT(p.b.errors, 1);
            TST_EQ_INT(p.b.last_error, EMRTC_ERR_CONNECTION_ERROR);
            TST_EQ_STR(p.b.last_error_message, "data_channel abort: OperationError: User-Initiated Abort, reason=Close called");
            TST_EQ_INT(emrtc_peer_get_connection_state(p.a.pc), EMRTC_STATE_CLOSED);
            TST_EQ_INT(emrtc_channel_get_ready_state(ca), EMRTC_CHANNEL_STATE_CLOSED);
        }
        tp_destroy(&p);
        check_nothing_alive();
    }
}

/* A peer that goes away while the other is still connecting: the other fails. */
static void test_far_side_gone_while_connecting(void) {
    tp_pair p;
    tp_init(&p);
    emrtc_channel ca;
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "c", NULL, &ca));
    p.forward = false;
    TST_OK(emrtc_peer_create_offer(p.a.pc));
    tp_poll(&p, 2); /* a has set its offer and made its candidate */
    TST_OK(emrtc_peer_set_remote_description(p.b.pc, "offer", p.a.last_sdp));
    tp_poll(&p, 2); /* b has set its answer; a never gets it */
    TST_OK(emrtc_peer_add_ice_candidate(p.b.pc, "0", 0, p.a.last_candidate));
    tp_poll(&p, 1);
    TST_EQ_INT(emrtc_peer_get_connection_state(p.b.pc), EMRTC_STATE_CONNECTING);
    emrtc_peer_destroy(p.a.pc);
    p.a.pc.id = 0;
    tp_poll(&p, 1);
    TST_EQ_INT(emrtc_peer_get_connection_state(p.b.pc), EMRTC_STATE_FAILED);
    tp_destroy(&p);
    check_nothing_alive();
}

static void test_initialize_replaces_the_backend_object(void) {
    tp_pair p;
    tp_init(&p);
    emrtc_channel ca;
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "c", NULL, &ca));
    TST_REQUIRE(tp_connect(&p));
    TST_OK(emrtc_peer_initialize(p.a.pc, NULL));
    TST_EQ_INT(emrtc_peer_get_connection_state(p.a.pc), EMRTC_STATE_NEW);
    tp_poll(&p, 1);
    TST_EQ_INT(emrtc_peer_get_connection_state(p.b.pc), EMRTC_STATE_DISCONNECTED);
    TST_EQ_INT(emrtc_backend_live_object_count(), 2 + 1); /* a (new), b and b's received channel */
    /* a fresh start: channels can be created again, and a new offer made */
    int offers = p.a.descriptions;
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "again", NULL, &ca));
    TST_OK(emrtc_peer_create_offer(p.a.pc));
    p.forward = false;
    tp_poll(&p, 2);
    TST_EQ_INT(p.a.descriptions, offers + 1);
    TST_EQ_INT(emrtc_peer_get_signaling_state(p.a.pc), EMRTC_SIGNALING_STATE_HAVE_LOCAL_OFFER);
    tp_destroy(&p);
    check_nothing_alive();
}

/* The loopback's stats are its own counters: exactly the payload plus 41 bytes per message (see
   backend_loopback.c), one check per request; a request made inside the stats callback is answered
   from the next poll. */
static int stats_calls;
static emrtc_peer_stats last_stats;
static void on_stats_again(emrtc_peer pc, const emrtc_peer_stats *st, void *ud) {
    (void)ud;
    last_stats = *st;
    if (++stats_calls == 1) TST_OK(emrtc_peer_get_stats(pc)); /* allowed: the request has ended */
}

static void test_stats_are_the_loopback_counters(void) {
    tp_pair p;
    tp_init(&p);
    emrtc_channel ca;
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "s", NULL, &ca));
    TST_REQUIRE(tp_connect(&p));
    for (int i = 0; i < 3; i++) TST_OK(emrtc_channel_put_packet(ca, "12345", 5));
    /* a callbacks struct of our own on a, the pair's on b */
    TST_OK(emrtc_peer_set_callbacks(p.a.pc, &(emrtc_peer_callbacks){.stats = on_stats_again}));
    TST_OK(emrtc_peer_get_stats(p.a.pc));
    TST_EQ_INT(stats_calls, 0); /* never from inside the call */
    tp_poll(&p, 1);
    TST_EQ_INT(stats_calls, 1);
    TST_EQ_INT(last_stats.bytes_sent, 3 * (5 + 41));
    TST_EQ_INT(last_stats.packets_sent, 3);
    TST_EQ_INT(last_stats.responses_received, 1);
    TST_CHECK(last_stats.current_round_trip_time_ms > 0);
    TST_EQ_STR(last_stats.local.address, "127.0.0.1");
    TST_EQ_INT(last_stats.local.type, EMRTC_CANDIDATE_TYPE_HOST);
    TST_EQ_INT(last_stats.remote.type, EMRTC_CANDIDATE_TYPE_HOST);
    tp_poll(&p, 1);
    TST_EQ_INT(stats_calls, 2);
    TST_EQ_INT(last_stats.responses_received, 2);
    TST_CHECK(last_stats.total_round_trip_time_ms > last_stats.current_round_trip_time_ms);
    tp_destroy(&p);
    check_nothing_alive();
}

/* restart_ice: new ufrag in the offer and in the answer, the fingerprint stays. */
static void test_restart_ice_changes_credentials(void) {
    tp_pair p;
    tp_init(&p);
    emrtc_channel ca;
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "r", NULL, &ca));
    TST_REQUIRE(tp_connect(&p));
    char offer1[2048], answer1[2048];
    snprintf(offer1, sizeof offer1, "%s", p.a.last_sdp);
    snprintf(answer1, sizeof answer1, "%s", p.b.last_sdp);
    TST_OK(emrtc_peer_restart_ice(p.a.pc));
    tp_poll(&p, 3);
    TST_EQ_INT(p.a.descriptions, 2);
    TST_EQ_INT(p.b.descriptions, 2);
    TST_EQ_INT(p.a.candidates, 2);
    TST_EQ_INT(p.b.candidates, 2);
    const char *u1 = strstr(offer1, "a=ice-ufrag:"), *u2 = strstr(p.a.last_sdp, "a=ice-ufrag:");
    const char *f1 = strstr(offer1, "a=fingerprint:"), *f2 = strstr(p.a.last_sdp, "a=fingerprint:");
    TST_REQUIRE(u1 && u2 && f1 && f2);
    TST_CHECK(strncmp(u1, u2, 16) != 0);
    TST_CHECK(strncmp(f1, f2, 100) == 0);
    TST_CHECK(strncmp(strstr(answer1, "a=ice-ufrag:"), strstr(p.b.last_sdp, "a=ice-ufrag:"), 16) != 0);
    TST_EQ_INT(emrtc_peer_get_connection_state(p.a.pc), EMRTC_STATE_CONNECTED);
    TST_EQ_INT(p.a.errors + p.b.errors, 0);
    tp_destroy(&p);
    check_nothing_alive();
}

int main(void) {
    TST_RUN(test_descriptions_and_candidates_look_real);
    TST_RUN(test_sctp_ids_and_far_channel_options);
    TST_RUN(test_refusals_like_the_browser);
    TST_RUN(test_glare_rolls_back);
    TST_RUN(test_data_text_binary_and_limits);
    TST_RUN(test_send_queue_model);
    TST_RUN(test_channel_close_reaches_far_side);
    TST_RUN(test_peer_close_and_destroy_reach_far_side);
    TST_RUN(test_far_side_gone_while_connecting);
    TST_RUN(test_initialize_replaces_the_backend_object);
    TST_RUN(test_stats_are_the_loopback_counters);
    TST_RUN(test_restart_ice_changes_credentials);
    return tst_summary("loopback");
}
