/* The multiplayer layer (emrtc_multiplayer.h) on the loopback: Godot's channel layout and peer-id
   rules, every refusal, targets and transfer modes, fairness, the callbacks and their order, peers
   leaving and joining late, and lifetime. Several multiplayer "players" live in one process; what
   the signaling server would carry goes straight to the other player's connection, looked up
   through emrtc_multiplayer_get_peer as Godot's demo does. */
#include "tst.h"

#include <emrtc_multiplayer.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_NODES 6
#define LOG 64

typedef struct node node;
typedef struct link_t {
    node *self;
    int peer_id;
} link_t;

typedef struct rx_t {
    int from, channel, mode;
    char text[64];
} rx_t;

struct node {
    emrtc_multiplayer mp;
    int id;
    bool alive;
    link_t links[MAX_NODES];
    int connected[LOG], nconnected;
    int disconnected[LOG], ndisconnected;
    int succeeded, failed, server_gone;
    int order[LOG], norder; /* 1 peer_connected, 2 peer_disconnected, 3 succeeded, 4 failed, 5 server_disconnected */
    int lost, keep_lost;    /* peer_connection_lost calls; answer true while keep_lost > 0 */
    bool destroy_in_callback;
    bool all_open_at_connect; /* every channel was open when peer_connected fired */
    emrtc_error nested_poll;  /* what poll() said when called from peer_connected */
};

static node nodes[MAX_NODES];
static int nnodes;

static node *node_of_id(int id) {
    for (int i = 0; i < nnodes; i++)
        if (nodes[i].alive && nodes[i].id == id) return &nodes[i];
    return NULL;
}

/* the far side's connection to `l->self`, as Godot's demo finds it (has_peer / get_peer) */
static emrtc_peer far_connection(link_t *l) {
    node *far = node_of_id(l->peer_id);
    emrtc_multiplayer_peer_info info;
    if (!far || emrtc_multiplayer_get_peer(far->mp, l->self->id, &info) != EMRTC_OK) return (emrtc_peer){0};
    return info.connection;
}

static void on_sdp(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    emrtc_peer_set_local_description(pc, type, sdp);
    emrtc_peer far = far_connection(ud);
    if (far.id) emrtc_peer_set_remote_description(far, type, sdp);
}
static void on_ice(emrtc_peer pc, const char *mid, int index, const char *cand, void *ud) {
    (void)pc;
    emrtc_peer far = far_connection(ud);
    if (far.id) emrtc_peer_add_ice_candidate(far, mid, index, cand);
}

static void push(int *log, int *n, int v) {
    if (*n < LOG) log[(*n)++] = v;
}
static void cb_connected(emrtc_multiplayer mp, int id, void *ud) {
    node *n = ud;
    push(n->connected, &n->nconnected, id);
    push(n->order, &n->norder, 1);
    emrtc_multiplayer_peer_info info;
    bool all = emrtc_multiplayer_get_peer(mp, id, &info) == EMRTC_OK && info.connected;
    for (int c = 0; all && c < info.channel_count; c++)
        all = emrtc_channel_get_ready_state(info.channels[c]) == EMRTC_CHANNEL_STATE_OPEN;
    all = all && emrtc_peer_get_connection_state(info.connection) == EMRTC_STATE_CONNECTED;
    if (!all) n->all_open_at_connect = false;
    n->nested_poll = emrtc_multiplayer_poll(mp); /* not reentrant */
}
static void cb_disconnected(emrtc_multiplayer mp, int id, void *ud) {
    node *n = ud;
    push(n->disconnected, &n->ndisconnected, id);
    push(n->order, &n->norder, 2);
    if (n->destroy_in_callback) {
        emrtc_multiplayer_destroy(mp);
        n->alive = false;
    }
}
static void cb_succeeded(emrtc_multiplayer mp, void *ud) {
    (void)mp;
    ((node *)ud)->succeeded++;
    push(((node *)ud)->order, &((node *)ud)->norder, 3);
}
static void cb_failed(emrtc_multiplayer mp, void *ud) {
    (void)mp;
    ((node *)ud)->failed++;
    push(((node *)ud)->order, &((node *)ud)->norder, 4);
}
static void cb_server_gone(emrtc_multiplayer mp, void *ud) {
    (void)mp;
    ((node *)ud)->server_gone++;
    push(((node *)ud)->order, &((node *)ud)->norder, 5);
}
static bool cb_lost(emrtc_multiplayer mp, int id, emrtc_connection_state st, void *ud) {
    (void)mp, (void)id, (void)st;
    node *n = ud;
    n->lost++;
    if (n->keep_lost > 0) {
        n->keep_lost--;
        return true;
    }
    return false;
}

static void reset_world(void) {
    memset(nodes, 0, sizeof nodes);
    nnodes = 0;
}

typedef enum { MESH, SERVER, CLIENT } role_t;

static node *new_node(role_t role, int id, const emrtc_transfer_mode *extra, int nextra, bool with_lost_hook) {
    node *n = &nodes[nnodes++];
    n->id = id;
    n->alive = true;
    n->all_open_at_connect = true;
    n->mp = emrtc_multiplayer_create(&(emrtc_multiplayer_desc){.callbacks = {
        .peer_connected = cb_connected, .peer_disconnected = cb_disconnected,
        .connection_succeeded = cb_succeeded, .connection_failed = cb_failed,
        .server_disconnected = cb_server_gone, .peer_connection_lost = with_lost_hook ? cb_lost : NULL,
        .user_data = n}});
    emrtc_error err = role == MESH     ? emrtc_multiplayer_create_mesh(n->mp, id, extra, nextra)
                      : role == SERVER ? emrtc_multiplayer_create_server(n->mp, extra, nextra)
                                       : emrtc_multiplayer_create_client(n->mp, id, extra, nextra);
    TST_OK(err);
    return n;
}

/* What the signaling server's PEER_CONNECT makes each side do (Godot's demo): a connection for the
   other, added to the multiplayer; the side with the higher own id offers. */
