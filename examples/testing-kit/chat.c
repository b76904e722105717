/* chat.c -- the testing kit's example program: two browser pages, one emrtc peer each, meet in a
   lobby of the emrtc-signal server and say hello over a data channel.

   Open  index.html?signal=ws://HOST:PORT             to create a lobby (its name is shown), then
         index.html?signal=ws://HOST:PORT&lobby=NAME  in another page to join it.
   What happens is published on window.chat for tests and shown on the page:
     window.chat = { id, lobby, connection, channel, received: ["hello from 1", ...] }

   Signaling: emrtc_signal.h, the client of emrtc-signal's lobbies. As in Godot's demo, the page
   with the higher id makes the offer (so the lobby's host, id 1, answers). */
#include <emrtc.h>
#include <emrtc_signal.h>
#include <emscripten.h>
#include <stdio.h>
#include <string.h>

/* ---- showing what happens ------------------------------------------------------------------- */

/* window.chat[key] = value ("received" values are appended to a list), a console line and a line
   on the page. */
EM_JS(void, publish, (const char *key, const char *value), {
    var chat = window.chat || (window.chat = { received: [] });
    var k = UTF8ToString(key), v = UTF8ToString(value);
    if (k === "received") chat.received.push(v); else chat[k] = v;
    var line = document.createElement("div");
    line.textContent = k + ": " + v;
    (document.getElementById("log") || document.body).appendChild(line);
    console.log("chat " + line.textContent);
});

/* Copies the page URL's parameter `name` into buf ("" when absent). */
EM_JS(void, url_param, (const char *name, char *buf, int cap), {
    stringToUTF8(new URLSearchParams(location.search).get(UTF8ToString(name)) || "", buf, cap);
});

/* ---- the peer, one per page: the other page's ------------------------------------------------ */

static emrtc_signal sig;
static emrtc_peer pc;
static emrtc_channel ch;
static int other_id;

static void on_description(emrtc_peer p, const char *type, const char *sdp, void *ud) {
    (void)ud;
    emrtc_peer_set_local_description(p, type, sdp);
    if (strcmp(type, "offer") == 0) emrtc_signal_send_offer(sig, other_id, sdp);
    else emrtc_signal_send_answer(sig, other_id, sdp);
}

static void on_candidate(emrtc_peer p, const char *media, int index, const char *name, void *ud) {
    (void)p, (void)ud;
    emrtc_signal_send_candidate(sig, other_id, media, index, name);
}

static void on_connection(emrtc_peer p, emrtc_connection_state state, void *ud) {
    static const char *names[] = {"new", "connecting", "connected", "disconnected", "failed", "closed"};
    (void)p, (void)ud;
    publish("connection", names[state]);
}

static void on_error(emrtc_peer p, emrtc_error err, const char *message, void *ud) {
    (void)p, (void)ud;
    char line[512];
    snprintf(line, sizeof line, "%s %s", emrtc_error_name(err), message);
    publish("error", line);
}

static void on_channel_state(emrtc_channel c, emrtc_channel_state state, void *ud) {
    (void)ud;
    publish("channel", state == EMRTC_CHANNEL_STATE_OPEN ? "open" : "not open");
    if (state == EMRTC_CHANNEL_STATE_OPEN) {
        char hello[64];
        snprintf(hello, sizeof hello, "hello from %d", emrtc_signal_get_id(sig));
        emrtc_channel_put_packet(c, hello, strlen(hello));
    }
}

/* ---- signaling ------------------------------------------------------------------------------ */

static void on_connected(emrtc_signal s, void *ud) {
    char lobby[128];
    (void)ud;
    url_param("lobby", lobby, sizeof lobby);
    emrtc_signal_join(s, lobby, true); /* "" creates a (mesh) lobby */
}

static void on_id(emrtc_signal s, int id, bool mesh, void *ud) {
    char text[16];
    (void)s, (void)mesh, (void)ud;
    snprintf(text, sizeof text, "%d", id);
    publish("id", text);
}

