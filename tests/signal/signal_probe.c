/* The page program of the signaling tests: signaling clients the Jest tests drive from JS
   (window.probe in signal_probe.html), recording every callback into window.probeEvents.

   A client in "auto" mode also does what a game does with the lobby, following Godot's demo
   (multiplayer_client.gd): for every peer_connected it makes an emrtc_peer with one negotiated
   channel (id 1, text), the side with the higher own id creates the offer, descriptions and
   candidates travel through the signaling server, and once the channel is open it sends
   "hello from <own id> to <peer id>". Received packets are recorded as "data" events. */
#include <emrtc.h>
#include <emrtc_signal.h>
#include <emscripten.h>
#include <stdio.h>
#include <string.h>

#define MAX_CLIENTS 8
#define MAX_PEERS 8

typedef struct link_t {
    struct client_t *client;
    int peer_id; /* 0 = free */
    emrtc_peer pc;
    emrtc_channel ch;
    bool said_hello;
} link_t;

typedef struct client_t {
    emrtc_signal sig;
    bool automatic;
    bool paused;           /* not polled */
    char destroy_on[32];   /* destroy the client from inside the callback of this event */
    link_t links[MAX_PEERS];
} client_t;

static client_t clients[MAX_CLIENTS];

/* Records one event into window.probeEvents (the page names the fields by event). */
EM_JS(void, record, (uint32_t h, const char *ev, int n1, int n2, const char *s1, const char *s2, const char *s3), {
    window.probeRecord(h, UTF8ToString(ev), n1, n2, s1 ? UTF8ToString(s1) : null, s2 ? UTF8ToString(s2) : null,
                       s3 ? UTF8ToString(s3) : null);
});

static client_t *client_of(emrtc_signal sig) {
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (clients[i].sig.id && clients[i].sig.id == sig.id) return &clients[i];
    return NULL;
}

static void destroy_links(client_t *c) {
    for (int i = 0; i < MAX_PEERS; i++) {
        if (c->links[i].peer_id) emrtc_peer_destroy(c->links[i].pc);
        memset(&c->links[i], 0, sizeof c->links[i]);
    }
}

static void destroy_client(client_t *c) {
    uint32_t h = c->sig.id;
    destroy_links(c);
    emrtc_signal_destroy(c->sig);
    memset(c, 0, sizeof *c);
    record(h, "destroyed", 0, 0, NULL, NULL, NULL);
}

/* Records `ev`, then destroys the client if the test asked for it at this event. */
static void note(client_t *c, const char *ev, int n1, int n2, const char *s1, const char *s2, const char *s3) {
    record(c->sig.id, ev, n1, n2, s1, s2, s3);
    if (strcmp(c->destroy_on, ev) == 0) destroy_client(c);
}

static link_t *link_of(client_t *c, int peer_id) {
    for (int i = 0; i < MAX_PEERS; i++)
        if (c->links[i].peer_id == peer_id) return &c->links[i];
    return NULL;
}

/* ---- the emrtc peers of an automatic client ---- */

static void on_description(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    link_t *l = ud;
    emrtc_peer_set_local_description(pc, type, sdp);
    if (strcmp(type, "offer") == 0) emrtc_signal_send_offer(l->client->sig, l->peer_id, sdp);
    else emrtc_signal_send_answer(l->client->sig, l->peer_id, sdp);
}

static void on_local_candidate(emrtc_peer pc, const char *mid, int index, const char *sdp, void *ud) {
    (void)pc;
    link_t *l = ud;
    emrtc_signal_send_candidate(l->client->sig, l->peer_id, mid, index, sdp);
}

static void on_rtc_error(emrtc_peer pc, emrtc_error err, const char *message, void *ud) {
    (void)pc;
    link_t *l = ud;
    record(l->client->sig.id, "rtc_error", l->peer_id, (int)err, message, NULL, NULL);
}

static void link_open(client_t *c, int peer_id) {
    link_t *l = link_of(c, 0);
    if (!l) return;
    l->client = c;
    l->peer_id = peer_id;
    l->pc = emrtc_peer_create();
    emrtc_peer_set_callbacks(l->pc, &(emrtc_peer_callbacks){
        .session_description_created = on_description,
        .ice_candidate_created = on_local_candidate,
        .error = on_rtc_error,
        .user_data = l,
    });
    emrtc_peer_create_data_channel(l->pc, "game", &(emrtc_channel_options){.negotiated = true, .has_id = true, .id = 1},
                                   &l->ch);
    emrtc_channel_set_write_mode(l->ch, EMRTC_WRITE_MODE_TEXT);
    if (peer_id < emrtc_signal_get_id(c->sig)) emrtc_peer_create_offer(l->pc); /* the host never offers */
}

