/* Lifetime: callbacks that destroy what they are called for, initialize() on a connected peer, and
   many create/connect/destroy cycles that leave nothing behind. */
#include "helpers.h"

typedef struct {
    scn_pair p;
    emrtc_channel ca, cb, keep_a, keep_b;
    scn_chlog la, lb;
    emrtc_peer_callbacks orig;    /* the pair's callbacks of the side a scenario overrides */
    bool destroyed;               /* the callback destroyed its object */
    int events_at_destroy;        /* the destroyed side's callbacks so far (side_events) */
    int live_before, live_after;  /* live channels (or peers) just before and after the destroy */
    int drop_calls;               /* state_changed calls of the destroyed channel */
    int snapshot;                 /* a count taken at the destroy, to compare with later */
    int cycle;
    size_t heap_start;
} life_ctx;

static life_ctx *ctx_of(scn_side *side) { return side->pair->s->ctx; }

/* Every callback a pair side has counted. */
static int side_events(const scn_side *side) {
    return side->nsig + side->ngather + side->nconn + side->nreceived + side->descriptions + side->candidates +
           side->end_of_candidates + side->errors;
}

/* Destroys the peer of `side` from inside one of its callbacks and notes what the counts were. */
static void destroy_side(scn_side *side) {
    life_ctx *c = ctx_of(side);
    c->live_before = emrtc_live_peer_count();
    emrtc_peer_destroy(side->pc);
    c->live_after = emrtc_live_peer_count();
    side->pc.id = 0; /* the pair forwards nothing more to it */
    c->destroyed = true;
    c->events_at_destroy = side_events(side);
}

/* Sets `side`'s callbacks to the pair's, with `patch` applied. */
static void override_side(scn *s, life_ctx *c, scn_side *side, void (*patch)(emrtc_peer_callbacks *cb)) {
    c->orig = scn_side_callbacks(side);
    emrtc_peer_callbacks cb = c->orig;
    patch(&cb);
    CHECK_OK(emrtc_peer_set_callbacks(side->pc, &cb));
}

/* ---- a channel destroyed in its own state_changed(OPEN) ---- */

static void drop_on_open(emrtc_channel ch, emrtc_channel_state st, void *ud) {
    life_ctx *c = ud;
    c->drop_calls++;
    if (st != EMRTC_CHANNEL_STATE_OPEN) return;
    c->live_before = emrtc_live_channel_count();
    emrtc_channel_destroy(ch);
    emrtc_channel_destroy(ch);
    c->live_after = emrtc_live_channel_count();
    c->destroyed = true;
}

/* The channel is gone at once (stale handle, one live channel less), gets no further callback, and
   its far side closes; the peer's other channel works on. */
SCENARIO(lifetime_destroy_channel_when_open, life_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "drop", NULL, &c->ca));
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "keep", NULL, &c->keep_a));
    CHECK_OK(emrtc_channel_set_callbacks(c->ca, &(emrtc_channel_callbacks){.state_changed = drop_on_open, .user_data = c}));
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(c->destroyed && scn_channels_open(&c->p, c->keep_a, &c->keep_b) &&
                       (c->cb = scn_received(&c->p.b, "drop")).id != 0,
                   10000);
    CHECK_INT(c->live_after, c->live_before - 1);
    CHECK_INT(emrtc_channel_get_ready_state(c->ca), EMRTC_CHANNEL_STATE_CLOSED);
    CHECK_ERR(emrtc_channel_set_callbacks(c->ca, NULL), EMRTC_ERR_INVALID_PARAMETER);
    SCN_WAIT_UNTIL(emrtc_channel_get_ready_state(c->cb) == EMRTC_CHANNEL_STATE_CLOSED, 10000);
    CHECK_INT(c->drop_calls, 1);
    CHECK_INT(emrtc_live_channel_count(), 3);
    CHECK_INT(emrtc_backend_live_object_count(), 2 + 3);
    CHECK_OK(emrtc_channel_put_packet(c->keep_a, "kept", 4));
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->keep_b) == 1, 10000);
    CHECK_PACKET(c->keep_b, "kept", 4, false);
    CHECK_INT(c->drop_calls, 1);
    CHECK_INT(c->p.a.errors + c->p.b.errors, 0);
    scn_pair_destroy(&c->p);
    SCN_END();
}

/* ---- a peer destroyed in its connection_state_changed(CONNECTED) ---- */

static void destroy_when_connected(emrtc_peer pc, emrtc_connection_state st, void *ud) {
    life_ctx *c = ctx_of(ud);
    c->orig.connection_state_changed(pc, st, ud);
    if (st == EMRTC_STATE_CONNECTED) destroy_side(ud);
}

static void patch_connected(emrtc_peer_callbacks *cb) { cb->connection_state_changed = destroy_when_connected; }

/* The peer and its channel are gone at once and hear nothing more; the far side's objects are all
   that is left, in the core and in the backend alike. */
