/* emrtc_session.c -- join a lobby and play (include/emrtc_session.h): Godot's demo client
   (multiplayer_client.gd) on emrtc_signal and emrtc_multiplayer. Public API only, plus the shared
   handle pool and _emrtc_fail from emrtc_internal.h.

   Each remote peer has a link: the session, the peer id and the connection, the user_data of the
   connection's callbacks. The multiplayer owns the connection and destroys it when it removes the
   peer; a link whose connection is gone is freed at the end of the next poll (no callback of a
   destroyed connection ever runs, so nothing can reach a freed link). */
#include "emrtc_session.h"
#include "emrtc_internal.h"

#include <emscripten.h>
#include <stdlib.h>
#include <string.h>

#define RECOVERY_DEFAULT_MS 30000 /* emrtc_session_desc.recovery_ms = 0 */
#define RESTART_FIRST_MS 2000     /* after the connection went DISCONNECTED or FAILED */
#define RESTART_EVERY_MS 4000     /* further tries while it is still down */

typedef struct session_t session_t;

typedef struct link_t {
    session_t *s;
    int peer_id;
    emrtc_peer pc;
    int restarts;       /* ICE restarts tried (see session_try_restart) */
    bool lost;          /* DISCONNECTED or FAILED, kept while recovery runs */
    double lost_at;     /* when it went down (emscripten_get_now, ms) */
    double next_try;    /* when to restart ICE next (the offering side) */
} link_t;

struct session_t {
    emrtc_session h;
    emrtc_session_callbacks cb;
    emrtc_signal sig;
    emrtc_multiplayer mp;
    char *lobby;
    bool server_client, sealed;
    const emrtc_configuration *config;
    emrtc_transfer_mode channels[EMRTC_MULTIPLAYER_MAX_EXTRA_CHANNELS];
    int channel_count;
    int lifetime;
    int recovery_ms;    /* < 0: drop lost peers at once (Godot) */
    link_t **links;
    int nlinks, links_cap;
    bool polling, destroyed;
};

#define MAX_SESSIONS 256u

static _emrtc_pool pool;
static bool pool_ready;

static session_t *get_session(emrtc_session h) { return pool_ready ? _emrtc_pool_get(&pool, h.id) : NULL; }

static void report(session_t *s, int peer_id, emrtc_error err, const char *message) {
    if (s->cb.error) s->cb.error(s->h, peer_id, err, message, s->cb.user_data);
}

/* ---- links ---- */

static link_t *link_of(session_t *s, int peer_id) {
    /* a removed peer's link (its connection destroyed) waits for collect_links: skip it */
    for (int i = 0; i < s->nlinks; i++)
        if (s->links[i]->peer_id == peer_id && emrtc_peer_get_extension(s->links[i]->pc)) return s->links[i];
    return NULL;
}

/* Frees the links whose connection the multiplayer has destroyed. */
static void collect_links(session_t *s) {
    int k = 0;
    for (int i = 0; i < s->nlinks; i++) {
        if (emrtc_peer_get_extension(s->links[i]->pc)) s->links[k++] = s->links[i];
        else free(s->links[i]);
    }
    s->nlinks = k;
}

/* The hook for a connection that went DISCONNECTED or FAILED: true when the peer is kept while
   recover_links() tries to bring it back. The side that made the first offer (the higher id) restarts
   ICE (emrtc_peer_restart_ice: its new offer travels through the server like the first, and the far
   side's offer_received feeds it to its connection, which answers); the other side waits for that
   offer. Either side drops the peer once it has been down for recovery_ms. Without a signaling
   connection (sealed lobby, server gone) no offer can travel: the peer is dropped at once. */
static bool session_try_restart(session_t *s, link_t *l, emrtc_connection_state state) {
    (void)state;
    if (s->recovery_ms < 0 || emrtc_signal_get_state(s->sig) != EMRTC_SIGNAL_STATE_OPEN) return false;
    double now = emscripten_get_now();
    if (!l->lost) {
        l->lost = true;
        l->lost_at = now;
        l->next_try = now + RESTART_FIRST_MS;
    }
    return now - l->lost_at < s->recovery_ms;
}

