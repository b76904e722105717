/* The page program of the multiplayer tests: one emrtc_session (emrtc_session.h) that the Jest
   tests drive through window.mp (mp_page.html), recording every callback and every received
   packet into window.mpEvents. Every frame it polls the session and reads all packets, asking
   peer, channel and mode first (Godot's order). A packet whose text starts with "echo:" is sent
   back to its sender on the same channel and mode, prefixed "re:" (the Godot-layout test uses it).
   mp_refusals() runs every refusal of emrtc_multiplayer_add_peer against real browser
   connections and returns them as JSON. */
#include <emrtc.h>
#include <emrtc_multiplayer.h>
#include <emrtc_session.h>
#include <emscripten.h>
#include <stdio.h>
#include <string.h>

static emrtc_session session;
static emrtc_transfer_mode extras[8];

EM_JS(void, record, (const char *ev, int n1, int n2, int n3, const char *s1), {
    window.mpRecord(UTF8ToString(ev), n1, n2, n3, s1 ? UTF8ToString(s1) : null);
});

static void on_id(emrtc_session s, int id, bool mesh, void *ud) {
    (void)s, (void)ud;
    record("id", id, mesh, 0, NULL);
}
static void on_lobby(emrtc_session s, const char *lobby, void *ud) {
    (void)s, (void)ud;
    record("lobby", 0, 0, 0, lobby);
}
static void on_peer_connected(emrtc_session s, int id, void *ud) {
    (void)s, (void)ud;
    record("peer_connected", id, 0, 0, NULL);
}
static void on_peer_disconnected(emrtc_session s, int id, void *ud) {
    (void)s, (void)ud;
    record("peer_disconnected", id, 0, 0, NULL);
}
static void on_succeeded(emrtc_session s, void *ud) {
    (void)s, (void)ud;
    record("connection_succeeded", 0, 0, 0, NULL);
}
static void on_failed(emrtc_session s, void *ud) {
    (void)s, (void)ud;
    record("connection_failed", 0, 0, 0, NULL);
}
static void on_server_gone(emrtc_session s, void *ud) {
    (void)s, (void)ud;
    record("server_disconnected", 0, 0, 0, NULL);
}
static void on_sealed(emrtc_session s, void *ud) {
    (void)s, (void)ud;
    record("lobby_sealed", 0, 0, 0, NULL);
}
static void on_closed(emrtc_session s, int code, const char *reason, bool sealed, void *ud) {
    (void)s, (void)ud;
    record("lobby_closed", code, sealed, 0, reason);
}
static void on_error(emrtc_session s, int peer, emrtc_error err, const char *message, void *ud) {
    (void)s, (void)ud;
    record("error", peer, (int)err, 0, message);
}

static void frame(void) {
    if (!session.id) return;
    emrtc_session_poll(session);
    emrtc_multiplayer mp = emrtc_session_get_multiplayer(session);
    while (emrtc_multiplayer_get_available_packet_count(mp) > 0) {
        int from = emrtc_multiplayer_get_packet_peer(mp);
        int channel = emrtc_multiplayer_get_packet_channel(mp);
        emrtc_transfer_mode mode = emrtc_multiplayer_get_packet_mode(mp);
        const uint8_t *data;
        size_t size;
        if (emrtc_multiplayer_get_packet(mp, &data, &size) != EMRTC_OK) break;
        char text[512];
        snprintf(text, sizeof text, "%.*s", (int)size, (const char *)data);
        record("packet", from, channel, (int)mode, text);
        if (strncmp(text, "echo:", 5) == 0) {
            char reply[520];
            int n = snprintf(reply, sizeof reply, "re:%s", text);
            emrtc_multiplayer_set_target_peer(mp, from);
            emrtc_multiplayer_set_transfer_channel(mp, channel);
            emrtc_multiplayer_set_transfer_mode(mp, mode);
            emrtc_error err = emrtc_multiplayer_put_packet(mp, reply, (size_t)n);
            if (err != EMRTC_OK) record("error", from, (int)err, 0, emrtc_last_error_message());
        }
    }
}

/* Starts the session: lobby "" creates one; extras: a string of transfer-mode digits ("012");
   lifetime < 0: the default. Returns the session handle id (0 on failure). */
EMSCRIPTEN_KEEPALIVE uint32_t mp_start(const char *url, const char *lobby, int server_client, const char *extra_modes,
                                       int lifetime) {
    int n = 0;
    for (const char *c = extra_modes; *c && n < 8; c++) extras[n++] = (emrtc_transfer_mode)(*c - '0');
    session = emrtc_session_create(&(emrtc_session_desc){
        .url = url,
        .lobby = lobby,
        .server_client = server_client != 0,
        .channels_config = extras,
        .channel_count = n,
        .has_unreliable_lifetime = lifetime >= 0,
        .unreliable_lifetime = lifetime,
        .callbacks = {.id_assigned = on_id, .lobby_joined = on_lobby, .peer_connected = on_peer_connected,
                      .peer_disconnected = on_peer_disconnected, .connection_succeeded = on_succeeded,
                      .connection_failed = on_failed, .server_disconnected = on_server_gone,
                      .lobby_sealed = on_sealed, .lobby_closed = on_closed, .error = on_error},
    });
    return session.id;
}

/* Sends `text` (target, mode, transfer channel); returns the emrtc_error. */
EMSCRIPTEN_KEEPALIVE int mp_send(int target, int mode, int channel, const char *text) {
    emrtc_multiplayer mp = emrtc_session_get_multiplayer(session);
    emrtc_multiplayer_set_target_peer(mp, target);
    emrtc_multiplayer_set_transfer_mode(mp, (emrtc_transfer_mode)mode);
    emrtc_multiplayer_set_transfer_channel(mp, channel);
    return emrtc_multiplayer_put_packet(mp, text, strlen(text));
}