static emrtc_peer connection_to(node *n, int peer_id) {
    link_t *l = NULL;
    for (int i = 0; i < MAX_NODES && !l; i++)
        if (!n->links[i].self || n->links[i].peer_id == peer_id) l = &n->links[i];
    l->self = n;
    l->peer_id = peer_id;
    emrtc_peer pc = emrtc_peer_create();
    emrtc_peer_set_callbacks(pc, &(emrtc_peer_callbacks){.session_description_created = on_sdp,
                                                         .ice_candidate_created = on_ice, .user_data = l});
    return pc;
}
static void introduce_one(node *n, int peer_id) {
    emrtc_peer pc = connection_to(n, peer_id);
    TST_OK(emrtc_multiplayer_add_peer(n->mp, pc, peer_id, 1));
    if (peer_id < n->id) TST_OK(emrtc_peer_create_offer(pc));
}
static void introduce(node *a, node *b) {
    introduce_one(a, b->id);
    introduce_one(b, a->id);
}

static void poll_all(int rounds) {
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < nnodes; i++)
            if (nodes[i].alive) TST_OK(emrtc_multiplayer_poll(nodes[i].mp));
}

static void kill_node(node *n) {
    emrtc_multiplayer_destroy(n->mp);
    n->alive = false;
}

static void destroy_world(void) {
    for (int i = 0; i < nnodes; i++)
        if (nodes[i].alive) kill_node(&nodes[i]);
    TST_EQ_INT(emrtc_multiplayer_live_count(), 0);
    TST_EQ_INT(emrtc_live_peer_count(), 0);
    TST_EQ_INT(emrtc_live_channel_count(), 0);
    TST_EQ_INT(emrtc_backend_live_object_count(), 0);
}

static int count_of(const int *log, int n, int v) {
    int k = 0;
    for (int i = 0; i < n; i++) k += log[i] == v;
    return k;
}

static void send_text(node *n, int target, emrtc_transfer_mode mode, const char *text) {
    TST_OK(emrtc_multiplayer_set_target_peer(n->mp, target));
    TST_OK(emrtc_multiplayer_set_transfer_mode(n->mp, mode));
    TST_OK(emrtc_multiplayer_put_packet(n->mp, text, strlen(text)));
}

/* Reads everything n has: peer, channel and mode asked first (Godot's order), then the bytes. */
static int read_all(node *n, rx_t *out, int cap) {
    int k = 0;
    while (emrtc_multiplayer_get_available_packet_count(n->mp) > 0 && k < cap) {
        rx_t r = {emrtc_multiplayer_get_packet_peer(n->mp), emrtc_multiplayer_get_packet_channel(n->mp),
                  (int)emrtc_multiplayer_get_packet_mode(n->mp), ""};
        const uint8_t *data;
        size_t size;
        if (emrtc_multiplayer_get_packet(n->mp, &data, &size) != EMRTC_OK) break;
        snprintf(r.text, sizeof r.text, "%.*s", (int)size, (const char *)data);
        out[k++] = r;
    }
    return k;
}

/* ---- tests ---- */