/* Every poll: lost links that came back are recovered; the offering side of the others restarts ICE
   when it is due; those down for longer than recovery_ms are dropped (peer_disconnected). */
static void recover_links(session_t *s) {
    double now = 0;
    int own = emrtc_signal_get_id(s->sig);
    for (int i = 0; i < s->nlinks; i++) {
        link_t *l = s->links[i];
        if (!l->lost || !emrtc_peer_get_extension(l->pc)) continue;
        emrtc_connection_state st = emrtc_peer_get_connection_state(l->pc);
        if (st == EMRTC_STATE_CONNECTED) {
            l->lost = false;
            l->restarts = 0;
            continue;
        }
        if (!now) now = emscripten_get_now();
        if (now - l->lost_at >= s->recovery_ms || emrtc_signal_get_state(s->sig) != EMRTC_SIGNAL_STATE_OPEN) {
            l->lost = false;
            emrtc_multiplayer_remove_peer(s->mp, l->peer_id); /* peer_disconnected from the multiplayer */
            continue;
        }
        if (l->peer_id < own && now >= l->next_try) {
            l->next_try = now + RESTART_EVERY_MS;
            /* EMRTC_ERR_UNAVAILABLE: the last restart's exchange is still under way; try again later */
            if (emrtc_peer_restart_ice(l->pc) == EMRTC_OK) l->restarts++;
        }
    }
}

/* ---- the connections' callbacks ---- */

static void on_description(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    link_t *l = ud;
    session_t *s = l->s;
    if (!emrtc_multiplayer_has_peer(s->mp, l->peer_id)) return;
    emrtc_peer_set_local_description(pc, type, sdp);
    emrtc_error err = strcmp(type, "offer") == 0 ? emrtc_signal_send_offer(s->sig, l->peer_id, sdp)
                                                 : emrtc_signal_send_answer(s->sig, l->peer_id, sdp);
    if (err != EMRTC_OK) report(s, l->peer_id, err, emrtc_last_error_message());
}

static void on_candidate(emrtc_peer pc, const char *mid, int index, const char *sdp, void *ud) {
    (void)pc;
    link_t *l = ud;
    emrtc_error err = emrtc_signal_send_candidate(l->s->sig, l->peer_id, mid, index, sdp);
    if (err != EMRTC_OK) report(l->s, l->peer_id, err, emrtc_last_error_message());
}

static void on_rtc_error(emrtc_peer pc, emrtc_error err, const char *message, void *ud) {
    (void)pc;
    link_t *l = ud;
    /* a data channel's error (EMRTC_ERR_CONNECTION_ERROR: the far side aborted it) closes the
       channel, and the game hears of it as peer_disconnected */
    if (err != EMRTC_ERR_CONNECTION_ERROR) report(l->s, l->peer_id, err, message);
}

static void on_stats(emrtc_peer pc, const emrtc_peer_stats *stats, void *ud) {
    (void)pc;
    link_t *l = ud;
    if (l->s->cb.peer_stats) l->s->cb.peer_stats(l->s->h, l->peer_id, stats, l->s->cb.user_data);
}

/* ---- the multiplayer's callbacks ---- */

static void mp_peer_connected(emrtc_multiplayer mp, int id, void *ud) {
    (void)mp;
    session_t *s = ud;
    if (s->cb.peer_connected) s->cb.peer_connected(s->h, id, s->cb.user_data);
}
static void mp_peer_disconnected(emrtc_multiplayer mp, int id, void *ud) {
    (void)mp;
    session_t *s = ud;
    if (s->cb.peer_disconnected) s->cb.peer_disconnected(s->h, id, s->cb.user_data);
}
static void mp_succeeded(emrtc_multiplayer mp, void *ud) {
    (void)mp;
    session_t *s = ud;
    if (s->cb.connection_succeeded) s->cb.connection_succeeded(s->h, s->cb.user_data);
}
static void mp_failed(emrtc_multiplayer mp, void *ud) {
    (void)mp;
    session_t *s = ud;
    if (s->cb.connection_failed) s->cb.connection_failed(s->h, s->cb.user_data);
}
static void mp_server_gone(emrtc_multiplayer mp, void *ud) {
    (void)mp;
    session_t *s = ud;
    if (s->cb.server_disconnected) s->cb.server_disconnected(s->h, s->cb.user_data);
}
static bool mp_lost(emrtc_multiplayer mp, int id, emrtc_connection_state state, void *ud) {
    (void)mp;
    session_t *s = ud;
    link_t *l = link_of(s, id);
    return l && session_try_restart(s, l, state);
}

