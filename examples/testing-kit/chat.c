/* chat.c -- the testing kit's example program: two browser pages, one emrtc peer each, meet in a
   lobby of the emrtc-signal server and say hello over a data channel.

   Open  index.html?signal=ws://HOST:PORT             to create a lobby (its name is shown), then
         index.html?signal=ws://HOST:PORT&lobby=NAME  in another page to join it.
   What happens is published on window.chat for tests and shown on the page:
     window.chat = { id, lobby, connection, channel, received: ["hello from 1", ...] }

   Signaling speaks the protocol of Godot 4's webrtc_signaling demo, which emrtc-signal serves
   (JSON text frames {type, id, data}), with a few lines of EM_JS over the browser's WebSocket:
   JOIN a lobby, get our ID, PEER_CONNECT tells of the other page, then OFFER / ANSWER /
   CANDIDATE are relayed between the two. The page with the smaller id makes the offer. */
#include <emrtc.h>
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

/* ---- signaling: the emrtc-signal protocol over the browser's WebSocket ----------------------- */

enum { MSG_CLOSED = -1, MSG_JOIN = 0, MSG_ID = 1, MSG_PEER_CONNECT = 2, MSG_PEER_DISCONNECT = 3,
       MSG_OFFER = 4, MSG_ANSWER = 5, MSG_CANDIDATE = 6 };

/* Connects to ?signal= and, once open, joins the lobby ?lobby= (or creates a mesh lobby). Incoming
   messages wait in an inbox for signal_receive(); the socket closing arrives as MSG_CLOSED. */
EM_JS(void, signal_open, (void), {
    var params = new URLSearchParams(location.search);
    var inbox = [];
    var ws = new WebSocket(params.get("signal"));
    ws.onopen = function() { ws.send(JSON.stringify({ type: 0, id: 0, data: params.get("lobby") || "" })); };
    ws.onmessage = function(e) { inbox.push(JSON.parse(e.data)); };
    ws.onclose = function(e) { inbox.push({ type: -1, id: e.code, data: e.reason }); };
    Module.chatSignal = { ws: ws, inbox: inbox };
});

/* Takes the oldest message: 1 with its fields (data cut to cap bytes), 0 when there is none. */
EM_JS(int, signal_receive, (int *type, int *id, char *data, int cap), {
    var msg = Module.chatSignal.inbox.shift();
    if (!msg) return 0;
    HEAP32[type >> 2] = msg.type;
    HEAP32[id >> 2] = msg.id;
    stringToUTF8(msg.data, data, cap);
    return 1;
});

EM_JS(void, signal_send, (int type, int id, const char *data), {
    Module.chatSignal.ws.send(JSON.stringify({ type: type, id: id, data: UTF8ToString(data) }));
});

/* ---- the peer ------------------------------------------------------------------------------- */

static int my_id, other_id;
static emrtc_peer pc;
static emrtc_channel ch;
static char buf[65536]; /* the server's largest message */

static void on_description(emrtc_peer p, const char *type, const char *sdp, void *ud) {
    (void)ud;
    emrtc_peer_set_local_description(p, type, sdp);
    signal_send(strcmp(type, "offer") == 0 ? MSG_OFFER : MSG_ANSWER, other_id, sdp);
}

/* Candidates travel as "\n<media>\n<index>\n<name>", as in Godot's demo. */
static void on_candidate(emrtc_peer p, const char *media, int index, const char *name, void *ud) {
    (void)p, (void)ud;
    if (name[0] == '\0') return; /* end-of-candidates: the demo protocol has no message for it */
    char msg[2048];
    snprintf(msg, sizeof msg, "\n%s\n%d\n%s", media, index, name);
    signal_send(MSG_CANDIDATE, other_id, msg);
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
        snprintf(hello, sizeof hello, "hello from %d", my_id);
        emrtc_channel_put_packet(c, hello, strlen(hello));
    }
}

/* PEER_CONNECT: one peer for the other page, with a negotiated channel (same id on both sides). */
static void start_peer(int id) {
    other_id = id;
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
    if (my_id < other_id) emrtc_peer_create_offer(pc);
}

static void handle(int type, int id, const char *data) {
    char text[32];
    switch (type) {
    case MSG_ID: my_id = id; snprintf(text, sizeof text, "%d", id); publish("id", text); break;
    case MSG_JOIN: publish("lobby", data); break;
    case MSG_PEER_CONNECT: if (!pc.id) start_peer(id); break;
    case MSG_PEER_DISCONNECT: publish("connection", "peer left"); break;
    case MSG_OFFER: emrtc_peer_set_remote_description(pc, "offer", data); break;
    case MSG_ANSWER: emrtc_peer_set_remote_description(pc, "answer", data); break;
    case MSG_CANDIDATE: {
        char media[256];
        int index;
        const char *name = strchr(data + 1, '\n');
        if (name) name = strchr(name + 1, '\n');
        if (data[0] != '\n' || !name || sscanf(data + 1, "%255[^\n]\n%d", media, &index) != 2) {
            publish("error", "malformed candidate");
            break;
        }
        emrtc_peer_add_ice_candidate(pc, media, index, name + 1);
        break;
    }
    case MSG_CLOSED: snprintf(text, sizeof text, "closed %d", id); publish("signal", text); break;
    }
}

static void frame(void) {
    int type, id;
    while (signal_receive(&type, &id, buf, sizeof buf)) handle(type, id, buf);
    if (!pc.id) return;
    emrtc_peer_poll(pc); /* runs the callbacks; also polls ch */
    const uint8_t *data;
    size_t size;
    while (emrtc_channel_get_packet(ch, &data, &size) == EMRTC_OK) {
        snprintf(buf, sizeof buf, "%.*s", (int)size, (const char *)data);
        publish("received", buf);
    }
}

int main(void) {
    signal_open();
    emscripten_set_main_loop(frame, 0, 0);
    return 0;
}
