/* Two peers in two pages (natively: two roles of one process) that only talk through the test's
   relay: offer, answer and candidates serialized as lines, data both ways, then side 0 says "bye",
   side 1's page is closed (natively: side 1 destroys its peer) and side 0 sees the far end go. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct {
    scn *s;
    emrtc_peer pc;
    emrtc_channel ch;
    scn_chlog log;
    int conn[SCN_MAX_LOG], nconn;
    int errors;
    emrtc_error last_error;
    int descriptions, candidates, end_of_candidates, received_channels;
    bool bye;
} two_ctx;

/* Side 0 sends these to side 1, which answers with the same packets. */
static const struct {
    emrtc_write_mode mode;
    const char *bytes;
    size_t size;
} two_packets[] = {
    {EMRTC_WRITE_MODE_BINARY, "\x00\xff binary \x80", 11},
    {EMRTC_WRITE_MODE_TEXT, "text \xe2\x9c\x93 \xf0\x9f\x8e\xae", 14},
};
#define TWO_PACKETS ((int)(sizeof two_packets / sizeof two_packets[0]))

/* Sends `count` fields to the other side as one message, joined by newlines (the last field may
   hold newlines itself). */
static void relay_fields(scn *s, int count, const char *const *fields) {
    size_t size = 1;
    for (int i = 0; i < count; i++) size += strlen(fields[i]) + 1;
    char *msg = malloc(size), *at = msg;
    if (!CHECK(msg != NULL)) return;
    for (int i = 0; i < count; i++) at += sprintf(at, "%s%s", i ? "\n" : "", fields[i]);
    scn_relay_send(s, msg);
    free(msg);
}

/* Splits `msg` (modified) at its first count-1 newlines; false when it has fewer. */
static bool split_fields(char *msg, int count, char **fields) {
    for (int i = 0; i < count; i++) {
        fields[i] = msg;
        if (i == count - 1) return true;
        char *nl = strchr(msg, '\n');
        if (!nl) return false;
        *nl = 0;
        msg = nl + 1;
    }
    return true;
}

static void on_description(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    scn *s = ud;
    two_ctx *c = s->ctx;
    c->descriptions++;
    CHECK_OK(emrtc_peer_set_local_description(pc, type, sdp));
    relay_fields(s, 3, (const char *[]){"sdp", type, sdp});
}

static void on_candidate(emrtc_peer pc, const char *media, int index, const char *name, void *ud) {
    scn *s = ud;
    two_ctx *c = s->ctx;
    char number[16];
    (void)pc;
    if (name[0]) c->candidates++;
    else c->end_of_candidates++;
    snprintf(number, sizeof number, "%d", index);
    relay_fields(s, 4, (const char *[]){"cand", media, number, name});
}

static void on_channel(emrtc_peer pc, emrtc_channel ch, void *ud) {
    scn *s = ud;
    two_ctx *c = s->ctx;
    (void)pc;
    c->received_channels++;
    c->ch = ch;
    scn_watch_channel(s, ch, &c->log);
}

static void on_conn(emrtc_peer pc, emrtc_connection_state st, void *ud) {
    two_ctx *c = ((scn *)ud)->ctx;
    (void)pc;
    if (c->nconn < SCN_MAX_LOG) c->conn[c->nconn++] = (int)st;
}

static void on_error(emrtc_peer pc, emrtc_error err, const char *message, void *ud) {
    two_ctx *c = ((scn *)ud)->ctx;
    (void)pc;
    (void)message;
    c->errors++;
    c->last_error = err;
}

/* Applies every message the other side has sent. */
static void pump(scn *s, two_ctx *c) {
    const char *msg;
    while ((msg = scn_relay_recv(s)) != NULL) {
        char *copy = malloc(strlen(msg) + 1), *f[4];
        if (!CHECK(copy != NULL)) return;
        strcpy(copy, msg);
        if (strcmp(copy, "bye") == 0) {
            c->bye = true;
        } else if (strncmp(copy, "sdp\n", 4) == 0 && split_fields(copy, 3, f)) {
            CHECK_OK(emrtc_peer_set_remote_description(c->pc, f[1], f[2]));
        } else if (strncmp(copy, "cand\n", 5) == 0 && split_fields(copy, 4, f)) {
            CHECK_OK(emrtc_peer_add_ice_candidate(c->pc, f[1], atoi(f[2]), f[3]));
        } else {
            scn_failf(s, __FILE__, __LINE__, "unexpected relay message \"%.60s\"", msg);
        }
        free(copy);
    }
}

