/* The page program of the lobby outage test (tests/net/lobby.test.js): one emrtc_session per page,
   configured with an optional TURN server and the relay policy, driven from JS (window.lp in
   lobby_peer.html). Every callback is recorded into window.lpEvents with Date.now().

   Every tick (while streaming) it sends each connected peer the next number of that peer's
   sequence, 8 bytes, on the reliable channel; what arrives from each peer is checked against the
   number expected from it: gaps and duplicates are counted, never hidden. */
#include "seq.h"

#include <emrtc.h>
#include <emrtc_session.h>
#include <emscripten.h>
#include <stdio.h>
#include <string.h>

#define LP_MAX_ID 64 /* the counters are kept per peer id modulo this (ids are distinct in a 3-page lobby) */

typedef struct lp_peer {
    int id;
    uint32_t next_send;
    seq_in in;
} lp_peer;

static emrtc_session session;
static emrtc_ice_server server;
static emrtc_configuration config;
static char url_copy[256], user_copy[64], pass_copy[64];
static lp_peer peers[LP_MAX_ID];
static bool streaming;

EM_JS(void, lp_event, (const char *kind, int peer, int value, const char *text), {
    window.lpEvents.push({kind: UTF8ToString(kind), peer: peer, value: value, text: text ? UTF8ToString(text) : "",
                          at: Date.now()});
});

static lp_peer *peer_of(int id) {
    lp_peer *p = &peers[(unsigned)id % LP_MAX_ID];
    if (p->id != id) {
        memset(p, 0, sizeof *p);
        p->id = id;
    }
    return p;
}

static void on_id(emrtc_session s, int id, bool mesh, void *ud) {
    (void)s, (void)ud;
    lp_event("id", id, mesh, NULL);
}
static void on_lobby(emrtc_session s, const char *lobby, void *ud) {
    (void)s, (void)ud;
    lp_event("lobby", 0, 0, lobby);
}
static void on_connected(emrtc_session s, int peer, void *ud) {
    (void)s, (void)ud;
    lp_event("peer_connected", peer, 0, NULL);
}
static void on_disconnected(emrtc_session s, int peer, void *ud) {
    (void)s, (void)ud;
    lp_event("peer_disconnected", peer, 0, NULL);
}
static void on_error(emrtc_session s, int peer, emrtc_error err, const char *message, void *ud) {
    (void)s, (void)ud;
    lp_event("error", peer, (int)err, message);
}

/* Starts the session: lobby "" creates one; url "" = no ICE server; relay: the relay policy. */
EMSCRIPTEN_KEEPALIVE uint32_t lp_start(const char *signal_url, const char *lobby, const char *turn_url,
                                       const char *user, const char *pass, int relay) {
    snprintf(url_copy, sizeof url_copy, "%s", turn_url);
    snprintf(user_copy, sizeof user_copy, "%s", user);
    snprintf(pass_copy, sizeof pass_copy, "%s", pass);
    server = (emrtc_ice_server){.urls = {url_copy}, .username = user_copy, .credential = pass_copy};
    config = (emrtc_configuration){
        .ice_servers = &server,
        .ice_server_count = turn_url[0] ? 1 : 0,
        .ice_transport_policy = relay ? EMRTC_ICE_TRANSPORT_POLICY_RELAY : EMRTC_ICE_TRANSPORT_POLICY_DEFAULT,
    };
    session = emrtc_session_create(&(emrtc_session_desc){
        .url = signal_url,
        .lobby = lobby,
        .configuration = &config,
        .callbacks = {.id_assigned = on_id, .lobby_joined = on_lobby, .peer_connected = on_connected,
                      .peer_disconnected = on_disconnected, .error = on_error},
    });
    return session.id;
}

EMSCRIPTEN_KEEPALIVE void lp_tick(void) {
    if (!session.id) return;
    emrtc_session_poll(session);
    emrtc_multiplayer mp = emrtc_session_get_multiplayer(session);
    if (streaming) {
        int ids[16];
        int n = emrtc_multiplayer_get_peers(mp, ids, 16);
        emrtc_multiplayer_set_transfer_mode(mp, EMRTC_TRANSFER_MODE_RELIABLE);
        for (int i = 0; i < n && i < 16; i++) {
            emrtc_multiplayer_peer_info info;
            if (emrtc_multiplayer_get_peer(mp, ids[i], &info) != EMRTC_OK || !info.connected) continue;
            lp_peer *p = peer_of(ids[i]);
            uint8_t pkt[SEQ_PACKET];
            seq_make(pkt, p->next_send);
            emrtc_multiplayer_set_target_peer(mp, ids[i]);
            if (emrtc_multiplayer_put_packet(mp, pkt, sizeof pkt) == EMRTC_OK) p->next_send++;
        }
    }
    while (emrtc_multiplayer_get_available_packet_count(mp) > 0) {
        int from = emrtc_multiplayer_get_packet_peer(mp);
        const uint8_t *d;
        size_t size;
        if (emrtc_multiplayer_get_packet(mp, &d, &size) != EMRTC_OK) break;
        seq_take(&peer_of(from)->in, d, size);
    }
}

EMSCRIPTEN_KEEPALIVE void lp_stream(int on) { streaming = on != 0; }
EMSCRIPTEN_KEEPALIVE int lp_id(void) { return emrtc_session_get_unique_id(session); }
/* Counters of the stream with `peer`: 0 sent, 1 received, 2 gaps, 3 duplicates. */
EMSCRIPTEN_KEEPALIVE double lp_counter(int peer, int which) {
    lp_peer *p = peer_of(peer);
    uint32_t v[4] = {p->next_send, p->in.received, p->in.gaps, p->in.duplicates};
    return which >= 0 && which < 4 ? v[which] : -1;
}
/* The connection state of the link to `peer`, -1 when the multiplayer has no such peer. */
EMSCRIPTEN_KEEPALIVE int lp_state(int peer) {
    emrtc_multiplayer_peer_info info;
    if (emrtc_multiplayer_get_peer(emrtc_session_get_multiplayer(session), peer, &info) != EMRTC_OK) return -1;
    return (int)emrtc_peer_get_connection_state(info.connection);
}
EMSCRIPTEN_KEEPALIVE void lp_destroy(void) {
    emrtc_session_destroy(session);
    session.id = 0;
}
EMSCRIPTEN_KEEPALIVE int lp_live(void) { return emrtc_session_live_count() + emrtc_backend_live_object_count(); }

int main(void) { return 0; }
