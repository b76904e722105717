/* game.c -- a small real-time multiplayer game on emrtc, written as an example to read.

   Every player is a coloured square, moved with the arrow keys (or WASD). Players meet in a lobby
   of a signaling server and connect to each other directly (a mesh of WebRTC connections):

     - positions go out 20 times a second on the UNRELIABLE channel (a late position is useless:
       never resent), and each page draws the others 100 ms in the past, interpolating between the
       two positions around that moment, so that movement looks smooth whatever the jitter;
     - chat lines go on the RELIABLE channel (ordered, never lost);
     - each player's ping is the browser's own figure: once a second we ask for the stats of the
       connection to each player (emrtc_multiplayer_get_peer_stats) and show the RTT of the
       selected candidate pair (the `peer_stats` callback). Chromium gives it in whole
       milliseconds, so two pages on one machine read 0-1 ms. Until the stats have an RTT (no STUN
       response yet) we show the game's own round trip: a ping on the reliable channel carrying
       our clock, answered by a pong with the same bytes (so it includes both pages' frame time);
     - the lobby's host (id 1, connected to everyone) gives each newcomer a colour no one else has.

   Layers used: emrtc_session.h (lobby + connections, as Godot's demo client),
   emrtc_multiplayer.h (one packet API over all connections, Godot's WebRTCMultiplayerPeer) and
   emrtc_background.h (the network keeps going while the tab is hidden).

   The page (index.html) passes the URL's parameters: `signal` (the signaling server's ws:// URL;
   default: /signal on the page's own host) and `lobby` (absent: create a lobby). What the game
   shows is also published on window.game for tests: { id, lobby, players: {ID: {x, y, color,
   ping (shown), statsPing, statsResponses, gamePing, me}}, chat: ["ID: text", ...], status, frames
   (drawn so far) }. */
#include <emrtc.h>
#include <emrtc_background.h>
#include <emrtc_multiplayer.h>
#include <emrtc_session.h>
#include <emscripten.h>
#include <emscripten/html5.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define WORLD_W 640
#define WORLD_H 400
#define SIZE 24                /* a player's square, pixels */
#define SPEED 180.0            /* pixels per second */
#define SEND_PERIOD_MS 50.0    /* 20 positions a second */
#define PING_PERIOD_MS 1000.0
#define INTERP_DELAY_MS 100.0  /* draw the others this far in the past */
#define MAX_PLAYERS 16
#define HISTORY 16             /* positions kept per remote player (0.8 s at 20 Hz) */

/* ---- the page: drawing and what it publishes (JavaScript, compiled into this program) ------- */

EM_JS(void, page_begin_frame, (void), {
    var c = document.getElementById("world").getContext("2d");
    c.fillStyle = "#f4f1ea"; c.fillRect(0, 0, c.canvas.width, c.canvas.height);
    c.fillStyle = "#e6e1d6"; /* a grid every 40 px */
    for (var g = 40; g < c.canvas.width; g += 40) c.fillRect(g, 0, 1, c.canvas.height);
    for (var g = 40; g < c.canvas.height; g += 40) c.fillRect(0, g, c.canvas.width, 1);
    window.game = window.game || { players: {}, chat: [] };
    window.game.players = {};
    window.game.frames = (window.game.frames || 0) + 1;
});
/* Draws one player, and publishes it in window.game.players. ping: what is shown (-1: none yet);
   stats_ping, responses: the stats' RTT and its STUN responses; game_ping: our own round trip. */
EM_JS(void, page_draw_player, (int id, int x, int y, const char *color, double ping, double stats_ping,
                               double responses, double game_ping, bool me), {
    var c = document.getElementById("world").getContext("2d"), col = UTF8ToString(color);
    c.fillStyle = col; c.fillRect(x, y, 24, 24); /* SIZE */
    c.fillStyle = "#333"; c.font = "12px sans-serif"; c.textAlign = "center";
    c.fillText(me ? "you" : (ping >= 0 ? "ping " + Math.round(ping) + " ms" : "ping \u2014"), x + 12, y > 20 ? y - 5 : y + 38);
    window.game.players[id] = { x: x, y: y, color: col, ping: ping >= 0 ? ping : null, statsPing: stats_ping,
                                statsResponses: responses, gamePing: game_ping >= 0 ? game_ping : null, me: !!me };
});
/* key = "id", "lobby", "status": a value of window.game; "chat": one more line of the chat. */
EM_JS(void, page_publish, (const char *key, const char *value), {
    var k = UTF8ToString(key), v = UTF8ToString(value);
    window.game = window.game || { players: {}, chat: [] };
    if (k === "chat") window.game.chat.push(v); else window.game[k] = v;
    if (window.onGameUpdate) window.onGameUpdate(k, v);
});
/* Copies the next line typed into the chat box (queued by the page) into buf; false if none. */
EM_JS(bool, page_take_chat_line, (char *buf, int cap), {
    var line = (window.chatOutbox || []).shift();
    if (line === undefined) return false;
    stringToUTF8(line, buf, cap);
    return true;
});
/* The URL parameter `name`, or `fallback` ("" = none) when it is absent. */
EM_JS(void, page_param, (const char *name, char *buf, int cap), {
    var v = new URLSearchParams(location.search).get(UTF8ToString(name));
    if (v === null && UTF8ToString(name) === "signal")
        v = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/signal";
    stringToUTF8(v || "", buf, cap);
});

