/* The page program of the network tests (the Jest tests in tests/net): up to NP_SLOTS emrtc peers per page,
   driven from JS (window.np in net_peer.html). Each slot is one side of a connection whose other
   side is in another page; descriptions and candidates leave through window.npOut (the Jest test
   relays them) and come back through np_signal. Everything the callbacks say is recorded into
   window.npEvents with Date.now() (so two pages' times compare), stats into window.npStats.

   The offering side creates one reliable channel, "stream". While a slot streams, it sends a
   sequence-numbered packet (8 bytes: the number, little endian, then 4 filler bytes) every tick on
   that channel; the receiving side checks every packet is the next number: a gap or a duplicate is
   counted, never hidden. A send the browser refuses for its full queue (EMRTC_ERR_BUSY) is retried
   with the same number on the next tick. */
#include "seq.h"

#include <emrtc.h>
#include <emscripten.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NP_SLOTS 4

typedef struct np_slot {
    emrtc_peer pc;
    emrtc_channel ch;
    bool streaming;
    uint32_t next_send; /* sequence number of the next packet to send */
    seq_in in;
    uint32_t busy;
    uint64_t payload_sent, payload_received;
} np_slot;

static np_slot slots[NP_SLOTS];

EM_JS(void, np_out, (int slot, const char *kind, const char *a, int index, const char *b), {
    window.npOut(slot, UTF8ToString(kind), UTF8ToString(a), index, UTF8ToString(b));
});
EM_JS(void, np_event, (int slot, const char *kind, int value, const char *text), {
    window.npEvents.push({slot: slot, kind: UTF8ToString(kind), value: value, text: text ? UTF8ToString(text) : "",
                          at: Date.now()});
});
EM_JS(void, np_stats_out, (int slot, double rtt, double total, double responses,
                           double bytes_sent, double bytes_received, double packets_sent, double packets_received,
                           int ltype, int lproto, int lrelay, int lport, const char *laddr, int rtype, int rproto,
                           int rport, const char *raddr, double ch_msgs_sent, double ch_bytes_sent,
                           double ch_msgs_received, double ch_bytes_received), {
    window.npStats[slot] = {
        rtt: rtt, totalRtt: total, responses: responses, bytesSent: bytes_sent, bytesReceived: bytes_received,
        packetsSent: packets_sent, packetsReceived: packets_received,
        local: {type: ltype, protocol: lproto, relayProtocol: lrelay, port: lport, address: UTF8ToString(laddr)},
        remote: {type: rtype, protocol: rproto, port: rport, address: UTF8ToString(raddr)},
        channel: {messagesSent: ch_msgs_sent, bytesSent: ch_bytes_sent, messagesReceived: ch_msgs_received,
                  bytesReceived: ch_bytes_received},
        at: Date.now()};
    window.npStatsCount[slot] = (window.npStatsCount[slot] || 0) + 1;
});

static int slot_of(void *ud) { return (int)((np_slot *)ud - slots); }

static void on_description(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    emrtc_error err = emrtc_peer_set_local_description(pc, type, sdp);
    if (err) np_event(slot_of(ud), "local_description_refused", err, emrtc_last_error_message());
    np_event(slot_of(ud), "description", 0, type);
    np_out(slot_of(ud), "sdp", type, 0, sdp);
}

static void on_candidate(emrtc_peer pc, const char *media, int index, const char *name, void *ud) {
    (void)pc;
    np_event(slot_of(ud), name[0] ? "candidate" : "end_of_candidates", 0, name);
    np_out(slot_of(ud), "cand", media, index, name);
}

static void on_channel_state(emrtc_channel ch, emrtc_channel_state st, void *ud) {
    (void)ch;
    np_event(slot_of(ud), "channel_state", (int)st, NULL);
}

static void watch(np_slot *s, emrtc_channel ch) {
    s->ch = ch;
    emrtc_channel_set_callbacks(ch, &(emrtc_channel_callbacks){.state_changed = on_channel_state, .user_data = s});
}

static void on_data_channel(emrtc_peer pc, emrtc_channel ch, void *ud) {
    (void)pc;
    watch(ud, ch);
    np_event(slot_of(ud), "data_channel", 0, emrtc_channel_get_label(ch));
}

static void on_conn(emrtc_peer pc, emrtc_connection_state st, void *ud) {
    (void)pc;
    np_event(slot_of(ud), "connection_state", (int)st, NULL);
}

static void on_gather(emrtc_peer pc, emrtc_gathering_state st, void *ud) {
    (void)pc;
    np_event(slot_of(ud), "gathering_state", (int)st, NULL);
}

static void on_error(emrtc_peer pc, emrtc_error err, const char *message, void *ud) {
    (void)pc;
    np_event(slot_of(ud), "error", (int)err, message);
}

static void on_stats(emrtc_peer pc, const emrtc_peer_stats *st, void *ud) {
    np_slot *s = ud;
    emrtc_channel_stats cs = {0};
    (void)pc;
    emrtc_channel_get_stats(s->ch, &cs);
    np_stats_out(slot_of(ud), st->current_round_trip_time_ms, st->total_round_trip_time_ms,
                 (double)st->responses_received, (double)st->bytes_sent, (double)st->bytes_received,
                 (double)st->packets_sent, (double)st->packets_received, st->local.type, st->local.protocol,
                 st->local.relay_protocol, st->local.port, st->local.address, st->remote.type, st->remote.protocol,
                 st->remote.port, st->remote.address, (double)cs.messages_sent, (double)cs.bytes_sent,
                 (double)cs.messages_received, (double)cs.bytes_received);
}

static np_slot *slot_at(int i) { return i >= 0 && i < NP_SLOTS ? &slots[i] : NULL; }

