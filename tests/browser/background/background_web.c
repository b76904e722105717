/* A game in a background tab (tests/browser/background.test.js). Every page polls from an
   emscripten_set_main_loop frame (requestAnimationFrame: stops while the page is hidden) and from
   an emrtc_background timer (ticks only while hidden). The hidden page answers offers and reads a
   stream of numbered 16 KiB packets; the visible page makes the offers and sends the stream. The
   signaling goes through the test (window.bgOut out, bg_remote_* in). */
#include <emrtc.h>
#include <emrtc_background.h>
#include <emscripten.h>
#include <stdint.h>
#include <string.h>

#define MAX_LINKS 4
#define PACKET_SIZE 16384

typedef struct link_t {
    emrtc_peer pc;
    emrtc_channel ch;
    uint32_t next_seq; /* receiving: the sequence number expected next */
    uint32_t sent;     /* sending: packets accepted by put_packet */
} link_t;

static link_t links[MAX_LINKS];
static uint32_t frames, received, bad, send_errors, async_errors, backlog_errors;
static emrtc_background bg;
static uint8_t packet[PACKET_SIZE];

EM_JS(void, bg_out, (int link, const char *kind, const char *a, int index, const char *b), {
    window.bgOut(link, UTF8ToString(kind), UTF8ToString(a), index, UTF8ToString(b));
});

static int link_of(void *ud) { return (int)(intptr_t)ud; }

static void on_sdp(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    emrtc_peer_set_local_description(pc, type, sdp);
    bg_out(link_of(ud), "sdp", type, 0, sdp);
}
static void on_candidate(emrtc_peer pc, const char *media, int index, const char *name, void *ud) {
    (void)pc;
    bg_out(link_of(ud), "candidate", media, index, name);
}
static void on_channel(emrtc_peer pc, emrtc_channel ch, void *ud) {
    (void)pc;
    links[link_of(ud)].ch = ch;
}
static void on_error(emrtc_peer pc, emrtc_error err, const char *message, void *ud) {
    (void)pc, (void)message, (void)ud;
    if (err == EMRTC_ERR_OUT_OF_MEMORY) backlog_errors++; /* packets dropped at the backlog limit */
    else async_errors++;
}

static void peer_new(int i) {
    links[i].pc = emrtc_peer_create();
    emrtc_peer_set_callbacks(links[i].pc, &(emrtc_peer_callbacks){
        .session_description_created = on_sdp,
        .ice_candidate_created = on_candidate,
        .data_channel_received = on_channel,
        .error = on_error,
        .user_data = (void *)(intptr_t)i,
    });
}

static void fill(uint32_t seq) {
    memcpy(packet, &seq, 4);
    for (size_t k = 4; k < PACKET_SIZE; k++) packet[k] = (uint8_t)(seq * 31u + k);
}

/* Polls every link and reads what arrived, checking each packet is the next of its stream. */
static void poll_all(void) {
    for (int i = 0; i < MAX_LINKS; i++) {
        if (!links[i].pc.id) continue;
        emrtc_peer_poll(links[i].pc);
        const uint8_t *data;
        size_t size;
        while (links[i].ch.id && emrtc_channel_get_packet(links[i].ch, &data, &size) == EMRTC_OK) {
            uint32_t seq;
            memcpy(&seq, data, 4);
            fill(links[i].next_seq);
            if (size == PACKET_SIZE && seq == links[i].next_seq && memcmp(data, packet, size) == 0) received++;
            else bad++;
            links[i].next_seq = seq + 1;
        }
    }
}

static void frame(void) {
    frames++;
    poll_all();
}
static void tick(void *ud) {
    (void)ud;
    poll_all();
}

