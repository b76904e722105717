/* The native tests' two-peer wiring (see pair.h). */
#include "pair.h"

#include <stdio.h>
#include <string.h>

static tp_side *other(tp_side *me) { return me == &me->pair->a ? &me->pair->b : &me->pair->a; }

static void push(int *log, int *n, int v) {
    if (*n < TP_LOG) log[(*n)++] = v;
}

static void on_description(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    tp_side *me = ud;
    me->descriptions++;
    snprintf(me->last_sdp, sizeof me->last_sdp, "%s", sdp);
    emrtc_peer_set_local_description(pc, type, sdp);
    if (me->pair->forward) emrtc_peer_set_remote_description(other(me)->pc, type, sdp);
}

static void on_candidate(emrtc_peer pc, const char *media, int index, const char *name, void *ud) {
    tp_side *me = ud;
    (void)pc;
    if (name[0]) {
        me->candidates++;
        snprintf(me->last_candidate, sizeof me->last_candidate, "%s", name);
    } else {
        me->end_of_candidates++;
    }
    if (me->pair->forward) emrtc_peer_add_ice_candidate(other(me)->pc, media, index, name);
}

static void on_channel(emrtc_peer pc, emrtc_channel ch, void *ud) {
    tp_side *me = ud;
    (void)pc;
    if (me->nreceived < 8) me->received[me->nreceived++] = ch;
}

static void on_conn(emrtc_peer pc, emrtc_connection_state st, void *ud) {
    (void)pc;
    push(((tp_side *)ud)->conn, &((tp_side *)ud)->nconn, (int)st);
}

static void on_gather(emrtc_peer pc, emrtc_gathering_state st, void *ud) {
    (void)pc;
    push(((tp_side *)ud)->gather, &((tp_side *)ud)->ngather, (int)st);
}

static void on_sig(emrtc_peer pc, emrtc_signaling_state st, void *ud) {
    (void)pc;
    push(((tp_side *)ud)->sig, &((tp_side *)ud)->nsig, (int)st);
}

static void on_error(emrtc_peer pc, emrtc_error err, const char *message, void *ud) {
    tp_side *me = ud;
    (void)pc;
    me->errors++;
    me->last_error = err;
    snprintf(me->last_error_message, sizeof me->last_error_message, "%s", message);
}

void tp_init(tp_pair *p) {
    memset(p, 0, sizeof(*p));
    p->forward = true;
    tp_side *sides[2] = {&p->a, &p->b};
    for (int i = 0; i < 2; i++) {
        tp_side *s = sides[i];
        s->pair = p;
        s->pc = emrtc_peer_create();
        emrtc_peer_callbacks cb = {.session_description_created = on_description,
                                   .ice_candidate_created = on_candidate,
                                   .data_channel_received = on_channel,
                                   .connection_state_changed = on_conn,
                                   .gathering_state_changed = on_gather,
                                   .signaling_state_changed = on_sig,
                                   .error = on_error,
                                   .user_data = s};
        emrtc_peer_set_callbacks(s->pc, &cb);
    }
}

void tp_destroy(tp_pair *p) {
    emrtc_peer_destroy(p->a.pc);
    emrtc_peer_destroy(p->b.pc);
    p->a.pc.id = p->b.pc.id = 0;
}

void tp_poll(tp_pair *p, int rounds) {
    for (int i = 0; i < rounds; i++) {
        emrtc_peer_poll(p->a.pc);
        emrtc_peer_poll(p->b.pc);
    }
}

bool tp_connect(tp_pair *p) {
    if (emrtc_peer_create_offer(p->a.pc) != EMRTC_OK) return false;
    for (int i = 0; i < 50; i++) {
        tp_poll(p, 1);
        if (emrtc_peer_get_connection_state(p->a.pc) == EMRTC_STATE_CONNECTED &&
            emrtc_peer_get_connection_state(p->b.pc) == EMRTC_STATE_CONNECTED)
            return true;
    }
    return false;
}

static void on_channel_state(emrtc_channel ch, emrtc_channel_state st, void *ud) {
    (void)ch;
    push(((tp_chlog *)ud)->states, &((tp_chlog *)ud)->n, (int)st);
}

static void on_low(emrtc_channel ch, void *ud) {
    (void)ch;
    ((tp_chlog *)ud)->low++;
}

void tp_watch(emrtc_channel ch, tp_chlog *log) {
    emrtc_channel_callbacks cb = {on_channel_state, on_low, log};
    emrtc_channel_set_callbacks(ch, &cb);
}
