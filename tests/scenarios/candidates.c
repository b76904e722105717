/* Trickled candidates that arrive before the remote description are held, then applied right after
   it; end-of-candidates ("") is delivered and accepted like any candidate. */
#include "helpers.h"

typedef struct {
    scn_pair p;
    emrtc_channel ca, cb;
} candidates_ctx;

/* Each side's candidates, end-of-candidates included, all reach the other side before its remote
   description does (the descriptions carry none, so the held candidates are the only way to
   connect); the pair connects with no error callback. */
SCENARIO(candidates_before_description, candidates_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, &(scn_pair_options){.hold_descriptions = true});
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "held", NULL, &c->ca));
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    /* the offer is held; A's candidates go to B, which has no remote description yet */
    SCN_WAIT_UNTIL(c->p.a.end_of_candidates == 1 && c->p.held_type != NULL, 10000);
    CHECK(c->p.a.candidates > 0);
    CHECK_STR(c->p.held_type, "offer");
    CHECK(strstr(c->p.held_sdp, "a=candidate") == NULL);
    CHECK_INT(c->p.b.nsig, 0);
    CHECK_INT(emrtc_peer_get_signaling_state(c->p.b.pc), EMRTC_SIGNALING_STATE_STABLE);
    scn_pair_release_description(&c->p);

    /* B answers; its answer is held in turn while its candidates reach A */
    SCN_WAIT_UNTIL(c->p.b.end_of_candidates == 1 && c->p.held_type != NULL, 10000);
    CHECK(c->p.b.candidates > 0);
    CHECK_STR(c->p.held_type, "answer");
    CHECK(strstr(c->p.held_sdp, "a=candidate") == NULL);
    CHECK_INT(emrtc_peer_get_signaling_state(c->p.a.pc), EMRTC_SIGNALING_STATE_HAVE_LOCAL_OFFER);
    scn_pair_release_description(&c->p);

    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb), 10000);
    CHECK_OK(emrtc_channel_put_packet(c->ca, "held", 4));
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb) == 1, 10000);
    CHECK_PACKET(c->cb, "held", 4, false);
    CHECK_LOG(c->p.a.sig, c->p.a.nsig, 2, EMRTC_SIGNALING_STATE_HAVE_LOCAL_OFFER, EMRTC_SIGNALING_STATE_STABLE);
    CHECK_LOG(c->p.b.sig, c->p.b.nsig, 2, EMRTC_SIGNALING_STATE_HAVE_REMOTE_OFFER, EMRTC_SIGNALING_STATE_STABLE);
    CHECK_INT(c->p.a.end_of_candidates, 1);
    CHECK_INT(c->p.b.end_of_candidates, 1);
    CHECK_INT(c->p.a.errors, 0);
    CHECK_INT(c->p.b.errors, 0);
    scn_pair_destroy(&c->p);
    SCN_END();
}

/* Without end-of-candidates the pair connects too; end-of-candidates added afterwards, and once
   more, is accepted without an error callback. */
SCENARIO(candidates_end_of_candidates_late, candidates_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, &(scn_pair_options){.drop_end_of_candidates = true});
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "late", NULL, &c->ca));
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb) && c->p.a.end_of_candidates == 1 &&
                       c->p.b.end_of_candidates == 1,
                   10000);
    CHECK_OK(emrtc_peer_add_ice_candidate(c->p.a.pc, "0", 0, ""));
    CHECK_OK(emrtc_peer_add_ice_candidate(c->p.b.pc, "0", 0, ""));
    CHECK_OK(emrtc_peer_add_ice_candidate(c->p.b.pc, "0", 0, ""));
    SCN_SLEEP(300);
    CHECK_INT(c->p.a.errors, 0);
    CHECK_INT(c->p.b.errors, 0);
    CHECK(scn_pair_connected(&c->p));
    scn_pair_destroy(&c->p);
    SCN_END();
}
