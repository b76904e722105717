/* The npm start demo: two peers in one tab connect through emrtc and exchange messages.
   Peer A offers, peer B answers; descriptions and candidates go straight from one to the other
   (in a real game they would travel through the signaling server). Every frame both peers are
   polled; A sends a numbered message per second, B answers each, and the page shows both sides. */
#include <emrtc.h>
#include <emscripten.h>
#include <stdio.h>
#include <string.h>

static emrtc_peer a, b;
static emrtc_channel ca, cb; /* A's channel and the one B receives */
static double last_send;
static int sent;

static emrtc_peer other(emrtc_peer pc) { return pc.id == a.id ? b : a; }
static const char *name(emrtc_peer pc) { return pc.id == a.id ? "A" : "B"; }

EM_JS(void, show, (const char *who, const char *line), {
    var el = document.getElementById("log");
    var div = document.createElement("div");
    div.textContent = UTF8ToString(who) + ": " + UTF8ToString(line);
    if (el) el.appendChild(div);
    console.log(div.textContent);
});

static void on_description(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    (void)ud;
    emrtc_peer_set_local_description(pc, type, sdp);
    emrtc_peer_set_remote_description(other(pc), type, sdp);
}

static void on_candidate(emrtc_peer pc, const char *media, int index, const char *cand, void *ud) {
    (void)ud;
    emrtc_peer_add_ice_candidate(other(pc), media, index, cand);
}

static void on_channel(emrtc_peer pc, emrtc_channel ch, void *ud) {
    (void)pc, (void)ud;
    cb = ch;
    emrtc_channel_set_write_mode(cb, EMRTC_WRITE_MODE_TEXT);
    show("B", "received channel");
}

static void on_state(emrtc_peer pc, emrtc_connection_state s, void *ud) {
    static const char *names[] = {"new", "connecting", "connected", "disconnected", "failed", "closed"};
    (void)ud;
    char line[64];
    snprintf(line, sizeof line, "connection %s", names[s]);
    show(name(pc), line);
}

static void drain(emrtc_channel ch, const char *who, bool reply) {
    const uint8_t *data;
    size_t size;
    while (emrtc_channel_get_packet(ch, &data, &size) == EMRTC_OK) {
        char line[256];
        snprintf(line, sizeof line, "got \"%.*s\"", (int)size, (const char *)data);
        show(who, line);
        if (reply) {
            snprintf(line, sizeof line, "pong for %.*s", (int)size, (const char *)data);
            emrtc_channel_put_packet(ch, line, strlen(line));
        }
    }
}

static void frame(void) {
    emrtc_peer_poll(a);
    emrtc_peer_poll(b);
    drain(ca, "A", false);
    if (cb.id) drain(cb, "B", true);
    double now = emscripten_get_now();
    if (emrtc_channel_get_ready_state(ca) == EMRTC_CHANNEL_STATE_OPEN && now - last_send > 1000 && sent < 10) {
        char msg[64];
        snprintf(msg, sizeof msg, "ping %d", ++sent);
        emrtc_channel_put_packet(ca, msg, strlen(msg));
        last_send = now;
    }
}

int main(void) {
    emrtc_peer_callbacks cbs = {
        .session_description_created = on_description,
        .ice_candidate_created = on_candidate,
        .data_channel_received = on_channel,
        .connection_state_changed = on_state,
    };
    a = emrtc_peer_create();
    b = emrtc_peer_create();
    emrtc_peer_set_callbacks(a, &cbs);
    emrtc_peer_set_callbacks(b, &cbs);
    emrtc_peer_create_data_channel(a, "chat", NULL, &ca);
    emrtc_channel_set_write_mode(ca, EMRTC_WRITE_MODE_TEXT);
    emrtc_peer_create_offer(a);
    emscripten_set_main_loop(frame, 0, 0);
    return 0;
}