static void on_lobby(emrtc_signal s, const char *lobby, void *ud) {
    (void)s, (void)ud;
    publish("lobby", lobby);
}

/* The other page is in the lobby: a peer for it, with a negotiated channel (same id both sides). */
static void on_peer_connected(emrtc_signal s, int peer_id, void *ud) {
    (void)ud;
    if (pc.id) return; /* this example talks to one other page */
    other_id = peer_id;
    pc = emrtc_peer_create();
    emrtc_peer_set_callbacks(pc, &(emrtc_peer_callbacks){
        .session_description_created = on_description,
        .ice_candidate_created = on_candidate,
        .connection_state_changed = on_connection,
        .error = on_error,
    });
    emrtc_peer_create_data_channel(pc, "chat", &(emrtc_channel_options){.negotiated = true, .has_id = true, .id = 1}, &ch);
    emrtc_channel_set_write_mode(ch, EMRTC_WRITE_MODE_TEXT);
    emrtc_channel_set_callbacks(ch, &(emrtc_channel_callbacks){.state_changed = on_channel_state});
    if (emrtc_signal_get_id(s) > peer_id) emrtc_peer_create_offer(pc);
}

static void on_peer_disconnected(emrtc_signal s, int peer_id, void *ud) {
    (void)s, (void)ud;
    if (peer_id == other_id) publish("connection", "peer left");
}

static void on_offer(emrtc_signal s, int peer_id, const char *sdp, void *ud) {
    (void)s, (void)ud;
    if (peer_id == other_id) emrtc_peer_set_remote_description(pc, "offer", sdp);
}

static void on_answer(emrtc_signal s, int peer_id, const char *sdp, void *ud) {
    (void)s, (void)ud;
    if (peer_id == other_id) emrtc_peer_set_remote_description(pc, "answer", sdp);
}

static void on_remote_candidate(emrtc_signal s, int peer_id, const char *mid, int index, const char *sdp, void *ud) {
    (void)s, (void)ud;
    if (peer_id == other_id) emrtc_peer_add_ice_candidate(pc, mid, index, sdp);
}

static void on_closed(emrtc_signal s, int code, const char *reason, void *ud) {
    char line[256];
    (void)s, (void)ud;
    snprintf(line, sizeof line, "closed %d %s", code, reason);
    publish("signal", line);
}

static void on_signal_error(emrtc_signal s, emrtc_error err, const char *message, void *ud) {
    (void)s;
    on_error(pc, err, message, ud);
}

/* ---- main loop ------------------------------------------------------------------------------ */

static void frame(void) {
    emrtc_signal_poll(sig);
    if (!pc.id) return;
    emrtc_peer_poll(pc); /* runs the callbacks; also polls ch */
    const uint8_t *data;
    size_t size;
    char text[1024];
    while (emrtc_channel_get_packet(ch, &data, &size) == EMRTC_OK) {
        snprintf(text, sizeof text, "%.*s", (int)size, (const char *)data);
        publish("received", text);
    }
}

int main(void) {
    char url[EMRTC_SIGNAL_MAX_URL_BYTES];
    url_param("signal", url, sizeof url);
    sig = emrtc_signal_create(&(emrtc_signal_desc){
        .url = url,
        .callbacks = {
            .connected = on_connected,
            .id_assigned = on_id,
            .lobby_joined = on_lobby,
            .peer_connected = on_peer_connected,
            .peer_disconnected = on_peer_disconnected,
            .offer_received = on_offer,
            .answer_received = on_answer,
            .candidate_received = on_remote_candidate,
            .closed = on_closed,
            .error = on_signal_error,
        },
    });
    if (!sig.id) publish("error", emrtc_last_error_message());
    emscripten_set_main_loop(frame, 0, 0);
    return 0;
}