/* Starts slot `i` afresh (destroying what it had): a peer with one ICE server `url` ("" = none) and
   the relay policy if `relay`; the offerer creates the channel and the offer. 0, or the error. */
EMSCRIPTEN_KEEPALIVE int np_start(int i, int offerer, const char *url, const char *user, const char *pass, int relay) {
    np_slot *s = slot_at(i);
    if (!s) return EMRTC_ERR_INVALID_PARAMETER;
    emrtc_peer_destroy(s->pc);
    memset(s, 0, sizeof *s);
    s->pc = emrtc_peer_create();
    if (!s->pc.id) return EMRTC_FAILED;
    emrtc_ice_server server = {.urls = {url}, .username = user[0] ? user : NULL, .credential = pass[0] ? pass : NULL};
    emrtc_configuration config = {
        .ice_servers = &server,
        .ice_server_count = url[0] ? 1 : 0,
        .ice_transport_policy = relay ? EMRTC_ICE_TRANSPORT_POLICY_RELAY : EMRTC_ICE_TRANSPORT_POLICY_ALL,
    };
    emrtc_error err = emrtc_peer_initialize(s->pc, &config);
    if (!err)
        err = emrtc_peer_set_callbacks(s->pc, &(emrtc_peer_callbacks){
                                                  .session_description_created = on_description,
                                                  .ice_candidate_created = on_candidate,
                                                  .data_channel_received = on_data_channel,
                                                  .connection_state_changed = on_conn,
                                                  .gathering_state_changed = on_gather,
                                                  .error = on_error,
                                                  .stats = on_stats,
                                                  .user_data = s,
                                              });
    if (!err && offerer) {
        emrtc_channel ch;
        err = emrtc_peer_create_data_channel(s->pc, "stream", NULL, &ch);
        if (!err) watch(s, ch);
        if (!err) err = emrtc_peer_create_offer(s->pc);
    }
    return err;
}

/* What the other side sent: "sdp" (a = type, b = sdp) or "cand" (a = media, index, b = name). */
EMSCRIPTEN_KEEPALIVE int np_signal(int i, const char *kind, const char *a, int index, const char *b) {
    np_slot *s = slot_at(i);
    if (!s) return EMRTC_ERR_INVALID_PARAMETER;
    if (strcmp(kind, "sdp") == 0) return emrtc_peer_set_remote_description(s->pc, a, b);
    return emrtc_peer_add_ice_candidate(s->pc, a, index, b);
}

static void stream_tick(np_slot *s) {
    uint8_t pkt[SEQ_PACKET];
    if (s->streaming && emrtc_channel_get_ready_state(s->ch) == EMRTC_CHANNEL_STATE_OPEN) {
        seq_make(pkt, s->next_send);
        emrtc_error err = emrtc_channel_put_packet(s->ch, pkt, sizeof pkt);
        if (err == EMRTC_OK) {
            s->next_send++;
            s->payload_sent += sizeof pkt;
        } else {
            s->busy++;
        }
    }
    const uint8_t *d;
    size_t n;
    while (emrtc_channel_get_packet(s->ch, &d, &n) == EMRTC_OK) {
        s->payload_received += n;
        seq_take(&s->in, d, n);
    }
}

/* One frame: polls every slot, streams and reads. */
EMSCRIPTEN_KEEPALIVE void np_tick(void) {
    for (int i = 0; i < NP_SLOTS; i++) {
        np_slot *s = &slots[i];
        if (!s->pc.id) continue;
        emrtc_peer_poll(s->pc);
        if (s->ch.id) stream_tick(s);
    }
}

EMSCRIPTEN_KEEPALIVE void np_stream(int i, int on) {
    if (slot_at(i)) slot_at(i)->streaming = on != 0;
}
EMSCRIPTEN_KEEPALIVE int np_get_stats(int i) { return slot_at(i) ? emrtc_peer_get_stats(slots[i].pc) : EMRTC_ERR_INVALID_PARAMETER; }
EMSCRIPTEN_KEEPALIVE int np_restart_ice(int i) { return slot_at(i) ? emrtc_peer_restart_ice(slots[i].pc) : EMRTC_ERR_INVALID_PARAMETER; }
EMSCRIPTEN_KEEPALIVE const char *np_last_error(void) { return emrtc_last_error_message(); }
EMSCRIPTEN_KEEPALIVE int np_state(int i) { return slot_at(i) ? (int)emrtc_peer_get_connection_state(slots[i].pc) : -1; }
EMSCRIPTEN_KEEPALIVE int np_channel_state(int i) { return slot_at(i) ? (int)emrtc_channel_get_ready_state(slots[i].ch) : -1; }
EMSCRIPTEN_KEEPALIVE double np_buffered(int i) { return slot_at(i) ? (double)emrtc_channel_get_buffered_amount(slots[i].ch) : 0; }
/* The stream's counters: 0 sent, 1 received, 2 gaps, 3 duplicates, 4 busy retries, 5 payload bytes
   sent, 6 payload bytes received. */
EMSCRIPTEN_KEEPALIVE double np_counter(int i, int which) {
    np_slot *s = slot_at(i);
    if (!s) return -1;
    switch (which) {
    case 0: return s->next_send;
    case 1: return s->in.received;
    case 2: return s->in.gaps;
    case 3: return s->in.duplicates;
    case 4: return s->busy;
    case 5: return (double)s->payload_sent;
    case 6: return (double)s->payload_received;
    default: return -1;
    }
}
EMSCRIPTEN_KEEPALIVE void np_stop(int i) {
    np_slot *s = slot_at(i);
    if (!s) return;
    emrtc_peer_destroy(s->pc);
    memset(s, 0, sizeof *s);
}
EMSCRIPTEN_KEEPALIVE int np_live_objects(void) { return emrtc_backend_live_object_count(); }

int main(void) { return 0; }
