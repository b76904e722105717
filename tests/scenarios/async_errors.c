/* Failures of the asynchronous steps (the browser rejects a description or a candidate later, not
   in the call) reach the peer's error callback with a code and a message naming the step; the peer
   stays usable and connects afterwards. */
#include "helpers.h"

typedef struct {
    scn_pair p;
    emrtc_channel ca, cb;
    int errors;
} async_ctx;

/* set_remote_description of garbage, set_local_description of garbage, malformed candidates after
   the remote description: each an error callback with EMRTC_ERR_INVALID_DATA and the step's name;
   then the pair connects and carries data. */
SCENARIO(async_errors, async_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    /* garbage as the remote offer: accepted by the call, refused by the browser */
    CHECK_OK(emrtc_peer_set_remote_description(c->p.b.pc, "offer", "this is not SDP"));
    SCN_WAIT_UNTIL(c->p.b.errors == 1, 5000);
    CHECK_INT(c->p.b.last_error, EMRTC_ERR_INVALID_DATA);
    CHECK_PREFIX(c->p.b.last_error_message, "set_remote_description: ");
    CHECK(strlen(c->p.b.last_error_message) > strlen("set_remote_description: "));
    CHECK_INT(emrtc_peer_get_signaling_state(c->p.b.pc), EMRTC_SIGNALING_STATE_STABLE);
    CHECK_INT(c->p.b.descriptions, 0);

    /* garbage as a local answer with no offer under way */
    CHECK_OK(emrtc_peer_set_local_description(c->p.a.pc, "answer", "v=0\r\nnot an answer"));
    SCN_WAIT_UNTIL(c->p.a.errors == 1, 5000);
    CHECK_INT(c->p.a.last_error, EMRTC_ERR_INVALID_DATA);
    CHECK_PREFIX(c->p.a.last_error_message, "set_local_description: ");
    CHECK_INT(emrtc_peer_get_signaling_state(c->p.a.pc), EMRTC_SIGNALING_STATE_STABLE);

    /* the same peers connect */
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "after", NULL, &c->ca));
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb), 10000);
    CHECK_INT(c->p.a.errors, 1);
    CHECK_INT(c->p.b.errors, 1);

    /* a malformed candidate once the remote description is set */
    CHECK_OK(emrtc_peer_add_ice_candidate(c->p.b.pc, "0", 0, "candidate:garbage"));
    SCN_WAIT_UNTIL(c->p.b.errors == 2, 5000);
    CHECK_PREFIX(c->p.b.last_error_message, "add_ice_candidate: ");
    CHECK_INT(c->p.b.last_error, EMRTC_ERR_INVALID_DATA);
    /* a well-formed candidate for a media section that does not exist */
    CHECK_OK(emrtc_peer_add_ice_candidate(c->p.b.pc, "no-such-mid", 7,
                                          "candidate:1 1 udp 2122260223 127.0.0.1 9 typ host"));
    SCN_WAIT_UNTIL(c->p.b.errors == 3, 5000);
    CHECK_PREFIX(c->p.b.last_error_message, "add_ice_candidate: ");

    /* still connected and carrying data */
    CHECK_INT(emrtc_peer_get_connection_state(c->p.b.pc), EMRTC_STATE_CONNECTED);
    CHECK_OK(emrtc_channel_put_packet(c->cb, "still", 5));
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->ca) == 1, 10000);
    CHECK_PACKET(c->ca, "still", 5, false);
    CHECK_INT(c->p.a.errors, 1);
    CHECK_INT(c->p.b.errors, 3);
    scn_pair_destroy(&c->p);
    SCN_END();
}