/* Starts the frame loop and the background timer. */
EMSCRIPTEN_KEEPALIVE void bg_start(void) {
    emscripten_set_main_loop(frame, 0, 0);
    bg = emrtc_background_start(&(emrtc_background_desc){.tick = tick});
}
/* Stops (0) or restarts (1) the background timer: without it a hidden page reads nothing. */
EMSCRIPTEN_KEEPALIVE void bg_timer(int on) {
    if (!on) {
        emrtc_background_stop(bg);
        bg = (emrtc_background){0};
    } else if (!bg.id) {
        bg = emrtc_background_start(&(emrtc_background_desc){.tick = tick});
    }
}
/* The visible side: link i offers, with one reliable channel. */
EMSCRIPTEN_KEEPALIVE void bg_offer(int i) {
    peer_new(i);
    emrtc_peer_create_data_channel(links[i].pc, "game", NULL, &links[i].ch);
    emrtc_peer_create_offer(links[i].pc);
}
EMSCRIPTEN_KEEPALIVE void bg_remote_sdp(int i, const char *type, const char *sdp) {
    if (!links[i].pc.id) peer_new(i); /* the hidden side: a new peer's offer */
    emrtc_peer_set_remote_description(links[i].pc, type, sdp);
}
EMSCRIPTEN_KEEPALIVE void bg_remote_candidate(int i, const char *media, int index, const char *name) {
    if (links[i].pc.id) emrtc_peer_add_ice_candidate(links[i].pc, media, index, name);
}
/* Sends the next packet of link i's stream. */
EMSCRIPTEN_KEEPALIVE void bg_send(int i) {
    fill(links[i].sent);
    if (emrtc_channel_put_packet(links[i].ch, packet, PACKET_SIZE) == EMRTC_OK) links[i].sent++;
    else send_errors++;
}

EMSCRIPTEN_KEEPALIVE uint32_t bg_frames(void) { return frames; }
EMSCRIPTEN_KEEPALIVE uint32_t bg_ticks(void) { return emrtc_background_get_tick_count(bg); }
EMSCRIPTEN_KEEPALIVE int bg_uses_worker(void) { return emrtc_background_uses_worker(bg); }
EMSCRIPTEN_KEEPALIVE uint32_t bg_received(void) { return received; }
EMSCRIPTEN_KEEPALIVE uint32_t bg_bad(void) { return bad; }
EMSCRIPTEN_KEEPALIVE uint32_t bg_sent(int i) { return links[i].sent; }
EMSCRIPTEN_KEEPALIVE uint32_t bg_send_errors(void) { return send_errors; }
EMSCRIPTEN_KEEPALIVE uint32_t bg_async_errors(void) { return async_errors; }
EMSCRIPTEN_KEEPALIVE int bg_connection_state(int i) { return emrtc_peer_get_connection_state(links[i].pc); }
EMSCRIPTEN_KEEPALIVE int bg_channel_state(int i) { return emrtc_channel_get_ready_state(links[i].ch); }
EMSCRIPTEN_KEEPALIVE int bg_unread(int i) { return emrtc_channel_get_available_packet_count(links[i].ch); }
EMSCRIPTEN_KEEPALIVE uint32_t bg_dropped(int i) { return (uint32_t)emrtc_channel_get_dropped_count(links[i].ch); }
EMSCRIPTEN_KEEPALIVE uint32_t bg_backlog_bytes(int i) { return (uint32_t)emrtc_channel_get_backlog_bytes(links[i].ch); }
EMSCRIPTEN_KEEPALIVE uint32_t bg_backlog_errors(void) { return backlog_errors; }
EMSCRIPTEN_KEEPALIVE uint32_t bg_max_backlog(void) { return EMRTC_DEFAULT_MAX_BACKLOG_BYTES; }
/* Packets held unread (arrived, made readable or not: nothing polls), from the backlog's bytes. */
EMSCRIPTEN_KEEPALIVE uint32_t bg_held(int i) {
    return (uint32_t)(emrtc_channel_get_backlog_bytes(links[i].ch) / (PACKET_SIZE + EMRTC_PACKET_OVERHEAD_BYTES));
}

int main(void) { return 0; }