/* ---- the signaling client's callbacks ---- */

static void sig_connected(emrtc_signal sig, void *ud) {
    session_t *s = ud;
    emrtc_error err = emrtc_signal_join(sig, s->lobby ? s->lobby : "", !s->server_client);
    if (err != EMRTC_OK) report(s, 0, err, emrtc_last_error_message());
}

static void sig_id(emrtc_signal sig, int id, bool mesh, void *ud) {
    (void)sig;
    session_t *s = ud;
    emrtc_error err = mesh                              ? emrtc_multiplayer_create_mesh(s->mp, id, s->channels, s->channel_count)
                      : id == EMRTC_TARGET_PEER_SERVER ? emrtc_multiplayer_create_server(s->mp, s->channels, s->channel_count)
                                                        : emrtc_multiplayer_create_client(s->mp, id, s->channels, s->channel_count);
    if (err != EMRTC_OK) {
        report(s, 0, err, emrtc_last_error_message());
        return;
    }
    if (s->cb.id_assigned) s->cb.id_assigned(s->h, id, mesh, s->cb.user_data);
}

static void sig_lobby(emrtc_signal sig, const char *lobby, void *ud) {
    (void)sig;
    session_t *s = ud;
    if (s->cb.lobby_joined) s->cb.lobby_joined(s->h, lobby, s->cb.user_data);
}

static void sig_sealed(emrtc_signal sig, void *ud) {
    (void)sig;
    session_t *s = ud;
    s->sealed = true;
    if (s->cb.lobby_sealed) s->cb.lobby_sealed(s->h, s->cb.user_data);
}

static bool grow_links(session_t *s) {
    if (s->nlinks < s->links_cap) return true;
    int ncap = s->links_cap ? s->links_cap * 2 : 8;
    link_t **nl = _emrtc_grow(s->links, (size_t)s->links_cap * sizeof(*nl), (size_t)ncap * sizeof(*nl));
    if (!nl) return false;
    s->links = nl;
    s->links_cap = ncap;
    return true;
}

static void sig_peer(emrtc_signal sig, int peer_id, void *ud) {
    session_t *s = ud;
    int own = emrtc_signal_get_id(sig);
    link_t *l = grow_links(s) ? calloc(1, sizeof(*l)) : NULL;
    emrtc_peer pc = l ? emrtc_peer_create() : (emrtc_peer){0};
    emrtc_error err = EMRTC_OK;
    if (!pc.id) err = _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "session: no memory for a connection to peer %d", peer_id);
    else if (s->config) err = emrtc_peer_initialize(pc, s->config);
    if (err == EMRTC_OK) {
        l->s = s;
        l->peer_id = peer_id;
        l->pc = pc;
        emrtc_peer_set_callbacks(pc, &(emrtc_peer_callbacks){.session_description_created = on_description,
                                                             .ice_candidate_created = on_candidate,
                                                             .error = on_rtc_error, .stats = on_stats,
                                                             .user_data = l});
        err = emrtc_multiplayer_add_peer(s->mp, pc, peer_id, s->lifetime);
    }
    if (err != EMRTC_OK) {
        /* refused (e.g. refusing new connections) or out of memory: that peer is not played with */
        report(s, peer_id, err, emrtc_last_error_message());
        emrtc_peer_destroy(pc);
        free(l);
        return;
    }
    s->links[s->nlinks++] = l;
    /* the demo's rule: the side with the higher own id offers, so the host never does */
    if (peer_id < own && (err = emrtc_peer_create_offer(pc)) != EMRTC_OK) report(s, peer_id, err, emrtc_last_error_message());
}