static void link_poll(client_t *c, link_t *l) {
    emrtc_peer_poll(l->pc);
    if (emrtc_channel_get_ready_state(l->ch) == EMRTC_CHANNEL_STATE_OPEN && !l->said_hello) {
        char hello[64];
        snprintf(hello, sizeof hello, "hello from %d to %d", emrtc_signal_get_id(c->sig), l->peer_id);
        l->said_hello = emrtc_channel_put_packet(l->ch, hello, strlen(hello)) == EMRTC_OK;
    }
    const uint8_t *data;
    size_t size;
    while (emrtc_channel_get_packet(l->ch, &data, &size) == EMRTC_OK) {
        char text[256];
        snprintf(text, sizeof text, "%.*s", (int)size, (const char *)data);
        record(c->sig.id, "data", l->peer_id, 0, text, NULL, NULL);
    }
}

/* ---- signaling callbacks ---- */

static void on_connected(emrtc_signal sig, void *ud) {
    (void)ud;
    note(client_of(sig), "connected", 0, 0, NULL, NULL, NULL);
}

static void on_id(emrtc_signal sig, int id, bool mesh, void *ud) {
    (void)ud;
    note(client_of(sig), "id", id, mesh, NULL, NULL, NULL);
}

static void on_lobby(emrtc_signal sig, const char *lobby, void *ud) {
    (void)ud;
    note(client_of(sig), "lobby", 0, 0, lobby, NULL, NULL);
}

static void on_sealed(emrtc_signal sig, void *ud) {
    (void)ud;
    note(client_of(sig), "sealed", 0, 0, NULL, NULL, NULL);
}

static void on_peer_connected(emrtc_signal sig, int peer_id, void *ud) {
    (void)ud;
    client_t *c = client_of(sig);
    if (c->automatic) link_open(c, peer_id);
    note(c, "peer_connected", peer_id, 0, NULL, NULL, NULL);
}

static void on_peer_disconnected(emrtc_signal sig, int peer_id, void *ud) {
    (void)ud;
    client_t *c = client_of(sig);
    link_t *l = link_of(c, peer_id);
    if (l) {
        emrtc_peer_destroy(l->pc);
        memset(l, 0, sizeof *l);
    }
    note(c, "peer_disconnected", peer_id, 0, NULL, NULL, NULL);
}

static void on_offer(emrtc_signal sig, int peer_id, const char *sdp, void *ud) {
    (void)ud;
    client_t *c = client_of(sig);
    link_t *l = link_of(c, peer_id);
    if (c->automatic && l) emrtc_peer_set_remote_description(l->pc, "offer", sdp);
    note(c, "offer", peer_id, 0, sdp, NULL, NULL);
}

static void on_answer(emrtc_signal sig, int peer_id, const char *sdp, void *ud) {
    (void)ud;
    client_t *c = client_of(sig);
    link_t *l = link_of(c, peer_id);
    if (c->automatic && l) emrtc_peer_set_remote_description(l->pc, "answer", sdp);
    note(c, "answer", peer_id, 0, sdp, NULL, NULL);
}

static void on_candidate(emrtc_signal sig, int peer_id, const char *mid, int index, const char *sdp, void *ud) {
    (void)ud;
    client_t *c = client_of(sig);
    link_t *l = link_of(c, peer_id);
    if (c->automatic && l) emrtc_peer_add_ice_candidate(l->pc, mid, index, sdp);
    note(c, "candidate", peer_id, index, mid, sdp, NULL);
}

static void on_closed(emrtc_signal sig, int code, const char *reason, void *ud) {
    (void)ud;
    note(client_of(sig), "closed", code, 0, reason, NULL, NULL);
}

static void on_error(emrtc_signal sig, emrtc_error err, const char *message, void *ud) {
    (void)ud;
    note(client_of(sig), "error", (int)err, 0, message, emrtc_error_name(err), NULL);
}

/* ---- what the page calls ---- */

