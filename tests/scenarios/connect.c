/* Connecting two peers: every state sequence the spec names, in order, on both sides. */
#include "scn.h"

typedef struct {
    scn_pair p;
    emrtc_channel ca, cb;
    scn_chlog la, lb;
} connect_ctx;

/* One page, in-band channel: signaling, gathering, connection and channel states, end-of-candidates,
   then close on A: A and its channel CLOSED, B's channel closing too. */
SCENARIO(connect_states, connect_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    CHECK_INT(emrtc_peer_get_connection_state(c->p.a.pc), EMRTC_STATE_NEW);
    CHECK_INT(emrtc_peer_get_gathering_state(c->p.a.pc), EMRTC_GATHERING_STATE_NEW);
    CHECK_INT(emrtc_peer_get_signaling_state(c->p.a.pc), EMRTC_SIGNALING_STATE_STABLE);
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "states", NULL, &c->ca));
    scn_watch_channel(s, c->ca, &c->la);
    CHECK_INT(emrtc_channel_get_ready_state(c->ca), EMRTC_CHANNEL_STATE_CONNECTING);
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));

    SCN_WAIT_UNTIL(c->p.b.nreceived == 1, 10000);
    c->cb = c->p.b.received[0];
    scn_watch_channel(s, c->cb, &c->lb);
    SCN_WAIT_UNTIL(scn_pair_connected(&c->p) && emrtc_channel_get_ready_state(c->ca) == EMRTC_CHANNEL_STATE_OPEN &&
                       emrtc_channel_get_ready_state(c->cb) == EMRTC_CHANNEL_STATE_OPEN,
                   10000);
    SCN_WAIT_UNTIL(c->p.a.end_of_candidates && c->p.b.end_of_candidates &&
                       emrtc_peer_get_gathering_state(c->p.a.pc) == EMRTC_GATHERING_STATE_COMPLETE &&
                       emrtc_peer_get_gathering_state(c->p.b.pc) == EMRTC_GATHERING_STATE_COMPLETE,
                   10000);
    scn_stage(s, "connected");
    CHECK_LOG(c->p.a.sig, c->p.a.nsig, 2, EMRTC_SIGNALING_STATE_HAVE_LOCAL_OFFER, EMRTC_SIGNALING_STATE_STABLE);
    CHECK_LOG(c->p.b.sig, c->p.b.nsig, 2, EMRTC_SIGNALING_STATE_HAVE_REMOTE_OFFER, EMRTC_SIGNALING_STATE_STABLE);
    CHECK_LOG(c->p.a.gather, c->p.a.ngather, 2, EMRTC_GATHERING_STATE_GATHERING, EMRTC_GATHERING_STATE_COMPLETE);
    CHECK_LOG(c->p.b.gather, c->p.b.ngather, 2, EMRTC_GATHERING_STATE_GATHERING, EMRTC_GATHERING_STATE_COMPLETE);
    CHECK_LOG(c->p.a.conn, c->p.a.nconn, 2, EMRTC_STATE_CONNECTING, EMRTC_STATE_CONNECTED);
    CHECK_LOG(c->p.b.conn, c->p.b.nconn, 2, EMRTC_STATE_CONNECTING, EMRTC_STATE_CONNECTED);
    CHECK_LOG(c->la.states, c->la.n, 1, EMRTC_CHANNEL_STATE_OPEN);
    CHECK_INT(c->p.a.descriptions, 1);
    CHECK_STR(c->p.a.last_sdp_type, "offer");
    CHECK_INT(c->p.b.descriptions, 1);
    CHECK_STR(c->p.b.last_sdp_type, "answer");
    CHECK(c->p.a.candidates > 0);
    CHECK(c->p.b.candidates > 0);
    CHECK_INT(c->p.a.end_of_candidates, 1);
    CHECK_INT(c->p.b.end_of_candidates, 1);
    CHECK_INT(c->p.a.errors, 0);
    CHECK_INT(c->p.b.errors, 0);
    CHECK_INT(c->p.a.nreceived, 0);
    CHECK_STR(emrtc_channel_get_label(c->cb), "states");

    /* close the channel: CLOSING then CLOSED here, CLOSED (through CLOSING) there */
    emrtc_channel_close(c->ca);
    SCN_WAIT_UNTIL(emrtc_channel_get_ready_state(c->ca) == EMRTC_CHANNEL_STATE_CLOSED &&
                       emrtc_channel_get_ready_state(c->cb) == EMRTC_CHANNEL_STATE_CLOSED,
                   10000);
    CHECK_LOG(c->la.states, c->la.n, 3, EMRTC_CHANNEL_STATE_OPEN, EMRTC_CHANNEL_STATE_CLOSING,
              EMRTC_CHANNEL_STATE_CLOSED);
    CHECK(c->lb.n >= 1 && c->lb.states[c->lb.n - 1] == EMRTC_CHANNEL_STATE_CLOSED);
    CHECK_ERR(emrtc_channel_put_packet(c->ca, "x", 1), EMRTC_ERR_UNAVAILABLE);

    /* close the peer: CLOSED from the next poll, signaling CLOSED too */
    emrtc_peer_close(c->p.a.pc);
    SCN_WAIT_UNTIL(emrtc_peer_get_connection_state(c->p.a.pc) == EMRTC_STATE_CLOSED, 5000);
    CHECK_LOG(c->p.a.conn, c->p.a.nconn, 3, EMRTC_STATE_CONNECTING, EMRTC_STATE_CONNECTED, EMRTC_STATE_CLOSED);
    CHECK_INT(emrtc_peer_get_signaling_state(c->p.a.pc), EMRTC_SIGNALING_STATE_CLOSED);
    CHECK_ERR(emrtc_peer_create_offer(c->p.a.pc), EMRTC_ERR_UNAVAILABLE);
    /* the far side sees its connection leave CONNECTED */
    SCN_WAIT_UNTIL(emrtc_peer_get_connection_state(c->p.b.pc) != EMRTC_STATE_CONNECTED, 30000);

    scn_pair_destroy(&c->p);
    CHECK_INT(emrtc_live_peer_count(), 0);
    CHECK_INT(emrtc_live_channel_count(), 0);
    CHECK_INT(emrtc_backend_live_object_count(), 0);
    SCN_END();
}