SCENARIO(lifetime_destroy_peer_when_connected, life_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "orphan", NULL, &c->ca));
    scn_watch_channel(s, c->ca, &c->la);
    override_side(s, c, &c->p.a, patch_connected);
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(c->destroyed, 10000);
    CHECK_INT(c->live_after, c->live_before - 1);
    CHECK_LOG(c->p.a.conn, c->p.a.nconn, 2, EMRTC_STATE_CONNECTING, EMRTC_STATE_CONNECTED);
    CHECK_INT(emrtc_channel_get_ready_state(c->ca), EMRTC_CHANNEL_STATE_CLOSED);
    c->snapshot = c->la.n;
    SCN_SLEEP(1000);
    CHECK_INT(side_events(&c->p.a), c->events_at_destroy);
    CHECK_INT(c->la.n, c->snapshot);
    CHECK_INT(emrtc_live_peer_count(), 1);
    CHECK_INT(emrtc_live_channel_count(), c->p.b.nreceived);
    CHECK_INT(emrtc_backend_live_object_count(), emrtc_live_peer_count() + emrtc_live_channel_count());
    scn_pair_destroy(&c->p);
    SCN_END();
}

/* ---- the answering peer destroyed in data_channel_received, or in its new channel's OPEN ---- */

static void destroy_on_channel(emrtc_peer pc, emrtc_channel ch, void *ud) {
    ctx_of(ud)->orig.data_channel_received(pc, ch, ud);
    destroy_side(ud);
}

static void patch_received(emrtc_peer_callbacks *cb) { cb->data_channel_received = destroy_on_channel; }

static void destroy_peer_on_open(emrtc_channel ch, emrtc_channel_state st, void *ud) {
    scn_side *side = ud;
    ctx_of(side)->drop_calls++;
    if (st == EMRTC_CHANNEL_STATE_OPEN && emrtc_channel_get_peer(ch).id == side->pc.id) destroy_side(side);
}

static void watch_on_channel(emrtc_peer pc, emrtc_channel ch, void *ud) {
    ctx_of(ud)->orig.data_channel_received(pc, ch, ud);
    emrtc_channel_set_callbacks(ch, &(emrtc_channel_callbacks){.state_changed = destroy_peer_on_open, .user_data = ud});
}

static void patch_watch(emrtc_peer_callbacks *cb) { cb->data_channel_received = watch_on_channel; }

/* B destroyed from inside a callback (which one: patch) while A has `channels` channels (1 or 2):
   B hears nothing more, not even about A's second channel if it was already queued; A's channels
   close; only A's objects are left. */
static int destroy_answerer(scn *s, life_ctx *c, void (*patch)(emrtc_peer_callbacks *cb), int channels) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "first", NULL, &c->ca));
    if (channels > 1) CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "second", NULL, &c->keep_a));
    scn_watch_channel(s, c->ca, &c->la);
    override_side(s, c, &c->p.b, patch);
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(c->destroyed, 10000);
    CHECK_INT(c->live_after, c->live_before - 1);
    CHECK_INT(c->p.b.nreceived, 1);
    CHECK_INT(emrtc_channel_get_ready_state(c->p.b.received[0]), EMRTC_CHANNEL_STATE_CLOSED);
    CHECK_INT(emrtc_live_channel_count(), channels);
    c->snapshot = c->drop_calls;
    SCN_WAIT_UNTIL(emrtc_channel_get_ready_state(c->ca) == EMRTC_CHANNEL_STATE_CLOSED &&
                       emrtc_channel_get_ready_state(c->keep_a) == EMRTC_CHANNEL_STATE_CLOSED,
                   10000);
    CHECK_INT(c->la.states[c->la.n - 1], EMRTC_CHANNEL_STATE_CLOSED);
    SCN_SLEEP(300);
    CHECK_INT(side_events(&c->p.b), c->events_at_destroy);
    CHECK_INT(c->drop_calls, c->snapshot);
    CHECK_INT(emrtc_live_peer_count(), 1);
    CHECK_INT(emrtc_live_channel_count(), channels);
    CHECK_INT(emrtc_backend_live_object_count(), 1 + channels);
    scn_pair_destroy(&c->p);
    SCN_END();
}

SCENARIO(lifetime_destroy_peer_in_data_channel_received, life_ctx) { return destroy_answerer(s, c, patch_received, 2); }

/* The channel's OPEN is dispatched by B's poll: destroying B there ends that poll cleanly. */
SCENARIO(lifetime_destroy_peer_in_channel_open, life_ctx) {
    int done = destroy_answerer(s, c, patch_watch, 1);
    if (done == SCN_DONE && c->destroyed) CHECK_INT(c->drop_calls, 1);
    return done;
}

/* ---- initialize() on a connected peer ---- */

/* initialize() destroys the peer's channels (stale handles at once), discards what was queued,
   brings every state back to its start and the backend's objects down to what a fresh peer has;
   the same peer (callbacks kept) then connects again. */
