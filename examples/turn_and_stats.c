/* A connection that may only go through your TURN server (players' addresses stay hidden), a ping
   readout once a second from the stats, and an ICE restart when the network went away. Signaling is
   left out: send the descriptions and candidates as in the first example. */
#include <emrtc.h>
#include <emscripten.h>
#include <stdio.h>

static emrtc_peer pc;

static void on_stats(emrtc_peer p, const emrtc_peer_stats *st, void *ud) {
    (void)p, (void)ud;
    static const char *const types[] = {"?", "host", "srflx", "prflx", "relay"};
    printf("ping %.0f ms (mean %.1f over %llu checks), via %s %s:%u, %llu bytes out\n",
           st->current_round_trip_time_ms,
           st->responses_received ? st->total_round_trip_time_ms / (double)st->responses_received : 0.0,
           (unsigned long long)st->responses_received, types[st->local.type], st->remote.address,
           (unsigned)st->remote.port, (unsigned long long)st->bytes_sent);
}

static void on_state(emrtc_peer p, emrtc_connection_state state, void *ud) {
    (void)ud;
    /* the offering side restarts ICE; its new offer comes through session_description_created */
    if (state == EMRTC_STATE_FAILED) emrtc_peer_restart_ice(p);
}

static void on_error(emrtc_peer p, emrtc_error err, const char *message, void *ud) {
    (void)p, (void)ud;
    /* e.g. "gathering: no local candidate (...): turn:...: 401 Unauthorized." */
    printf("%s: %s\n", emrtc_error_name(err), message);
}

static void frame(void) {
    static int frames;
    emrtc_peer_poll(pc);
    if (++frames % 60 == 0) emrtc_peer_get_stats(pc); /* EMRTC_ERR_BUSY while one is under way */
}

int main(void) {
    static const emrtc_ice_server servers[] = {
        {.urls = {"turn:turn.example.org:3478?transport=udp", "turn:turn.example.org:3478?transport=tcp"},
         .username = "1767225600:player42", /* time-limited REST credentials (see the README) */
         .credential = "base64-hmac-from-your-server"},
    };
    pc = emrtc_peer_create();
    emrtc_peer_initialize(pc, &(emrtc_configuration){
                                  .ice_servers = servers,
                                  .ice_server_count = 1,
                                  .ice_transport_policy = EMRTC_ICE_TRANSPORT_POLICY_RELAY,
                              });
    emrtc_peer_set_callbacks(pc, &(emrtc_peer_callbacks){
                                     .connection_state_changed = on_state,
                                     .error = on_error,
                                     .stats = on_stats,
                                 });
    emscripten_set_main_loop(frame, 0, 0);
    return 0;
}
