/* A native unit test of netcode: gcc, no browser. The loopback backend connects two peers in one
   process through the same calls, callbacks and poll() as in the browser. */
#include <assert.h>
#include <emrtc.h>
#include <string.h>

static emrtc_peer a, b;
static emrtc_channel from_a;
static emrtc_peer other(emrtc_peer pc) { return pc.id == a.id ? b : a; }
static void on_sdp(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    emrtc_peer_set_local_description(pc, type, sdp);
    emrtc_peer_set_remote_description(other(pc), type, sdp);
}
static void on_ice(emrtc_peer pc, const char *mid, int index, const char *cand, void *ud) {
    emrtc_peer_add_ice_candidate(other(pc), mid, index, cand);
}
static void on_channel(emrtc_peer pc, emrtc_channel ch, void *ud) { from_a = ch; }

int main(void) {
    emrtc_peer_callbacks cb = {.session_description_created = on_sdp, .ice_candidate_created = on_ice,
                               .data_channel_received = on_channel};
    a = emrtc_peer_create(), b = emrtc_peer_create();
    emrtc_peer_set_callbacks(a, &cb), emrtc_peer_set_callbacks(b, &cb);
    emrtc_channel ch;
    emrtc_peer_create_data_channel(a, "game", NULL, &ch);
    emrtc_peer_create_offer(a);
    for (int i = 0; i < 100 && (emrtc_channel_get_ready_state(ch) != EMRTC_CHANNEL_STATE_OPEN || !from_a.id); i++)
        emrtc_peer_poll(a), emrtc_peer_poll(b);
    assert(emrtc_channel_put_packet(ch, "move 3 4", 8) == EMRTC_OK); /* your netcode's send */
    emrtc_peer_poll(a), emrtc_peer_poll(b);
    const uint8_t *data;
    size_t size;
    assert(emrtc_channel_get_packet(from_a, &data, &size) == EMRTC_OK); /* your netcode's receive */
    assert(size == 8 && memcmp(data, "move 3 4", 8) == 0);
    emrtc_peer_destroy(a), emrtc_peer_destroy(b);
    return 0;
}