static void send_packets(scn *s, two_ctx *c) {
    for (int i = 0; i < TWO_PACKETS; i++)
        CHECK_OK(scn_send(c->ch, two_packets[i].mode, two_packets[i].bytes, two_packets[i].size));
}

static void check_packets(scn *s, two_ctx *c) {
    for (int i = 0; i < TWO_PACKETS; i++)
        CHECK_PACKET(c->ch, two_packets[i].bytes, two_packets[i].size, two_packets[i].mode == EMRTC_WRITE_MODE_TEXT);
}

SCENARIO(two_pages, two_ctx) {
    SCN_BEGIN();
    c->pc = emrtc_peer_create();
    REQUIRE(c->pc.id != 0);
    CHECK_OK(emrtc_peer_set_callbacks(c->pc, &(emrtc_peer_callbacks){
                                                 .session_description_created = on_description,
                                                 .ice_candidate_created = on_candidate,
                                                 .data_channel_received = on_channel,
                                                 .connection_state_changed = on_conn,
                                                 .error = on_error,
                                                 .user_data = s,
                                             }));
    scn_track(s, c->pc);
    if (s->role == 0) {
        CHECK_OK(emrtc_peer_create_data_channel(c->pc, "relayed", NULL, &c->ch));
        scn_watch_channel(s, c->ch, &c->log);
        CHECK_OK(emrtc_peer_create_offer(c->pc));
    }
    SCN_WAIT_UNTIL((pump(s, c), c->ch.id && emrtc_channel_get_ready_state(c->ch) == EMRTC_CHANNEL_STATE_OPEN &&
                                    emrtc_peer_get_connection_state(c->pc) == EMRTC_STATE_CONNECTED),
                   15000);
    scn_stage(s, "connected");
    CHECK_STR(emrtc_channel_get_label(c->ch), "relayed");
    CHECK_INT(c->descriptions, 1);
    CHECK(c->candidates > 0);
    CHECK_INT(c->received_channels, s->role == 1);
    if (s->role == 0) send_packets(s, c);
    SCN_WAIT_UNTIL((pump(s, c), emrtc_channel_get_available_packet_count(c->ch) == TWO_PACKETS), 10000);
    check_packets(s, c);
    if (s->role == 1) {
        send_packets(s, c);
        /* until "bye": in the browser this page is closed first; natively the peer goes here */
        SCN_WAIT_UNTIL((pump(s, c), c->bye), 30000);
        CHECK_INT(c->errors, 0);
        emrtc_peer_destroy(c->pc);
        return SCN_DONE;
    }
    CHECK_INT(c->errors, 0);
    CHECK_LOG(c->conn, c->nconn, 2, EMRTC_STATE_CONNECTING, EMRTC_STATE_CONNECTED);
    scn_stage(s, "bye");
    scn_relay_send(s, "bye");
    SCN_WAIT_UNTIL(emrtc_channel_get_ready_state(c->ch) == EMRTC_CHANNEL_STATE_CLOSED &&
                       emrtc_peer_get_connection_state(c->pc) != EMRTC_STATE_CONNECTED,
                   30000);
    CHECK_INT(c->log.states[c->log.n - 1], EMRTC_CHANNEL_STATE_CLOSED);
    CHECK(c->nconn >= 3);
    /* (the channel may report the far end's abort as an error) */
    CHECK(c->errors == 0 || c->last_error == EMRTC_ERR_CONNECTION_ERROR);
    emrtc_peer_destroy(c->pc);
    CHECK_INT(emrtc_live_peer_count(), 0);
    CHECK_INT(emrtc_live_channel_count(), 0);
    CHECK_INT(emrtc_backend_live_object_count(), 0);
    SCN_END();
}