/* A new client of `url` (auto: wire emrtc peers as described above); its handle id, 0 on failure. */
EMSCRIPTEN_KEEPALIVE uint32_t probe_create(const char *url, int automatic) {
    client_t *c = NULL;
    for (int i = 0; !c && i < MAX_CLIENTS; i++)
        if (!clients[i].sig.id) c = &clients[i];
    if (!c) return 0;
    c->sig = emrtc_signal_create(&(emrtc_signal_desc){
        .url = url,
        .callbacks = {
            .connected = on_connected,
            .id_assigned = on_id,
            .lobby_joined = on_lobby,
            .lobby_sealed = on_sealed,
            .peer_connected = on_peer_connected,
            .peer_disconnected = on_peer_disconnected,
            .offer_received = on_offer,
            .answer_received = on_answer,
            .candidate_received = on_candidate,
            .closed = on_closed,
            .error = on_error,
        },
    });
    c->automatic = c->sig.id && automatic;
    return c->sig.id;
}

static emrtc_signal handle(uint32_t h) { return (emrtc_signal){h}; }

EMSCRIPTEN_KEEPALIVE int probe_join(uint32_t h, const char *lobby, int mesh) {
    return emrtc_signal_join(handle(h), lobby, mesh != 0);
}
EMSCRIPTEN_KEEPALIVE int probe_seal(uint32_t h) { return emrtc_signal_seal(handle(h)); }
EMSCRIPTEN_KEEPALIVE int probe_send_offer(uint32_t h, int peer, const char *sdp) {
    return emrtc_signal_send_offer(handle(h), peer, sdp);
}
EMSCRIPTEN_KEEPALIVE int probe_send_answer(uint32_t h, int peer, const char *sdp) {
    return emrtc_signal_send_answer(handle(h), peer, sdp);
}
EMSCRIPTEN_KEEPALIVE int probe_send_candidate(uint32_t h, int peer, const char *mid, int index, const char *sdp) {
    return emrtc_signal_send_candidate(handle(h), peer, mid, index, sdp);
}
EMSCRIPTEN_KEEPALIVE void probe_close(uint32_t h) { emrtc_signal_close(handle(h)); }
EMSCRIPTEN_KEEPALIVE void probe_destroy(uint32_t h) {
    client_t *c = client_of(handle(h));
    if (c) destroy_client(c);
    else emrtc_signal_destroy(handle(h)); /* stale: must be a no-op */
}
/* Destroy the client from inside the callback that records `ev` ("" = never). */
EMSCRIPTEN_KEEPALIVE void probe_destroy_on(uint32_t h, const char *ev) {
    client_t *c = client_of(handle(h));
    if (c) snprintf(c->destroy_on, sizeof c->destroy_on, "%s", ev);
}
/* Stop (1) or resume (0) polling a client, so that events pile up in its queue. */
EMSCRIPTEN_KEEPALIVE void probe_pause(uint32_t h, int paused) {
    client_t *c = client_of(handle(h));
    if (c) c->paused = paused != 0;
}
EMSCRIPTEN_KEEPALIVE int probe_poll(uint32_t h) { return emrtc_signal_poll(handle(h)); }
EMSCRIPTEN_KEEPALIVE int probe_state(uint32_t h) { return emrtc_signal_get_state(handle(h)); }
EMSCRIPTEN_KEEPALIVE int probe_id(uint32_t h) { return emrtc_signal_get_id(handle(h)); }
EMSCRIPTEN_KEEPALIVE int probe_mesh(uint32_t h) { return emrtc_signal_is_mesh(handle(h)); }
EMSCRIPTEN_KEEPALIVE const char *probe_lobby(uint32_t h) { return emrtc_signal_get_lobby(handle(h)); }
EMSCRIPTEN_KEEPALIVE const char *probe_last_error(void) { return emrtc_last_error_message(); }
EMSCRIPTEN_KEEPALIVE int probe_live_signals(void) { return emrtc_signal_live_count(); }
EMSCRIPTEN_KEEPALIVE int probe_live_peers(void) { return emrtc_live_peer_count(); }

static void frame(void) {
    for (int i = 0; i < MAX_CLIENTS; i++) {
        client_t *c = &clients[i];
        if (!c->sig.id || c->paused) continue;
        emrtc_signal_poll(c->sig);
        for (int j = 0; c->sig.id && j < MAX_PEERS; j++)
            if (c->links[j].peer_id) link_poll(c, &c->links[j]);
    }
}

int main(void) {
    emscripten_set_main_loop(frame, 100, 0); /* timer-driven: pages in background tabs get no rAF */
    return 0;
}