/* Negotiated channels: both sides create the same id; data_channel_received never fires; data flows
   both ways. */
SCENARIO(negotiated_channel, connect_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    {
        emrtc_channel_options o = {.negotiated = true, .has_id = true, .id = 7};
        CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "neg", &o, &c->ca));
        CHECK_OK(emrtc_peer_create_data_channel(c->p.b.pc, "neg", &o, &c->cb));
        CHECK_ERR(emrtc_peer_create_data_channel(c->p.a.pc, "neg2", &o, &(emrtc_channel){0}), EMRTC_ERR_ALREADY_IN_USE);
    }
    CHECK_INT(emrtc_channel_get_id(c->ca), 7);
    CHECK_INT(emrtc_channel_get_id(c->cb), 7);
    CHECK(emrtc_channel_is_negotiated(c->ca));
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(emrtc_channel_get_ready_state(c->ca) == EMRTC_CHANNEL_STATE_OPEN &&
                       emrtc_channel_get_ready_state(c->cb) == EMRTC_CHANNEL_STATE_OPEN,
                   10000);
    CHECK_OK(emrtc_channel_put_packet(c->ca, "ping", 4));
    CHECK_OK(emrtc_channel_put_packet(c->cb, "pong", 4));
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->ca) == 1 &&
                       emrtc_channel_get_available_packet_count(c->cb) == 1,
                   10000);
    {
        const uint8_t *d;
        size_t n;
        CHECK_OK(emrtc_channel_get_packet(c->cb, &d, &n));
        CHECK(n == 4 && memcmp(d, "ping", 4) == 0);
        CHECK_OK(emrtc_channel_get_packet(c->ca, &d, &n));
        CHECK(n == 4 && memcmp(d, "pong", 4) == 0);
    }
    CHECK_INT(c->p.a.nreceived, 0);
    CHECK_INT(c->p.b.nreceived, 0);
    CHECK_INT(emrtc_channel_get_id(c->ca), 7);
    scn_pair_destroy(&c->p);
    SCN_END();
}
