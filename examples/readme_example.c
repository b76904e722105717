#include <emrtc.h>
#include <emscripten.h>
#include <stdio.h>

static emrtc_peer a, b;      /* two peers in one page: a real game sends through a signaling server */
static emrtc_channel ch, got; /* A's channel, and the one B receives */
static bool sent;

static emrtc_peer other(emrtc_peer pc) { return pc.id == a.id ? b : a; }
static void on_sdp(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    emrtc_peer_set_local_description(pc, type, sdp);
    emrtc_peer_set_remote_description(other(pc), type, sdp);
}
static void on_ice(emrtc_peer pc, const char *mid, int index, const char *cand, void *ud) {
    emrtc_peer_add_ice_candidate(other(pc), mid, index, cand);
}
static void on_channel(emrtc_peer pc, emrtc_channel c, void *ud) { got = c; }

static void frame(void) {
    emrtc_peer_poll(a); /* callbacks run here, and only here */
    emrtc_peer_poll(b);
    const uint8_t *data; size_t size;
    while (emrtc_channel_get_packet(got, &data, &size) == EMRTC_OK) printf("B got %.*s\n", (int)size, data);
    if (!sent && emrtc_channel_get_ready_state(ch) == EMRTC_CHANNEL_STATE_OPEN)
        sent = emrtc_channel_put_packet(ch, "hello", 5) == EMRTC_OK;
}

int main(void) {
    emrtc_peer_callbacks cb = {.session_description_created = on_sdp, .ice_candidate_created = on_ice,
                               .data_channel_received = on_channel};
    a = emrtc_peer_create(), b = emrtc_peer_create();
    emrtc_peer_set_callbacks(a, &cb), emrtc_peer_set_callbacks(b, &cb);
    emrtc_peer_create_data_channel(a, "game", NULL, &ch);
    emrtc_peer_create_offer(a);
    emscripten_set_main_loop(frame, 0, 0);
}