/* ---- the players ---------------------------------------------------------------------------- */

typedef struct { double t; float x, y; } sample; /* a position, and when it arrived (our clock) */
typedef struct {
    int id;                 /* peer id (1 = the lobby's host); 0 = free slot */
    float x, y;             /* our own: the truth; the others': where they are drawn */
    sample history[HISTORY]; /* the others: the latest positions received, a ring */
    int count, next;
    uint32_t last_seq;      /* newest position received (older ones arriving late are ignored) */
    int color;              /* index in COLORS, -1 until the host has given one */
    double ping_ms;         /* our own round trip to this player (ping/pong), -1 until measured */
    double stats_rtt_ms;    /* the browser's: the selected pair's RTT, from the last stats */
    double stats_responses; /* STUN responses behind it (0: no RTT yet) */
} player;

static player players[MAX_PLAYERS];
static emrtc_session session;
static emrtc_multiplayer mp;
static int my_id;
static bool keys[4];        /* left, right, up, down */
static uint32_t send_seq;
static double next_send_ms, next_ping_ms, next_stats_ms, last_frame_ms;

static player *find(int id) {
    for (int i = 0; i < MAX_PLAYERS; i++) if (players[i].id == id) return &players[i];
    return NULL;
}
static player *add(int id) {
    player *p = find(id);
    for (int i = 0; !p && i < MAX_PLAYERS; i++) if (!players[i].id) p = &players[i];
    if (p && p->id != id) *p = (player){.id = id, .ping_ms = -1, .x = -1, .color = -1};
    return p;
}
static const char *COLORS[] = {"#e4572e", "#2e86ab", "#3bb273", "#f3a712", "#7768ae", "#d1495b", "#00a6a6", "#8c6d46"};
#define NCOLORS (int)(sizeof COLORS / sizeof COLORS[0])
/* The host's choice for a newcomer: the first colour nobody has (past NCOLORS players: any). */
static int free_color(int newcomer) {
    for (int c = 0; c < NCOLORS; c++) {
        bool used = false;
        for (int i = 0; i < MAX_PLAYERS; i++) used |= players[i].id && players[i].color == c;
        if (!used) return c;
    }
    return newcomer % NCOLORS;
}

/* ---- messages: the first byte says which ---------------------------------------------------- */

/* POS: u8 type, u32 seq, f32 x, f32 y, u8 colour (13+1 bytes, little-endian, copied field by field);
   CHAT: type, UTF-8 text; PING/PONG: type, f64 the pinger's clock; COLOR: type, u8 (host only). */
enum { MSG_POS = 1, MSG_CHAT = 2, MSG_PING = 3, MSG_PONG = 4, MSG_COLOR = 5 };

static void send_to(int target, emrtc_transfer_mode mode, const void *data, size_t size) {
    emrtc_multiplayer_set_target_peer(mp, target);
    emrtc_multiplayer_set_transfer_mode(mp, mode);
    emrtc_multiplayer_put_packet(mp, data, size); /* a full queue (BUSY) drops it: the next one follows */
}
static void send_position(const player *me) {
    uint8_t b[14] = {MSG_POS};
    uint32_t seq = ++send_seq;
    memcpy(b + 1, &seq, 4), memcpy(b + 5, &me->x, 4), memcpy(b + 9, &me->y, 4), b[13] = (uint8_t)me->color;
    send_to(EMRTC_TARGET_PEER_BROADCAST, EMRTC_TRANSFER_MODE_UNRELIABLE, b, sizeof b);
}