static void sig_peer_gone(emrtc_signal sig, int peer_id, void *ud) {
    (void)sig;
    session_t *s = ud;
    if (emrtc_multiplayer_has_peer(s->mp, peer_id)) emrtc_multiplayer_remove_peer(s->mp, peer_id);
}

static void sig_offer(emrtc_signal sig, int peer_id, const char *sdp, void *ud) {
    (void)sig;
    session_t *s = ud;
    link_t *l = link_of(s, peer_id);
    emrtc_error err = l ? emrtc_peer_set_remote_description(l->pc, "offer", sdp) : EMRTC_OK;
    if (err != EMRTC_OK) report(s, peer_id, err, emrtc_last_error_message());
}

static void sig_answer(emrtc_signal sig, int peer_id, const char *sdp, void *ud) {
    (void)sig;
    session_t *s = ud;
    link_t *l = link_of(s, peer_id);
    emrtc_error err = l ? emrtc_peer_set_remote_description(l->pc, "answer", sdp) : EMRTC_OK;
    if (err != EMRTC_OK) report(s, peer_id, err, emrtc_last_error_message());
}

static void sig_candidate(emrtc_signal sig, int peer_id, const char *mid, int index, const char *sdp, void *ud) {
    (void)sig;
    session_t *s = ud;
    link_t *l = link_of(s, peer_id);
    emrtc_error err = l ? emrtc_peer_add_ice_candidate(l->pc, mid, index, sdp) : EMRTC_OK;
    if (err != EMRTC_OK) report(s, peer_id, err, emrtc_last_error_message());
}

static void sig_closed(emrtc_signal sig, int code, const char *reason, void *ud) {
    (void)sig;
    session_t *s = ud;
    if (s->cb.lobby_closed) s->cb.lobby_closed(s->h, code, reason, s->sealed, s->cb.user_data);
    if (s->destroyed || s->sealed) return;
    /* the demo's stop(): an unexpected end of signaling ends the game's connections too */
    int ids[64];
    int n;
    while ((n = emrtc_multiplayer_get_peers(s->mp, ids, 64)) > 0)
        for (int i = 0; i < n && i < 64; i++) emrtc_multiplayer_remove_peer(s->mp, ids[i]);
}

static void sig_error(emrtc_signal sig, emrtc_error err, const char *message, void *ud) {
    (void)sig;
    report(ud, 0, err, message);
}

/* ---- the API ---- */

static void free_session(session_t *s) {
    for (int i = 0; i < s->nlinks; i++) free(s->links[i]);
    free(s->links);
    free(s->lobby);
    free(s);
}