SCENARIO(lifetime_initialize_closes, life_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "old", NULL, &c->ca));
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "older", NULL, &c->keep_a));
    scn_watch_channel(s, c->ca, &c->la);
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb) && scn_channels_open(&c->p, c->keep_a, &c->keep_b), 10000);
    CHECK_INT(emrtc_backend_live_object_count(), 2 + 4);
    /* something queued for A and its channel that must never arrive */
    CHECK_OK(emrtc_channel_put_packet(c->cb, "lost", 4));
    CHECK_OK(emrtc_peer_initialize(c->p.a.pc, NULL));
    CHECK_INT(emrtc_channel_get_ready_state(c->ca), EMRTC_CHANNEL_STATE_CLOSED);
    CHECK_STR(emrtc_channel_get_label(c->keep_a), "");
    CHECK_ERR(emrtc_channel_put_packet(c->ca, "x", 1), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_INT(emrtc_peer_get_connection_state(c->p.a.pc), EMRTC_STATE_NEW);
    CHECK_INT(emrtc_peer_get_signaling_state(c->p.a.pc), EMRTC_SIGNALING_STATE_STABLE);
    CHECK_INT(emrtc_peer_get_gathering_state(c->p.a.pc), EMRTC_GATHERING_STATE_NEW);
    CHECK_INT(emrtc_live_peer_count(), 2);
    CHECK_INT(emrtc_live_channel_count(), 2);
    CHECK_INT(emrtc_backend_live_object_count(), 2 + 2);
    c->events_at_destroy = side_events(&c->p.a);
    c->snapshot = c->la.n;
    /* B's channels close: A's old connection is gone */
    SCN_WAIT_UNTIL(emrtc_channel_get_ready_state(c->cb) == EMRTC_CHANNEL_STATE_CLOSED &&
                       emrtc_channel_get_ready_state(c->keep_b) == EMRTC_CHANNEL_STATE_CLOSED,
                   10000);
    SCN_SLEEP(200);
    CHECK_INT(side_events(&c->p.a), c->events_at_destroy);
    CHECK_INT(c->la.n, c->snapshot);
    CHECK_INT(emrtc_peer_get_connection_state(c->p.a.pc), EMRTC_STATE_NEW);
    CHECK_INT(c->p.a.errors, 0);
    /* (B may be told its channels were aborted: Chromium reports that as an error) */
    CHECK(c->p.b.errors == 0 || c->p.b.last_error == EMRTC_ERR_CONNECTION_ERROR);

    /* B starts over too, this time with a configuration; the pair connects again */
    CHECK_OK(emrtc_peer_initialize(c->p.b.pc, &(emrtc_configuration){0}));
    CHECK_INT(emrtc_channel_get_ready_state(c->cb), EMRTC_CHANNEL_STATE_CLOSED);
    CHECK_INT(emrtc_live_channel_count(), 0);
    CHECK_INT(emrtc_backend_live_object_count(), 2);
    c->p.b.errors = 0;
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "new", NULL, &c->ca));
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb), 10000);
    CHECK_OK(emrtc_channel_put_packet(c->ca, "again", 5));
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb) == 1, 10000);
    CHECK_PACKET(c->cb, "again", 5, false);
    CHECK_INT(emrtc_live_channel_count(), 2);
    CHECK_INT(emrtc_backend_live_object_count(), 2 + 2);
    CHECK_INT(c->p.a.errors + c->p.b.errors, 0);
    scn_pair_destroy(&c->p);
    SCN_END();
}

/* ---- many lives ---- */

#define CYCLES 200
#define HEAP_SLACK (64u * 1024u)

/* 200 times: create a pair, connect it, send a packet through, destroy it. Nothing is left alive
   after each cycle, and the heap ends within 64 KiB of where it started. */
SCENARIO(lifetime_create_destroy_cycles, life_ctx) {
    SCN_BEGIN();
    c->heap_start = scn_heap_used();
    for (c->cycle = 0; c->cycle < CYCLES; c->cycle++) {
        scn_pair_create(s, &c->p, NULL);
        CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "cycle", NULL, &c->ca));
        CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
        SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb), 10000);
        CHECK_OK(emrtc_channel_put_packet(c->ca, &c->cycle, sizeof c->cycle));
        SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb) == 1, 10000);
        CHECK_PACKET(c->cb, &c->cycle, sizeof c->cycle, false);
        CHECK_INT(c->p.a.errors + c->p.b.errors, 0);
        scn_pair_destroy(&c->p);
        CHECK_INT(emrtc_live_peer_count(), 0);
        CHECK_INT(emrtc_live_channel_count(), 0);
        CHECK_INT(emrtc_backend_live_object_count(), 0);
    }
    /* (Chromium: under 1 KiB, scratch buffers sized to the longest description seen, kept) */
    CHECK(scn_heap_used() < c->heap_start + HEAP_SLACK);
    SCN_END();
}