static void test_create_rules(void) {
    emrtc_multiplayer mp = emrtc_multiplayer_create(NULL);
    TST_REQUIRE(mp.id != 0);
    TST_EQ_INT(emrtc_multiplayer_get_connection_status(mp), EMRTC_CONNECTION_DISCONNECTED);
    TST_EQ_INT(emrtc_multiplayer_get_unique_id(mp), 0);
    TST_EQ_INT(emrtc_multiplayer_get_transfer_mode(mp), EMRTC_TRANSFER_MODE_RELIABLE);
    TST_EQ_ERR(emrtc_multiplayer_create_client(mp, 1, NULL, 0), EMRTC_ERR_INVALID_PARAMETER);
    TST_EQ_ERR(emrtc_multiplayer_create_mesh(mp, 0, NULL, 0), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_EQ_ERR(emrtc_multiplayer_create_mesh(mp, -5, NULL, 0), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    emrtc_transfer_mode many[EMRTC_MULTIPLAYER_MAX_EXTRA_CHANNELS + 1] = {0};
    TST_EQ_ERR(emrtc_multiplayer_create_mesh(mp, 2, many, EMRTC_MULTIPLAYER_MAX_EXTRA_CHANNELS + 1),
               EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_EQ_ERR(emrtc_multiplayer_create_mesh(mp, 2, NULL, 1), EMRTC_ERR_INVALID_PARAMETER);
    emrtc_transfer_mode bad = (emrtc_transfer_mode)3;
    TST_EQ_ERR(emrtc_multiplayer_create_mesh(mp, 2, &bad, 1), EMRTC_ERR_INVALID_PARAMETER);
    TST_EQ_INT(emrtc_multiplayer_get_connection_status(mp), EMRTC_CONNECTION_DISCONNECTED);
    /* the edge: 32 extra channels are fine */
    TST_OK(emrtc_multiplayer_create_mesh(mp, EMRTC_MULTIPLAYER_MAX_PEER_ID, many, EMRTC_MULTIPLAYER_MAX_EXTRA_CHANNELS));
    TST_EQ_INT(emrtc_multiplayer_get_unique_id(mp), EMRTC_MULTIPLAYER_MAX_PEER_ID);
    TST_EQ_INT(emrtc_multiplayer_get_connection_status(mp), EMRTC_CONNECTION_CONNECTED);
    TST_CHECK(!emrtc_multiplayer_is_server(mp));
    TST_CHECK(!emrtc_multiplayer_is_server_relay_supported(mp));
    TST_EQ_ERR(emrtc_multiplayer_create_server(mp, NULL, 0), EMRTC_ERR_UNAVAILABLE);
    emrtc_multiplayer_close(mp);
    TST_EQ_INT(emrtc_multiplayer_get_connection_status(mp), EMRTC_CONNECTION_DISCONNECTED);
    TST_OK(emrtc_multiplayer_create_server(mp, NULL, 0));
    TST_EQ_INT(emrtc_multiplayer_get_unique_id(mp), 1);
    TST_CHECK(emrtc_multiplayer_is_server(mp));
    TST_CHECK(emrtc_multiplayer_is_server_relay_supported(mp));
    emrtc_multiplayer_close(mp);
    TST_OK(emrtc_multiplayer_create_client(mp, 7, NULL, 0));
    TST_EQ_INT(emrtc_multiplayer_get_connection_status(mp), EMRTC_CONNECTION_CONNECTING);
    TST_CHECK(!emrtc_multiplayer_is_server(mp));
    TST_EQ_ERR(emrtc_multiplayer_set_transfer_mode(mp, (emrtc_transfer_mode)9), EMRTC_ERR_INVALID_PARAMETER);
    TST_EQ_ERR(emrtc_multiplayer_set_transfer_channel(mp, -1), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    emrtc_multiplayer_destroy(mp);
    emrtc_multiplayer_destroy(mp); /* idempotent */
    /* a stale handle: refused, never another object */
    TST_EQ_ERR(emrtc_multiplayer_create_server(mp, NULL, 0), EMRTC_ERR_INVALID_PARAMETER);
    TST_EQ_ERR(emrtc_multiplayer_poll(mp), EMRTC_ERR_INVALID_PARAMETER);
    TST_EQ_ERR(emrtc_multiplayer_poll((emrtc_multiplayer){0}), EMRTC_ERR_INVALID_PARAMETER);
    TST_CHECK(!emrtc_multiplayer_has_peer(mp, 1));
    TST_EQ_INT(emrtc_multiplayer_live_count(), 0);
    /* the handle limit, at its edge */
    static emrtc_multiplayer all[1024];
    int made = 0;
    for (int i = 0; i < 1024; i++) made += (all[i] = emrtc_multiplayer_create(NULL)).id != 0;
    TST_EQ_INT(made, 1024);
    TST_EQ_INT(emrtc_multiplayer_create(NULL).id, 0);
    TST_CHECK(strstr(emrtc_last_error_message(), "at most 1024") != NULL);
    for (int i = 0; i < 1024; i++) emrtc_multiplayer_destroy(all[i]);
    TST_EQ_INT(emrtc_multiplayer_live_count(), 0);
}

static void test_channel_layout_is_godots(void) {
    emrtc_multiplayer mp = emrtc_multiplayer_create(NULL);
    emrtc_transfer_mode extra[] = {EMRTC_TRANSFER_MODE_RELIABLE, EMRTC_TRANSFER_MODE_UNRELIABLE_ORDERED,
                                   EMRTC_TRANSFER_MODE_UNRELIABLE};
    TST_OK(emrtc_multiplayer_create_mesh(mp, 5, extra, 3));
    emrtc_peer pc = emrtc_peer_create();
    TST_OK(emrtc_multiplayer_add_peer(mp, pc, 9, 250));
    TST_CHECK(emrtc_multiplayer_has_peer(mp, 9));
    TST_CHECK(!emrtc_multiplayer_has_peer(mp, 8));
    emrtc_multiplayer_peer_info info;
    TST_OK(emrtc_multiplayer_get_peer(mp, 9, &info));
    TST_EQ_INT(info.connection.id, pc.id);
    TST_CHECK(!info.connected);
    TST_REQUIRE(info.channel_count == 6);
    static const struct {
        const char *label;
        bool ordered;
        int lifetime;
    } want[6] = {{"reliable", true, EMRTC_ID_UNSET}, {"ordered", true, 250}, {"unreliable", false, 250},
                 {"4", true, EMRTC_ID_UNSET},       {"5", true, 1},         {"6", false, 1}};
    for (int i = 0; i < 6; i++) {
        emrtc_channel ch = info.channels[i];
        TST_EQ_STR(emrtc_channel_get_label(ch), want[i].label);
        TST_EQ_INT(emrtc_channel_get_id(ch), i + 1);
        TST_CHECK(emrtc_channel_is_negotiated(ch));
        TST_EQ_INT(emrtc_channel_is_ordered(ch), want[i].ordered);
        TST_EQ_INT(emrtc_channel_get_max_packet_life_time(ch), want[i].lifetime);
        TST_EQ_INT(emrtc_channel_get_max_retransmits(ch), EMRTC_ID_UNSET);
        TST_EQ_INT(emrtc_channel_get_write_mode(ch), EMRTC_WRITE_MODE_BINARY);
        TST_EQ_STR(emrtc_channel_get_protocol(ch), "");
    }
    int ids[4] = {0};
    TST_EQ_INT(emrtc_multiplayer_get_peers(mp, ids, 4), 1);
    TST_EQ_INT(ids[0], 9);
    TST_EQ_INT(emrtc_multiplayer_get_peers(mp, NULL, 0), 1);
    TST_EQ_INT(emrtc_live_channel_count(), 6);
    /* the multiplayer owns the connection: remove_peer destroys it and its channels */
    TST_OK(emrtc_multiplayer_remove_peer(mp, 9));
    TST_EQ_INT(emrtc_live_peer_count(), 0);
    TST_EQ_INT(emrtc_live_channel_count(), 0);
    TST_EQ_ERR(emrtc_multiplayer_remove_peer(mp, 9), EMRTC_ERR_INVALID_PARAMETER);
    TST_EQ_ERR(emrtc_multiplayer_get_peer(mp, 9, &info), EMRTC_ERR_INVALID_PARAMETER);
    emrtc_multiplayer_destroy(mp);
}

static void test_every_refusal_has_its_own_error(void) {
    emrtc_multiplayer mp = emrtc_multiplayer_create(NULL);
    emrtc_peer pc = emrtc_peer_create();
    TST_EQ_ERR(emrtc_multiplayer_add_peer(mp, pc, 2, 1), EMRTC_ERR_UNCONFIGURED);
    TST_CHECK(strstr(emrtc_last_error_message(), "create_server") != NULL);

    /* a client adds the server only */
    TST_OK(emrtc_multiplayer_create_client(mp, 5, NULL, 0));
    TST_EQ_ERR(emrtc_multiplayer_add_peer(mp, pc, 2, 1), EMRTC_ERR_INVALID_PARAMETER);
    TST_CHECK(strstr(emrtc_last_error_message(), "server only") != NULL);
    emrtc_multiplayer_close(mp);

    /* a server never adds id 1: it is its own */
    TST_OK(emrtc_multiplayer_create_server(mp, NULL, 0));
    TST_EQ_ERR(emrtc_multiplayer_add_peer(mp, pc, 1, 1), EMRTC_ERR_ALREADY_IN_USE);
    TST_CHECK(strstr(emrtc_last_error_message(), "own id") != NULL);
    /* ids out of 1..2^31-1 (INT_MAX is the top, so only the low side can be passed) */
    TST_EQ_ERR(emrtc_multiplayer_add_peer(mp, pc, 0, 1), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_EQ_ERR(emrtc_multiplayer_add_peer(mp, pc, -3, 1), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_CHECK(strstr(emrtc_last_error_message(), "outside 1..2147483647") != NULL);
    /* the lifetime: maxPacketLifeTime is 16 bits */
    TST_EQ_ERR(emrtc_multiplayer_add_peer(mp, pc, 2, -1), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_EQ_ERR(emrtc_multiplayer_add_peer(mp, pc, 2, EMRTC_MULTIPLAYER_MAX_LIFETIME + 1),
               EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_CHECK(strstr(emrtc_last_error_message(), "lifetime") != NULL);
    emrtc_peer longest = emrtc_peer_create();
    TST_OK(emrtc_multiplayer_add_peer(mp, longest, 7, EMRTC_MULTIPLAYER_MAX_LIFETIME)); /* the edge */
    TST_OK(emrtc_multiplayer_remove_peer(mp, 7));
    /* a stale connection */
    TST_EQ_ERR(emrtc_multiplayer_add_peer(mp, (emrtc_peer){12345}, 2, 1), EMRTC_ERR_INVALID_PARAMETER);
    /* a connection not in STATE_NEW */
    emrtc_peer used = emrtc_peer_create();
    emrtc_channel game;
    TST_OK(emrtc_peer_create_data_channel(used, "game", NULL, &game));
    emrtc_peer_close(used);
    TST_OK(emrtc_peer_poll(used));
    TST_EQ_INT(emrtc_peer_get_connection_state(used), EMRTC_STATE_CLOSED);
    TST_EQ_ERR(emrtc_multiplayer_add_peer(mp, used, 2, 1), EMRTC_ERR_UNAVAILABLE);
    TST_CHECK(strstr(emrtc_last_error_message(), "STATE_NEW") != NULL);
    /* a duplicate id */
    TST_OK(emrtc_multiplayer_add_peer(mp, pc, 2, 1));
    emrtc_peer pc2 = emrtc_peer_create();
    TST_EQ_ERR(emrtc_multiplayer_add_peer(mp, pc2, 2, 1), EMRTC_ERR_ALREADY_EXISTS);
    TST_CHECK(strstr(emrtc_last_error_message(), "already added") != NULL);
    /* the same connection under a second id */
    TST_EQ_ERR(emrtc_multiplayer_add_peer(mp, pc, 3, 1), EMRTC_ERR_ALREADY_IN_USE);
    TST_CHECK(strstr(emrtc_last_error_message(), "already peer 2") != NULL);
    /* refusing new connections */
    TST_OK(emrtc_multiplayer_set_refuse_new_connections(mp, true));
    TST_CHECK(emrtc_multiplayer_is_refusing_new_connections(mp));
    TST_EQ_ERR(emrtc_multiplayer_add_peer(mp, pc2, 3, 1), EMRTC_ERR_UNAUTHORIZED);
    TST_OK(emrtc_multiplayer_set_refuse_new_connections(mp, false));
    /* a connection whose channel id 1 is taken: the core refuses, nothing is left behind */
    emrtc_peer taken = emrtc_peer_create();
    emrtc_channel mine;
    TST_OK(emrtc_peer_create_data_channel(taken, "mine", &(emrtc_channel_options){.negotiated = true, .has_id = true,
                                                                                   .id = 2}, &mine));
    int channels_before = emrtc_live_channel_count();
    TST_EQ_ERR(emrtc_multiplayer_add_peer(mp, taken, 3, 1), EMRTC_ERR_ALREADY_IN_USE);
    TST_EQ_INT(emrtc_live_channel_count(), channels_before);
    TST_CHECK(!emrtc_multiplayer_has_peer(mp, 3));
    /* refused connections are still the caller's, untouched */
    TST_EQ_INT(emrtc_peer_get_connection_state(pc2), EMRTC_STATE_NEW);
    TST_OK(emrtc_multiplayer_add_peer(mp, pc2, 3, 1));
    TST_EQ_INT(emrtc_multiplayer_get_peers(mp, NULL, 0), 2);
    emrtc_multiplayer_destroy(mp); /* destroys pc and pc2 */
    TST_EQ_INT(emrtc_peer_get_connection_state(pc), EMRTC_STATE_CLOSED); /* stale */
    emrtc_peer_destroy(used);
    emrtc_peer_destroy(taken);
    TST_EQ_INT(emrtc_live_peer_count(), 0);
    TST_EQ_INT(emrtc_live_channel_count(), 0);
}

static void test_mesh_of_four_targets(void) {
    reset_world();
    node *n[4];
    const int ids[4] = {1, 77, 5000, 123456};
    for (int i = 0; i < 4; i++) n[i] = new_node(MESH, ids[i], NULL, 0, false);
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++) introduce(n[i], n[j]);
    /* callbacks only from poll: nothing yet */
    for (int i = 0; i < 4; i++) TST_EQ_INT(n[i]->nconnected, 0);
    poll_all(30);
    for (int i = 0; i < 4; i++) {
        TST_EQ_INT(n[i]->nconnected, 3);
        TST_CHECK(n[i]->all_open_at_connect);
        TST_EQ_INT(n[i]->nested_poll, EMRTC_ERR_BUSY);
        for (int j = 0; j < 4; j++)
            if (j != i) TST_EQ_INT(count_of(n[i]->connected, n[i]->nconnected, ids[j]), 1);
    }
    /* broadcast from each: every other gets it exactly once */
    char text[32];
    for (int i = 0; i < 4; i++) {
        snprintf(text, sizeof text, "all from %d", ids[i]);
        send_text(n[i], EMRTC_TARGET_PEER_BROADCAST, EMRTC_TRANSFER_MODE_RELIABLE, text);
    }
    poll_all(3);
    rx_t rx[16];
    for (int i = 0; i < 4; i++) {
        int k = read_all(n[i], rx, 16);
        TST_EQ_INT(k, 3);
        for (int j = 0; j < 4; j++) {
            if (j == i) continue;
            snprintf(text, sizeof text, "all from %d", ids[j]);
            int seen = 0;
            for (int r = 0; r < k; r++) seen += rx[r].from == ids[j] && strcmp(rx[r].text, text) == 0;
            TST_EQ_INT(seen, 1);
        }
    }
    /* targeted: only the target */
    send_text(n[0], ids[2], EMRTC_TRANSFER_MODE_RELIABLE, "just you");
    /* everyone but 77 */
    send_text(n[3], -ids[1], EMRTC_TRANSFER_MODE_RELIABLE, "not 77");
    poll_all(3);
    int k0 = read_all(n[0], rx, 16);
    TST_EQ_INT(k0, 1);
    TST_EQ_STR(rx[0].text, "not 77");
    TST_EQ_INT(rx[0].from, ids[3]);
    TST_EQ_INT(read_all(n[1], rx, 16), 0);
    int k2 = read_all(n[2], rx, 16);
    TST_EQ_INT(k2, 2);
    TST_EQ_INT(count_of((int[]){rx[0].from, rx[1].from}, 2, ids[0]), 1);
    TST_EQ_INT(count_of((int[]){rx[0].from, rx[1].from}, 2, ids[3]), 1);
    TST_EQ_INT(read_all(n[3], rx, 16), 0);
    /* no packets left anywhere */
    for (int i = 0; i < 4; i++) TST_EQ_INT(emrtc_multiplayer_get_available_packet_count(n[i]->mp), 0);
    destroy_world();
}

static void test_transfer_modes_and_channels(void) {
    reset_world();
    emrtc_transfer_mode extra[] = {EMRTC_TRANSFER_MODE_UNRELIABLE, EMRTC_TRANSFER_MODE_RELIABLE};
    node *a = new_node(MESH, 2, extra, 2, false), *b = new_node(MESH, 3, extra, 2, false);
    introduce(a, b);
    poll_all(20);
    TST_REQUIRE(b->nconnected == 1);
    emrtc_multiplayer_peer_info ai;
    TST_OK(emrtc_multiplayer_get_peer(a->mp, 3, &ai));
    /* each mode on its reserved channel; transfer channel N on extra channel N whatever the mode */
    send_text(a, 3, EMRTC_TRANSFER_MODE_RELIABLE, "rel");
    send_text(a, 3, EMRTC_TRANSFER_MODE_UNRELIABLE_ORDERED, "ord");
    send_text(a, 3, EMRTC_TRANSFER_MODE_UNRELIABLE, "unr");
    TST_OK(emrtc_multiplayer_set_transfer_channel(a->mp, 1));
    send_text(a, 3, EMRTC_TRANSFER_MODE_RELIABLE, "x1");
    TST_OK(emrtc_multiplayer_set_transfer_channel(a->mp, 2));
    send_text(a, 3, EMRTC_TRANSFER_MODE_UNRELIABLE, "x2");
    TST_OK(emrtc_multiplayer_set_transfer_channel(a->mp, 3));
    TST_EQ_ERR(emrtc_multiplayer_put_packet(a->mp, "x3", 2), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_EQ_INT(emrtc_multiplayer_get_transfer_channel(a->mp), 3);
    TST_OK(emrtc_multiplayer_set_transfer_channel(a->mp, 0));
    /* raw bytes: what b's channels hold is exactly what was sent; nothing went out on id 1 twice */
    TST_EQ_INT(emrtc_channel_get_buffered_amount(ai.channels[0]), 3);
    TST_EQ_INT(emrtc_channel_get_buffered_amount(ai.channels[1]), 3);
    TST_EQ_INT(emrtc_channel_get_buffered_amount(ai.channels[2]), 3);
    TST_EQ_INT(emrtc_channel_get_buffered_amount(ai.channels[3]), 2);
    TST_EQ_INT(emrtc_channel_get_buffered_amount(ai.channels[4]), 2);
    poll_all(3);
    rx_t rx[8];
    int k = read_all(b, rx, 8);
    TST_REQUIRE(k == 5);
    /* within one peer, lower channel ids first */
    static const struct {
        const char *text;
        int channel, mode;
    } want[5] = {{"rel", 0, EMRTC_TRANSFER_MODE_RELIABLE},
                 {"ord", 0, EMRTC_TRANSFER_MODE_UNRELIABLE_ORDERED},
                 {"unr", 0, EMRTC_TRANSFER_MODE_UNRELIABLE},
                 {"x1", 1, EMRTC_TRANSFER_MODE_UNRELIABLE},
                 {"x2", 2, EMRTC_TRANSFER_MODE_RELIABLE}};
    for (int i = 0; i < 5; i++) {
        TST_EQ_STR(rx[i].text, want[i].text);
        TST_EQ_INT(rx[i].from, 2);
        TST_EQ_INT(rx[i].channel, want[i].channel);
        TST_EQ_INT(rx[i].mode, want[i].mode);
    }
    /* nothing left: the getters say so */
    TST_EQ_INT(emrtc_multiplayer_get_packet_peer(b->mp), 0);
    const uint8_t *data;
    size_t size;
    TST_EQ_ERR(emrtc_multiplayer_get_packet(b->mp, &data, &size), EMRTC_ERR_UNAVAILABLE);
    TST_EQ_ERR(emrtc_multiplayer_get_packet(b->mp, NULL, &size), EMRTC_ERR_INVALID_PARAMETER);
    destroy_world();
}

static void test_put_packet_refusals(void) {
    reset_world();
    node *a = new_node(MESH, 2, NULL, 0, false), *b = new_node(MESH, 3, NULL, 0, false);
    emrtc_multiplayer none = emrtc_multiplayer_create(NULL);
    TST_EQ_ERR(emrtc_multiplayer_put_packet(none, "x", 1), EMRTC_ERR_UNCONFIGURED);
    emrtc_multiplayer_destroy(none);
    /* nobody connected: a broadcast is fine, a target is not */
    TST_OK(emrtc_multiplayer_put_packet(a->mp, "x", 1));
    TST_OK(emrtc_multiplayer_set_target_peer(a->mp, 3));
    TST_EQ_INT(emrtc_multiplayer_get_target_peer(a->mp), 3);
    TST_EQ_ERR(emrtc_multiplayer_put_packet(a->mp, "x", 1), EMRTC_ERR_INVALID_PARAMETER);
    introduce(a, b);
    TST_EQ_ERR(emrtc_multiplayer_put_packet(a->mp, "x", 1), EMRTC_ERR_UNAVAILABLE); /* not connected yet */
    poll_all(20);
    TST_OK(emrtc_multiplayer_put_packet(a->mp, "x", 1));
    TST_EQ_ERR(emrtc_multiplayer_put_packet(a->mp, NULL, 1), EMRTC_ERR_INVALID_PARAMETER);
    /* too large for the channel: refused for a broadcast before anything is sent */
    emrtc_multiplayer_peer_info ai;
    TST_OK(emrtc_multiplayer_get_peer(a->mp, 3, &ai));
    size_t max = emrtc_channel_get_max_packet_size(ai.channels[0]);
    uint8_t *big = calloc(1, max + 1);
    TST_OK(emrtc_multiplayer_set_target_peer(a->mp, 0));
    size_t before = emrtc_channel_get_buffered_amount(ai.channels[0]);
    TST_EQ_ERR(emrtc_multiplayer_put_packet(a->mp, big, max + 1), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_EQ_INT(emrtc_channel_get_buffered_amount(ai.channels[0]), before);
    TST_OK(emrtc_multiplayer_put_packet(a->mp, big, max)); /* the edge */
    free(big);
    poll_all(3);
    rx_t rx[4];
    TST_EQ_INT(read_all(b, rx, 4), 2);
    destroy_world();
}

static void test_server_and_three_clients(void) {
    reset_world();
    node *s = new_node(SERVER, 1, NULL, 0, false);
    node *c[3];
    const int ids[3] = {40, 41, 42};
    for (int i = 0; i < 3; i++) {
        c[i] = new_node(CLIENT, ids[i], NULL, 0, false);
        TST_EQ_INT(emrtc_multiplayer_get_connection_status(c[i]->mp), EMRTC_CONNECTION_CONNECTING);
        introduce(s, c[i]);
    }
    /* a client cannot add another client */
    emrtc_peer extra = emrtc_peer_create();
    TST_EQ_ERR(emrtc_multiplayer_add_peer(c[0]->mp, extra, 41, 1), EMRTC_ERR_INVALID_PARAMETER);
    emrtc_peer_destroy(extra);
    poll_all(30);
    TST_EQ_INT(s->nconnected, 3);
    TST_EQ_INT(s->succeeded, 0);
    for (int i = 0; i < 3; i++) {
        TST_EQ_INT(c[i]->nconnected, 1);
        TST_EQ_INT(c[i]->connected[0], 1);
        TST_EQ_INT(c[i]->succeeded, 1);
        /* peer_connected(1), then connection_succeeded */
        TST_EQ_INT(c[i]->norder, 2);
        TST_EQ_INT(c[i]->order[0], 1);
        TST_EQ_INT(c[i]->order[1], 3);
        TST_EQ_INT(emrtc_multiplayer_get_connection_status(c[i]->mp), EMRTC_CONNECTION_CONNECTED);
    }
    /* a client's broadcast reaches the server only; the server's reaches every client */
    send_text(c[0], EMRTC_TARGET_PEER_BROADCAST, EMRTC_TRANSFER_MODE_RELIABLE, "from 40");
    send_text(c[1], EMRTC_TARGET_PEER_SERVER, EMRTC_TRANSFER_MODE_RELIABLE, "from 41");
    send_text(s, -41, EMRTC_TRANSFER_MODE_RELIABLE, "not 41");
    poll_all(3);
    rx_t rx[8];
    int k = read_all(s, rx, 8);
    TST_EQ_INT(k, 2);
    for (int i = 0; i < k; i++) {
        char want[16];
        snprintf(want, sizeof want, "from %d", rx[i].from);
        TST_EQ_STR(rx[i].text, want);
    }
    TST_EQ_INT(read_all(c[0], rx, 8), 1);
    TST_EQ_STR(rx[0].text, "not 41");
    TST_EQ_INT(rx[0].from, 1);
    TST_EQ_INT(read_all(c[1], rx, 8), 0);
    TST_EQ_INT(read_all(c[2], rx, 8), 1);
    /* the server leaves: every client gets peer_disconnected(1), then server_disconnected */
    kill_node(s);
    poll_all(10);
    for (int i = 0; i < 3; i++) {
        TST_EQ_INT(c[i]->ndisconnected, 1);
        TST_EQ_INT(c[i]->disconnected[0], 1);
        TST_EQ_INT(c[i]->server_gone, 1);
        TST_EQ_INT(c[i]->failed, 0);
        TST_REQUIRE(c[i]->norder == 4);
        TST_EQ_INT(c[i]->order[2], 2);
        TST_EQ_INT(c[i]->order[3], 5);
        TST_EQ_INT(emrtc_multiplayer_get_connection_status(c[i]->mp), EMRTC_CONNECTION_DISCONNECTED);
        TST_EQ_ERR(emrtc_multiplayer_put_packet(c[i]->mp, "x", 1), EMRTC_ERR_UNCONFIGURED);
    }
    destroy_world();
}

static void test_client_connection_failed(void) {
    /* the client's connection to the server closes before it connected: connection_failed */
    reset_world();
    node *s = new_node(SERVER, 1, NULL, 0, false), *c = new_node(CLIENT, 9, NULL, 0, false);
    introduce(s, c);
    TST_OK(emrtc_multiplayer_poll(c->mp)); /* the client offers */
    TST_OK(emrtc_multiplayer_disconnect_peer(c->mp, 1, false));
    poll_all(10);
    TST_EQ_INT(c->failed, 1);
    TST_EQ_INT(c->nconnected, 0);
    TST_EQ_INT(c->ndisconnected, 0); /* it never connected */
    TST_EQ_INT(c->server_gone, 0);
    TST_EQ_INT(c->succeeded, 0);
    TST_CHECK(!emrtc_multiplayer_has_peer(c->mp, 1));
    TST_EQ_INT(emrtc_multiplayer_get_connection_status(c->mp), EMRTC_CONNECTION_DISCONNECTED);
    destroy_world();

    /* the server never answers (its connection waits in STATE_NEW): the game, or the session when
       the signaling server says the host left, removes it: connection_failed from the next poll */
    reset_world();
    s = new_node(SERVER, 1, NULL, 0, false), c = new_node(CLIENT, 9, NULL, 0, false);
    introduce(s, c);
    TST_OK(emrtc_multiplayer_poll(c->mp));
    kill_node(s);
    poll_all(5);
    TST_EQ_INT(c->failed, 0);
    TST_OK(emrtc_multiplayer_remove_peer(c->mp, 1));
    TST_EQ_INT(c->failed, 0);
    TST_OK(emrtc_multiplayer_poll(c->mp));
    TST_EQ_INT(c->failed, 1);
    TST_EQ_INT(c->norder, 1);
    TST_EQ_INT(emrtc_multiplayer_get_connection_status(c->mp), EMRTC_CONNECTION_DISCONNECTED);
    destroy_world();
}

static void test_leaving_and_joining_late(void) {
    reset_world();
    node *n[4];
    for (int i = 0; i < 3; i++) n[i] = new_node(MESH, 10 + i, NULL, 0, false);
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++) introduce(n[i], n[j]);
    poll_all(20);
    /* a late joiner */
    n[3] = new_node(MESH, 13, NULL, 0, false);
    for (int i = 0; i < 3; i++) introduce(n[i], n[3]);
    poll_all(20);
    for (int i = 0; i < 4; i++) TST_EQ_INT(n[i]->nconnected, 3);
    for (int i = 0; i < 3; i++) TST_EQ_INT(n[i]->connected[2], 13);
    /* one closes mid-game (its page is gone): the others get peer_disconnected and play on */
    kill_node(n[1]);
    poll_all(10);
    node *rest[3] = {n[0], n[2], n[3]};
    for (int i = 0; i < 3; i++) {
        TST_EQ_INT(rest[i]->ndisconnected, 1);
        TST_EQ_INT(rest[i]->disconnected[0], 11);
        TST_CHECK(!emrtc_multiplayer_has_peer(rest[i]->mp, 11));
        TST_EQ_INT(emrtc_multiplayer_get_peers(rest[i]->mp, NULL, 0), 2);
    }
    send_text(n[0], 0, EMRTC_TRANSFER_MODE_UNRELIABLE, "still here");
    poll_all(3);
    rx_t rx[4];
    TST_EQ_INT(read_all(n[2], rx, 4), 1);
    TST_EQ_INT(read_all(n[3], rx, 4), 1);
    TST_EQ_STR(rx[0].text, "still here");
    destroy_world();
}

static void test_remove_and_disconnect(void) {
    reset_world();
    node *a = new_node(MESH, 2, NULL, 0, false), *b = new_node(MESH, 3, NULL, 0, false),
         *c = new_node(MESH, 4, NULL, 0, false);
    introduce(a, b);
    introduce(a, c);
    poll_all(20);
    TST_REQUIRE(a->nconnected == 2);
    /* remove_peer: peer_disconnected from the next poll, not from the call */
    TST_OK(emrtc_multiplayer_remove_peer(a->mp, 3));
    TST_EQ_INT(a->ndisconnected, 0);
    TST_CHECK(!emrtc_multiplayer_has_peer(a->mp, 3));
    TST_OK(emrtc_multiplayer_poll(a->mp));
    TST_EQ_INT(a->ndisconnected, 1);
    TST_EQ_INT(a->disconnected[0], 3);
    poll_all(10);
    TST_EQ_INT(b->ndisconnected, 1); /* the far side notices its connection going */
    /* graceful disconnect_peer: the connection closes, the next poll removes it with peer_disconnected */
    TST_OK(emrtc_multiplayer_disconnect_peer(a->mp, 4, false));
    TST_CHECK(emrtc_multiplayer_has_peer(a->mp, 4));
    poll_all(5);
    TST_EQ_INT(a->ndisconnected, 2);
    TST_EQ_INT(a->disconnected[1], 4);
    TST_EQ_INT(c->ndisconnected, 1);
    /* forced: gone at once, no callback */
    introduce(b, c);
    poll_all(20);
    TST_REQUIRE(b->nconnected == 2);
    int before = b->ndisconnected;
    TST_OK(emrtc_multiplayer_disconnect_peer(b->mp, 4, true));
    TST_CHECK(!emrtc_multiplayer_has_peer(b->mp, 4));
    poll_all(5);
    TST_EQ_INT(b->ndisconnected, before);
    TST_EQ_ERR(emrtc_multiplayer_disconnect_peer(b->mp, 4, true), EMRTC_ERR_INVALID_PARAMETER);
    destroy_world();
}

static void test_fair_across_peers(void) {
    reset_world();
    node *r = new_node(MESH, 1, NULL, 0, false), *flood = new_node(MESH, 2, NULL, 0, false),
         *quiet = new_node(MESH, 3, NULL, 0, false);
    introduce(r, flood);
    introduce(r, quiet);
    poll_all(20);
    TST_REQUIRE(r->nconnected == 2);
    for (int i = 0; i < 100; i++) send_text(flood, 1, EMRTC_TRANSFER_MODE_UNRELIABLE, "flood");
    for (int i = 0; i < 3; i++) send_text(quiet, 1, EMRTC_TRANSFER_MODE_RELIABLE, "quiet");
    poll_all(2);
    TST_EQ_INT(emrtc_multiplayer_get_available_packet_count(r->mp), 103);
    rx_t rx[6];
    TST_EQ_INT(read_all(r, rx, 6), 6);
    int quiet_seen = 0;
    for (int i = 0; i < 6; i++) {
        quiet_seen += rx[i].from == 3;
        if (i > 0) TST_CHECK(rx[i].from != rx[i - 1].from); /* turn by turn */
    }
    TST_EQ_INT(quiet_seen, 3);
    TST_EQ_INT(emrtc_multiplayer_get_available_packet_count(r->mp), 97);
    destroy_world();
}

static void test_lost_connection_hook(void) {
    reset_world();
    node *a = new_node(MESH, 2, NULL, 0, true), *b = new_node(MESH, 3, NULL, 0, false);
    introduce(a, b);
    poll_all(20);
    TST_REQUIRE(a->nconnected == 1);
    /* the hook keeps the peer: no peer_disconnected while a restart would be tried */
    a->keep_lost = 1;
    kill_node(b);
    poll_all(5);
    TST_EQ_INT(a->lost, 1);
    TST_CHECK(emrtc_multiplayer_has_peer(a->mp, 3));
    TST_EQ_INT(a->ndisconnected, 0);
    /* asked once per entry into the lost state, not every poll */
    poll_all(5);
    TST_EQ_INT(a->lost, 1);
    /* giving up: remove_peer, and peer_disconnected follows */
    TST_OK(emrtc_multiplayer_remove_peer(a->mp, 3));
    poll_all(1);
    TST_EQ_INT(a->ndisconnected, 1);
    /* answering false is Godot's behaviour: removed at once */
    node *c = new_node(MESH, 4, NULL, 0, false);
    introduce(a, c);
    poll_all(20);
    kill_node(c);
    poll_all(5);
    TST_EQ_INT(a->lost, 2);
    TST_CHECK(!emrtc_multiplayer_has_peer(a->mp, 4));
    TST_EQ_INT(a->ndisconnected, 2);
    destroy_world();
}

/* get_peer_stats asks the connection of that peer: the answer reaches the connection's `stats`
   callback (set by whoever signals it: here the test, as emrtc_session does), for the right peer */
static int stats_calls, stats_peer;
static emrtc_peer_stats stats_seen;
static void on_stats(emrtc_peer pc, const emrtc_peer_stats *st, void *ud) {
    (void)pc;
    stats_calls++, stats_peer = ((link_t *)ud)->peer_id, stats_seen = *st;
}
static void test_peer_stats(void) {
    reset_world();
    node *a = new_node(MESH, 2, NULL, 0, false), *b = new_node(MESH, 3, NULL, 0, false), *c = new_node(MESH, 4, NULL, 0, false);
    introduce(a, b);
    introduce(a, c);
    poll_all(20);
    TST_REQUIRE(a->nconnected == 2);
    emrtc_multiplayer_peer_info info;
    for (int id = 3; id <= 4; id++) {
        TST_OK(emrtc_multiplayer_get_peer(a->mp, id, &info));
        link_t *l = NULL;
        for (int i = 0; i < MAX_NODES; i++)
            if (a->links[i].peer_id == id) l = &a->links[i];
        TST_REQUIRE(l != NULL);
        TST_OK(emrtc_peer_set_callbacks(info.connection, &(emrtc_peer_callbacks){.session_description_created = on_sdp,
                                        .ice_candidate_created = on_ice, .stats = on_stats, .user_data = l}));
    }
    stats_calls = 0;
    TST_OK(emrtc_multiplayer_get_peer_stats(a->mp, 4));
    TST_EQ_INT(emrtc_multiplayer_get_peer_stats(a->mp, 4), EMRTC_ERR_BUSY); /* one request at a time */
    poll_all(2);
    TST_EQ_INT(stats_calls, 1);
    TST_EQ_INT(stats_peer, 4);
    TST_CHECK(stats_seen.responses_received > 0);
    TST_CHECK(stats_seen.current_round_trip_time_ms > 0 && stats_seen.current_round_trip_time_ms < 1000);
    TST_OK(emrtc_multiplayer_get_peer_stats(a->mp, 3));
    poll_all(2);
    TST_EQ_INT(stats_calls, 2);
    TST_EQ_INT(stats_peer, 3);
    /* unknown ids, its own id, a stale multiplayer: refused, nothing asked */
    TST_EQ_INT(emrtc_multiplayer_get_peer_stats(a->mp, 5), EMRTC_ERR_INVALID_PARAMETER);
    TST_EQ_INT(emrtc_multiplayer_get_peer_stats(a->mp, 2), EMRTC_ERR_INVALID_PARAMETER);
    TST_EQ_INT(emrtc_multiplayer_get_peer_stats(a->mp, 0), EMRTC_ERR_INVALID_PARAMETER);
    TST_EQ_INT(emrtc_multiplayer_get_peer_stats((emrtc_multiplayer){0}, 3), EMRTC_ERR_INVALID_PARAMETER);
    poll_all(2);
    TST_EQ_INT(stats_calls, 2);
    destroy_world();
}

static void test_destroy_from_callback(void) {
    reset_world();
    node *a = new_node(MESH, 2, NULL, 0, false), *b = new_node(MESH, 3, NULL, 0, false),
         *c = new_node(MESH, 4, NULL, 0, false);
    introduce(a, b);
    introduce(a, c);
    poll_all(20);
    a->destroy_in_callback = true;
    kill_node(b);
    kill_node(c);
    poll_all(5); /* a destroys itself in the first peer_disconnected: no second one */
    TST_EQ_INT(a->ndisconnected, 1);
    TST_CHECK(!a->alive);
    destroy_world();
}

int main(void) {
    TST_RUN(test_create_rules);
    TST_RUN(test_channel_layout_is_godots);
    TST_RUN(test_every_refusal_has_its_own_error);
    TST_RUN(test_mesh_of_four_targets);
    TST_RUN(test_transfer_modes_and_channels);
    TST_RUN(test_put_packet_refusals);
    TST_RUN(test_server_and_three_clients);
    TST_RUN(test_client_connection_failed);
    TST_RUN(test_leaving_and_joining_late);
    TST_RUN(test_remove_and_disconnect);
    TST_RUN(test_fair_across_peers);
    TST_RUN(test_lost_connection_hook);
    TST_RUN(test_peer_stats);
    TST_RUN(test_destroy_from_callback);
    return tst_summary("multiplayer");
}
