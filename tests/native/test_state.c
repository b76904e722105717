/* State tracking in the core, beyond what the bad_input scenarios check on both backends (zero,
   stale and reused handles, every function's refusals): a peer's id is no channel's, getters report
   the state as of the last poll, and destroying a peer from its own callback stops its events. */
#include "pair.h"
#include "tst.h"

static void test_handle_types_do_not_mix(void) {
    emrtc_peer pc = emrtc_peer_create();
    emrtc_channel ch;
    TST_OK(emrtc_peer_create_data_channel(pc, "c", NULL, &ch));
    /* a peer's id used as a channel's (and back) names nothing, or another object of that kind */
    TST_EQ_ERR(emrtc_channel_poll((emrtc_channel){pc.id + 0x10000u}), EMRTC_ERR_INVALID_PARAMETER);
    TST_EQ_ERR(emrtc_peer_poll((emrtc_peer){ch.id + 0x10000u}), EMRTC_ERR_INVALID_PARAMETER);
    emrtc_peer_destroy(pc);
}

static void test_state_as_of_last_poll(void) {
    tp_pair p;
    tp_init(&p);
    emrtc_channel ch;
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "c", NULL, &ch));
    TST_OK(emrtc_peer_create_offer(p.a.pc));
    TST_EQ_ERR(emrtc_peer_create_offer(p.a.pc), EMRTC_ERR_UNAVAILABLE); /* one under way */
    emrtc_peer_poll(p.a.pc);  /* the offer: set locally, sent to b */
    TST_EQ_INT(emrtc_peer_get_signaling_state(p.a.pc), EMRTC_SIGNALING_STATE_STABLE); /* not polled since */
    emrtc_peer_poll(p.a.pc);
    TST_EQ_INT(emrtc_peer_get_signaling_state(p.a.pc), EMRTC_SIGNALING_STATE_HAVE_LOCAL_OFFER);
    TST_EQ_INT(emrtc_peer_get_gathering_state(p.a.pc), EMRTC_GATHERING_STATE_COMPLETE);
    tp_poll(&p, 5);
    TST_EQ_INT(emrtc_peer_get_connection_state(p.a.pc), EMRTC_STATE_CONNECTED);
    TST_EQ_ERR(emrtc_peer_create_data_channel(p.a.pc, "late", NULL, &ch), EMRTC_ERR_UNAVAILABLE);
    emrtc_peer_close(p.a.pc);
    TST_EQ_INT(emrtc_peer_get_connection_state(p.a.pc), EMRTC_STATE_CONNECTED); /* until the next poll */
    emrtc_peer_close(p.a.pc); /* twice: nothing more */
    TST_EQ_ERR(emrtc_peer_create_offer(p.a.pc), EMRTC_ERR_UNAVAILABLE);
    TST_EQ_ERR(emrtc_peer_add_ice_candidate(p.a.pc, "0", 0, ""), EMRTC_ERR_UNAVAILABLE);
    tp_poll(&p, 1);
    TST_EQ_INT(emrtc_peer_get_connection_state(p.a.pc), EMRTC_STATE_CLOSED);
    TST_EQ_INT(emrtc_peer_get_signaling_state(p.a.pc), EMRTC_SIGNALING_STATE_CLOSED);
    TST_CHECK(scn_log_is(p.a.conn, p.a.nconn, 3, EMRTC_STATE_CONNECTING, EMRTC_STATE_CONNECTED, EMRTC_STATE_CLOSED));
    tp_destroy(&p);
}

/* Destroying from inside a callback: nothing queued after it is delivered. */
static int destroyed_in_callback, candidates_after;
static void set_local_on_offer(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    (void)ud;
    emrtc_peer_set_local_description(pc, type, sdp);
}
static void destroy_on_state(emrtc_peer pc, emrtc_signaling_state st, void *ud) {
    (void)st;
    (void)ud;
    destroyed_in_callback++;
    emrtc_peer_destroy(pc);
    emrtc_peer_destroy(pc); /* idempotent */
}
static void count_candidate(emrtc_peer pc, const char *media, int index, const char *name, void *ud) {
    (void)pc, (void)media, (void)index, (void)name, (void)ud;
    candidates_after++;
}

static void test_destroy_inside_callback(void) {
    emrtc_peer pc = emrtc_peer_create();
    emrtc_channel ch;
    TST_OK(emrtc_peer_create_data_channel(pc, "c", NULL, &ch));
    emrtc_peer_callbacks cb = {.session_description_created = set_local_on_offer,
                               .ice_candidate_created = count_candidate,
                               .signaling_state_changed = destroy_on_state};
    TST_OK(emrtc_peer_set_callbacks(pc, &cb));
    TST_OK(emrtc_peer_create_offer(pc));
    TST_OK(emrtc_peer_poll(pc)); /* the offer, set locally: state, gathering and candidates queued */
    TST_EQ_INT(emrtc_live_peer_count(), 1);
    TST_OK(emrtc_peer_poll(pc)); /* HAVE_LOCAL_OFFER: destroyed there */
    TST_EQ_INT(destroyed_in_callback, 1);
    TST_EQ_INT(candidates_after, 0);
    TST_EQ_ERR(emrtc_peer_poll(pc), EMRTC_ERR_INVALID_PARAMETER);
    TST_EQ_INT(emrtc_live_peer_count(), 0);
    TST_EQ_INT(emrtc_live_channel_count(), 0);
    TST_EQ_INT(emrtc_backend_live_object_count(), 0);
}

int main(void) {
    TST_RUN(test_handle_types_do_not_mix);
    TST_RUN(test_state_as_of_last_poll);
    TST_RUN(test_destroy_inside_callback);
    return tst_summary("state");
}