emrtc_session emrtc_session_create(const emrtc_session_desc *desc) {
    static const char fn[] = "emrtc_session_create";
    if (!desc || !desc->url) {
        _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: desc or its url is NULL", fn);
        return (emrtc_session){0};
    }
    int lifetime = desc->has_unreliable_lifetime ? desc->unreliable_lifetime : 1;
    if (lifetime < 0 || lifetime > EMRTC_MULTIPLAYER_MAX_LIFETIME) {
        _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "%s: unreliable_lifetime %d ms is outside 0..%d", fn, lifetime,
                    EMRTC_MULTIPLAYER_MAX_LIFETIME);
        return (emrtc_session){0};
    }
    if (!pool_ready) {
        _emrtc_pool_init(&pool, MAX_SESSIONS);
        pool_ready = true;
    }
    session_t *s = calloc(1, sizeof(*s));
    size_t lobby_len = desc->lobby ? strlen(desc->lobby) : 0;
    char *lobby = malloc(lobby_len + 1);
    uint32_t id = s && lobby ? _emrtc_pool_add(&pool, s) : 0;
    if (!id) {
        free(s);
        free(lobby);
        _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "%s: out of memory or of handles (at most %u sessions)", fn, MAX_SESSIONS);
        return (emrtc_session){0};
    }
    memcpy(lobby, lobby_len ? desc->lobby : "", lobby_len + 1);
    s->h = (emrtc_session){id};
    s->lobby = lobby;
    s->cb = desc->callbacks;
    s->server_client = desc->server_client;
    s->config = desc->configuration;
    s->lifetime = lifetime;
    s->recovery_ms = desc->recovery_ms ? desc->recovery_ms : RECOVERY_DEFAULT_MS;
    s->mp = emrtc_multiplayer_create(&(emrtc_multiplayer_desc){.callbacks = {
        .peer_connected = mp_peer_connected, .peer_disconnected = mp_peer_disconnected,
        .connection_succeeded = mp_succeeded, .connection_failed = mp_failed,
        .server_disconnected = mp_server_gone, .peer_connection_lost = mp_lost, .user_data = s}});
    /* the extra channels are checked by the multiplayer itself, once, now */
    emrtc_error err = s->mp.id ? emrtc_multiplayer_create_mesh(s->mp, 1, desc->channels_config, desc->channel_count)
                               : EMRTC_ERR_OUT_OF_MEMORY;
    emrtc_multiplayer_close(s->mp);
    if (err == EMRTC_OK) {
        for (int i = 0; i < desc->channel_count; i++) s->channels[i] = desc->channels_config[i];
        s->channel_count = desc->channel_count;
        s->sig = emrtc_signal_create(&(emrtc_signal_desc){
            .url = desc->url,
            .callbacks = {.connected = sig_connected, .id_assigned = sig_id, .lobby_joined = sig_lobby,
                          .lobby_sealed = sig_sealed, .peer_connected = sig_peer, .peer_disconnected = sig_peer_gone,
                          .offer_received = sig_offer, .answer_received = sig_answer,
                          .candidate_received = sig_candidate, .closed = sig_closed, .error = sig_error,
                          .user_data = s}});
        if (!s->sig.id) err = EMRTC_ERR_INVALID_PARAMETER; /* its message stays the last error */
    }
    if (err != EMRTC_OK) {
        emrtc_multiplayer_destroy(s->mp);
        _emrtc_pool_remove(&pool, id);
        free_session(s);
        return (emrtc_session){0};
    }
    return s->h;
}

void emrtc_session_destroy(emrtc_session h) {
    session_t *s = get_session(h);
    if (!s) return;
    _emrtc_pool_remove(&pool, h.id);
    emrtc_signal_destroy(s->sig);
    emrtc_multiplayer_destroy(s->mp); /* destroys every connection */
    if (s->polling) s->destroyed = true; /* poll frees it on its way out */
    else free_session(s);
}

emrtc_error emrtc_session_poll(emrtc_session h) {
    session_t *s = get_session(h);
    if (!s) return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "emrtc_session_poll: session handle %u is not live", h.id);
    if (s->polling) return _emrtc_fail(EMRTC_ERR_BUSY, "emrtc_session_poll: called from its own callback");
    s->polling = true;
    emrtc_signal_poll(s->sig);
    if (!s->destroyed) emrtc_multiplayer_poll(s->mp);
    if (!s->destroyed) recover_links(s);
    if (s->destroyed) {
        free_session(s);
        return EMRTC_OK;
    }
    collect_links(s);
    s->polling = false;
    return EMRTC_OK;
}

emrtc_multiplayer emrtc_session_get_multiplayer(emrtc_session h) {
    session_t *s = get_session(h);
    return s ? s->mp : (emrtc_multiplayer){0};
}

emrtc_signal emrtc_session_get_signal(emrtc_session h) {
    session_t *s = get_session(h);
    return s ? s->sig : (emrtc_signal){0};
}

emrtc_error emrtc_session_seal(emrtc_session h) {
    session_t *s = get_session(h);
    if (!s) return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "emrtc_session_seal: session handle %u is not live", h.id);
    return emrtc_signal_seal(s->sig);
}

int emrtc_session_get_unique_id(emrtc_session h) {
    session_t *s = get_session(h);
    return s ? emrtc_signal_get_id(s->sig) : 0;
}

const char *emrtc_session_get_lobby(emrtc_session h) {
    session_t *s = get_session(h);
    return s ? emrtc_signal_get_lobby(s->sig) : "";
}

bool emrtc_session_is_sealed(emrtc_session h) {
    session_t *s = get_session(h);
    return s && s->sealed;
}

int emrtc_session_live_count(void) { return pool_ready ? (int)pool.live : 0; }