/* The peers, as a JSON array of ids. */
EMSCRIPTEN_KEEPALIVE const char *mp_peers(void) {
    static char out[512];
    int ids[32];
    int n = emrtc_multiplayer_get_peers(emrtc_session_get_multiplayer(session), ids, 32);
    int k = snprintf(out, sizeof out, "[");
    for (int i = 0; i < n && i < 32; i++) k += snprintf(out + k, sizeof out - (size_t)k, "%s%d", i ? "," : "", ids[i]);
    snprintf(out + k, sizeof out - (size_t)k, "]");
    return out;
}

/* The channel handle ids of a peer (JSON array; [] when not a peer): the test looks them up in the
   browser glue's table to read the browser's own RTCDataChannel objects. */
EMSCRIPTEN_KEEPALIVE const char *mp_channels(int peer) {
    static char out[512];
    emrtc_multiplayer_peer_info info;
    if (emrtc_multiplayer_get_peer(emrtc_session_get_multiplayer(session), peer, &info) != EMRTC_OK) return "[]";
    int k = snprintf(out, sizeof out, "[");
    for (int i = 0; i < info.channel_count; i++)
        k += snprintf(out + k, sizeof out - (size_t)k, "%s%u", i ? "," : "", info.channels[i].id);
    snprintf(out + k, sizeof out - (size_t)k, "]");
    return out;
}

EMSCRIPTEN_KEEPALIVE int mp_unique_id(void) { return emrtc_session_get_unique_id(session); }
EMSCRIPTEN_KEEPALIVE int mp_seal(void) { return emrtc_session_seal(session); }
EMSCRIPTEN_KEEPALIVE int mp_refuse(int refuse) {
    return emrtc_multiplayer_set_refuse_new_connections(emrtc_session_get_multiplayer(session), refuse != 0);
}
EMSCRIPTEN_KEEPALIVE int mp_disconnect(int peer, int force) {
    return emrtc_multiplayer_disconnect_peer(emrtc_session_get_multiplayer(session), peer, force != 0);
}
EMSCRIPTEN_KEEPALIVE void mp_destroy(void) {
    emrtc_session_destroy(session);
    session = (emrtc_session){0};
}
EMSCRIPTEN_KEEPALIVE int mp_live(void) {
    return emrtc_session_live_count() * 1000000 + emrtc_multiplayer_live_count() * 10000 + emrtc_live_peer_count() * 100 +
           emrtc_backend_live_object_count();
}

/* ---- every refusal of add_peer, on browser connections ---- */

static char refusals[4096];
static int refusals_len;

static void note(const char *what, emrtc_error err) {
    refusals_len += snprintf(refusals + refusals_len, sizeof refusals - (size_t)refusals_len,
                             "%s{\"what\":\"%s\",\"err\":%d,\"name\":\"%s\",\"message\":\"", refusals_len > 1 ? "," : "",
                             what, (int)err, emrtc_error_name(err));
    for (const char *c = emrtc_last_error_message(); *c && refusals_len < (int)sizeof refusals - 8; c++)
        if (*c != '"' && *c != '\\') refusals[refusals_len++] = *c;
    refusals_len += snprintf(refusals + refusals_len, sizeof refusals - (size_t)refusals_len, "\"}");
}

EMSCRIPTEN_KEEPALIVE const char *mp_refusals(void) {
    refusals_len = snprintf(refusals, sizeof refusals, "[");
    emrtc_multiplayer mp = emrtc_multiplayer_create(NULL);
    emrtc_peer pc = emrtc_peer_create(), pc2 = emrtc_peer_create(), used = emrtc_peer_create();
    note("unconfigured", emrtc_multiplayer_add_peer(mp, pc, 2, 1));
    emrtc_multiplayer_create_client(mp, 5, NULL, 0);
    note("client adds a non-server id", emrtc_multiplayer_add_peer(mp, pc, 2, 1));
    emrtc_multiplayer_close(mp);
    emrtc_multiplayer_create_server(mp, NULL, 0);
    note("server adds id 1", emrtc_multiplayer_add_peer(mp, pc, 1, 1));
    note("id 0", emrtc_multiplayer_add_peer(mp, pc, 0, 1));
    note("id -1", emrtc_multiplayer_add_peer(mp, pc, -1, 1));
    emrtc_channel ch;
    emrtc_peer_create_data_channel(used, "game", NULL, &ch);
    emrtc_peer_close(used); /* CLOSED from the next poll */
    emrtc_peer_poll(used);
    note("connection not in STATE_NEW", emrtc_multiplayer_add_peer(mp, used, 2, 1));
    note("ok", emrtc_multiplayer_add_peer(mp, pc, 2, 1));
    note("duplicate id", emrtc_multiplayer_add_peer(mp, pc2, 2, 1));
    emrtc_multiplayer_set_refuse_new_connections(mp, true);
    note("refusing new connections", emrtc_multiplayer_add_peer(mp, pc2, 3, 1));
    emrtc_multiplayer_set_refuse_new_connections(mp, false);
    note("ok after refusing", emrtc_multiplayer_add_peer(mp, pc2, 3, 1));
    emrtc_multiplayer_destroy(mp); /* destroys pc and pc2 */
    emrtc_peer_destroy(used);
    refusals_len += snprintf(refusals + refusals_len, sizeof refusals - (size_t)refusals_len, "]");
    return refusals;
}

int main(void) {
    emscripten_set_main_loop(frame, 0, 0);
    /* frames from setTimeout, not requestAnimationFrame: Chromium sometimes gives a background tab
       one animation frame per second although the testing kit emulates focus */
    emscripten_set_main_loop_timing(EM_TIMING_SETTIMEOUT, 4);
    return 0;
}
