/* A channel handed to data_channel_received reports the state the backend gave it (a received
   channel is open at once in Chromium and in the loopback), and a send from inside the callback
   goes out. */
#include "helpers.h"

typedef struct received_ctx {
    scn_pair p;
    emrtc_peer_callbacks orig;
    emrtc_channel ca, cb;
    int calls;
    emrtc_channel_state state_in_callback;
    emrtc_error send_in_callback;
    char send_message[256];
} received_ctx;

static received_ctx *the_ctx;

static void send_on_receive(emrtc_peer pc, emrtc_channel ch, void *ud) {
    received_ctx *c = the_ctx;
    c->orig.data_channel_received(pc, ch, ud);
    c->calls++;
    c->state_in_callback = emrtc_channel_get_ready_state(ch);
    c->send_in_callback = emrtc_channel_put_packet(ch, "hello from the callback", 23);
    snprintf(c->send_message, sizeof c->send_message, "%s", emrtc_last_error_message());
}

SCENARIO(received_channel_state, received_ctx) {
    SCN_BEGIN();
    the_ctx = c;
    scn_pair_create(s, &c->p, NULL);
    c->orig = scn_side_callbacks(&c->p.b);
    {
        emrtc_peer_callbacks cb = c->orig;
        cb.data_channel_received = send_on_receive;
        CHECK_OK(emrtc_peer_set_callbacks(c->p.b.pc, &cb));
    }
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "early", NULL, &c->ca));
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(c->calls == 1, 10000);
    CHECK_INT(c->state_in_callback, EMRTC_CHANNEL_STATE_OPEN);
    scn_check(s, c->send_in_callback == EMRTC_OK, __FILE__, __LINE__, "put_packet in data_channel_received: %s (%s)",
              emrtc_error_name(c->send_in_callback), c->send_message);
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->ca) == 1, 10000);
    CHECK_PACKET(c->ca, "hello from the callback", 23, false);
    scn_pair_destroy(&c->p);
    SCN_END();
}