static void receive(double now) {
    const uint8_t *d;
    size_t n;
    char line[320];
    while (emrtc_multiplayer_get_available_packet_count(mp) > 0) {
        int from = emrtc_multiplayer_get_packet_peer(mp); /* Godot's order: ask who, then get */
        if (emrtc_multiplayer_get_packet(mp, &d, &n) != EMRTC_OK || n == 0) continue;
        player *p = find(from);
        if (!p) continue;
        if (d[0] == MSG_POS && n == 14) {
            uint32_t seq;
            memcpy(&seq, d + 1, 4);
            if (seq <= p->last_seq) continue; /* unreliable: may arrive late or out of order */
            p->last_seq = seq;
            if (d[13] < NCOLORS) p->color = d[13]; /* 255: the host has not given it one yet */
            sample *s = &p->history[p->next];
            s->t = now, memcpy(&s->x, d + 5, 4), memcpy(&s->y, d + 9, 4);
            p->next = (p->next + 1) % HISTORY;
            if (p->count < HISTORY) p->count++;
        } else if (d[0] == MSG_CHAT) {
            snprintf(line, sizeof line, "%d: %.*s", from, (int)(n - 1), (const char *)d + 1);
            page_publish("chat", line);
        } else if (d[0] == MSG_PING && n == 9) {
            uint8_t pong[9] = {MSG_PONG};
            memcpy(pong + 1, d + 1, 8);
            send_to(from, EMRTC_TRANSFER_MODE_RELIABLE, pong, sizeof pong);
        } else if (d[0] == MSG_PONG && n == 9) {
            double sent;
            memcpy(&sent, d + 1, 8);
            p->ping_ms = now - sent;
        } else if (d[0] == MSG_COLOR && n == 2 && from == 1 && d[1] < NCOLORS) {
            player *me = find(my_id);
            if (me) me->color = d[1];
        }
    }
}

/* Where a remote player is drawn at time t: between the two positions that arrived around t. */
static void interpolate(player *p, double t) {
    if (p->count == 0) return;
    const sample *newest = &p->history[(p->next + HISTORY - 1) % HISTORY];
    p->x = newest->x, p->y = newest->y; /* t after the newest position: stay there */
    for (int i = 1; i < p->count; i++) {
        const sample *b = &p->history[(p->next + HISTORY - i) % HISTORY];
        const sample *a = &p->history[(p->next + HISTORY - i - 1) % HISTORY];
        if (a->t <= t && t < b->t) {
            float f = (float)((t - a->t) / (b->t - a->t));
            p->x = a->x + (b->x - a->x) * f, p->y = a->y + (b->y - a->y) * f;
            return;
        }
        if (i == p->count - 1 && t < a->t) p->x = a->x, p->y = a->y; /* older than all we have */
    }
}

/* ---- session callbacks: the lobby and the players in it ------------------------------------- */

static void on_id(emrtc_session s, int id, bool mesh, void *ud) {
    char text[16];
    (void)s, (void)mesh, (void)ud;
    my_id = id;
    player *me = add(id);
    me->x = 40 + (float)(id % 9) * 60, me->y = 40 + (float)(id % 5) * 60; /* same start on every page */
    if (id == 1) me->color = 0; /* the host; the others get theirs from it */
    snprintf(text, sizeof text, "%d", id);
    page_publish("id", text);
}
static void on_lobby(emrtc_session s, const char *lobby, void *ud) {
    (void)s, (void)ud;
    page_publish("lobby", lobby); /* the page turns it into the join link */
    page_publish("status", "in the lobby");
}
static void on_join(emrtc_session s, int id, void *ud) {
    (void)s, (void)ud;
    player *p = add(id);
    if (my_id == 1 && p) { /* the host gives the newcomer its colour */
        p->color = free_color(id);
        uint8_t msg[2] = {MSG_COLOR, (uint8_t)p->color};
        send_to(id, EMRTC_TRANSFER_MODE_RELIABLE, msg, sizeof msg);
    }
    next_send_ms = next_ping_ms = next_stats_ms = 0; /* tell the newcomer where we are, and measure its ping, now */
}
/* The answer to emrtc_multiplayer_get_peer_stats: keep that player's RTT. */
static void on_peer_stats(emrtc_session s, int id, const emrtc_peer_stats *stats, void *ud) {
    player *p = find(id);
    (void)s, (void)ud;
    if (p) p->stats_rtt_ms = stats->current_round_trip_time_ms, p->stats_responses = (double)stats->responses_received;
}
static void on_leave(emrtc_session s, int id, void *ud) {
    player *p = find(id);
    (void)s, (void)ud;
    if (p) p->id = 0;
}
static void on_closed(emrtc_session s, int code, const char *reason, bool sealed, void *ud) {
    char text[160];
    (void)s, (void)ud;
    snprintf(text, sizeof text, "signaling closed %d %s%s", code, reason, sealed ? " (sealed)" : "");
    page_publish("status", text);
}
static void on_error(emrtc_session s, int peer, emrtc_error err, const char *message, void *ud) {
    char text[320];
    (void)s, (void)ud;
    snprintf(text, sizeof text, "error (peer %d) %s: %s", peer, emrtc_error_name(err), message);
    page_publish("status", text);
}

/* ---- the loop ------------------------------------------------------------------------------- */

/* Networking: everything but drawing. */
static void network(double now) {
    emrtc_session_poll(session); /* signaling, connections, and the callbacks above */
    receive(now);
    player *me = find(my_id);
    if (!me) return;
    if (now >= next_send_ms) {
        send_position(me);
        next_send_ms += SEND_PERIOD_MS; /* a fixed rate, whatever the frame rate */
        if (next_send_ms < now) next_send_ms = now + SEND_PERIOD_MS; /* after a pause: no burst */
    }
    if (now >= next_ping_ms) {
        uint8_t ping[9] = {MSG_PING};
        memcpy(ping + 1, &now, 8);
        send_to(EMRTC_TARGET_PEER_BROADCAST, EMRTC_TRANSFER_MODE_RELIABLE, ping, sizeof ping);
        next_ping_ms = now + PING_PERIOD_MS;
    }
    if (now >= next_stats_ms) { /* the browser's RTT of each player: answers reach on_peer_stats */
        for (int i = 0; i < MAX_PLAYERS; i++)
            if (players[i].id && players[i].id != my_id) emrtc_multiplayer_get_peer_stats(mp, players[i].id);
        next_stats_ms = now + PING_PERIOD_MS; /* BUSY (the last answer not in yet): next second */
    }
    char text[256], line[300];
    while (page_take_chat_line(text, sizeof text)) {
        uint8_t msg[257] = {MSG_CHAT};
        size_t n = strlen(text);
        memcpy(msg + 1, text, n);
        send_to(EMRTC_TARGET_PEER_BROADCAST, EMRTC_TRANSFER_MODE_RELIABLE, msg, n + 1);
        snprintf(line, sizeof line, "%d: %s", my_id, text);
        page_publish("chat", line);
    }
}

/* A hidden tab gets no frames: this timer (emrtc_background.h: 20 times a second, only while the tab
   is hidden) keeps the network going, so the others still see us and get their pings answered. */
static void hidden_tick(void *ud) {
    (void)ud;
    network(emscripten_get_now());
}

static void frame(void) {
    double now = emscripten_get_now(), dt = last_frame_ms ? fmin(now - last_frame_ms, 100) / 1000.0 : 0;
    last_frame_ms = now;
    player *me = find(my_id);
    if (me) { /* move: our own square answers the keys at once */
        me->x = (float)fmin(fmax(me->x + (keys[1] - keys[0]) * SPEED * dt, 0), WORLD_W - SIZE);
        me->y = (float)fmin(fmax(me->y + (keys[3] - keys[2]) * SPEED * dt, 0), WORLD_H - SIZE);
    }
    network(now);
    page_begin_frame();
    for (int i = 0; i < MAX_PLAYERS; i++) {
        player *p = &players[i];
        if (!p->id) continue;
        if (p->id != my_id) interpolate(p, now - INTERP_DELAY_MS);
        if (p->x < 0 || p->color < 0) continue; /* no position, or no colour, yet */
        double ping = p->stats_responses > 0 ? p->stats_rtt_ms : p->ping_ms; /* stats first */
        page_draw_player(p->id, (int)lround(p->x), (int)lround(p->y), COLORS[p->color], ping, p->stats_rtt_ms,
                         p->stats_responses, p->ping_ms, p->id == my_id);
    }
}

static EM_BOOL on_key(int type, const EmscriptenKeyboardEvent *e, void *ud) {
    static const char *names[4][2] = {{"ArrowLeft", "KeyA"}, {"ArrowRight", "KeyD"}, {"ArrowUp", "KeyW"}, {"ArrowDown", "KeyS"}};
    (void)ud;
    for (int k = 0; k < 4; k++)
        if (!strcmp(e->code, names[k][0]) || !strcmp(e->code, names[k][1])) {
            keys[k] = type == EMSCRIPTEN_EVENT_KEYDOWN;
            return true; /* handled: no page scrolling */
        }
    return false;
}

int main(void) {
    char url[EMRTC_SIGNAL_MAX_URL_BYTES], lobby[128];
    page_param("signal", url, sizeof url);
    page_param("lobby", lobby, sizeof lobby);
    session = emrtc_session_create(&(emrtc_session_desc){
        .url = url,
        .lobby = lobby, /* "" creates a lobby: we are its host */
        .callbacks = {.id_assigned = on_id, .lobby_joined = on_lobby, .peer_connected = on_join,
                      .peer_disconnected = on_leave, .peer_stats = on_peer_stats, .lobby_closed = on_closed, .error = on_error},
    });
    if (!session.id) page_publish("status", emrtc_last_error_message());
    mp = emrtc_session_get_multiplayer(session);
    page_publish("status", lobby[0] ? "joining the lobby" : "creating a lobby");
    emscripten_set_keydown_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, NULL, false, on_key);
    emscripten_set_keyup_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, NULL, false, on_key);
    emrtc_background_start(&(emrtc_background_desc){.tick = hidden_tick});
    emscripten_set_main_loop(frame, 0, false);
    return 0;
}
