/* emrtc_multiplayer.c -- Godot's WebRTCMultiplayerPeer (include/emrtc_multiplayer.h) on the public
   core API. From emrtc_internal.h it takes only the shared helpers: the handle pool, _emrtc_fail
   for emrtc_last_error_message, and _emrtc_grow.

   Peers live in slots (a removed peer's slot is reused, with a new serial), so that callbacks run
   by poll may add and remove peers while poll walks the slots. Callbacks are queued as small
   events and delivered only from poll; the queue's room is reserved when a peer is added (at most
   EVENTS_PER_PEER outstanding per peer), so removing a peer never allocates. */
#include "emrtc_multiplayer.h"
#include "emrtc_internal.h"

#include <stdlib.h>
#include <string.h>

enum { MODE_NONE = 0, MODE_SERVER, MODE_CLIENT, MODE_MESH };
enum { CH_RELIABLE = 0, CH_ORDERED = 1, CH_UNRELIABLE = 2, CH_RESERVED = 3 };

enum {
    EV_PEER_CONNECTED = 1,
    EV_PEER_DISCONNECTED,
    EV_CONNECTION_SUCCEEDED,
    EV_CONNECTION_FAILED,
    EV_SERVER_DISCONNECTED,
    EV_CONNECTION_LOST, /* ask peer_connection_lost; state = the state it entered */
};
/* connected + succeeded + lost + disconnected + failed/server_disconnected */
#define EVENTS_PER_PEER 5u

typedef struct mp_event {
    uint8_t type;
    uint8_t state;
    int peer_id;
    uint32_t serial;
} mp_event;

typedef struct mp_peer {
    int id; /* 0 = free slot */
    uint32_t serial;
    emrtc_peer pc;
    emrtc_channel ch[EMRTC_MULTIPLAYER_MAX_CHANNELS];
    bool connected;
    emrtc_connection_state seen; /* the connection state poll last looked at */
} mp_peer;

typedef struct mp_t {
    emrtc_multiplayer_callbacks cb;
    int mode;
    int unique_id;
    emrtc_multiplayer_connection_status status;
    int extra_count;
    emrtc_transfer_mode extra_modes[EMRTC_MULTIPLAYER_MAX_EXTRA_CHANNELS];
    int channel_count; /* CH_RESERVED + extra_count */
    mp_peer *slots;
    uint32_t slot_cap, slot_count; /* allocated; in use or freed (high-water mark) */
    uint32_t live;                 /* peers */
    uint32_t serial;
    int target;
    int transfer_channel;
    emrtc_transfer_mode transfer_mode;
    bool refuse;
    int next_slot, next_channel; /* the next packet; next_slot -1 = none known */
    emrtc_channel held;          /* the channel whose packet get_packet handed out last */
    mp_event *events;            /* ring */
    uint32_t ev_cap, ev_head, ev_count;
    bool polling, destroyed;
} mp_t;

#define MAX_MULTIPLAYERS 1024u

static _emrtc_pool pool;
static bool pool_ready;

static mp_t *get_mp(emrtc_multiplayer h) { return pool_ready ? _emrtc_pool_get(&pool, h.id) : NULL; }

static mp_t *mp_or_fail(emrtc_multiplayer h, const char *fn, emrtc_error *err) {
    mp_t *m = get_mp(h);
    if (!m) *err = _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: multiplayer handle %u is not live", fn, h.id);
    return m;
}

static mp_peer *find_peer(mp_t *m, int peer_id) {
    if (peer_id <= 0) return NULL;
    for (uint32_t i = 0; i < m->slot_count; i++)
        if (m->slots[i].id == peer_id) return &m->slots[i];
    return NULL;
}

static mp_peer *peer_or_fail(mp_t *m, int peer_id, const char *fn, emrtc_error *err) {
    mp_peer *p = find_peer(m, peer_id);
    if (!p) *err = _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: %d is not a peer of this multiplayer", fn, peer_id);
    return p;
}

/* ---- events ---- */

static bool reserve_events(mp_t *m, uint32_t need) {
    if (need <= m->ev_cap) return true;
    uint32_t ncap = m->ev_cap ? m->ev_cap : 16u;
    while (ncap < need) ncap *= 2u;
    mp_event *ev = malloc(ncap * sizeof(*ev));
    if (!ev) return false;
    for (uint32_t i = 0; i < m->ev_count; i++) ev[i] = m->events[(m->ev_head + i) % m->ev_cap];
    free(m->events);
    m->events = ev;
    m->ev_cap = ncap;
    m->ev_head = 0;
    return true;
}

static void push_event(mp_t *m, int type, int peer_id, uint32_t serial, emrtc_connection_state state) {
    if (m->ev_count == m->ev_cap && !reserve_events(m, m->ev_cap + 1u)) {
        /* cannot happen while the reservation made by add_peer holds */
        _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "multiplayer: out of memory queuing a callback: it was lost");
        return;
    }
    m->events[(m->ev_head + m->ev_count) % m->ev_cap] =
        (mp_event){(uint8_t)type, (uint8_t)state, peer_id, serial};
    m->ev_count++;
}

/* ---- peers ---- */

static void clear_next(mp_t *m) {
    m->next_slot = -1;
    m->next_channel = 0;
}

/* Removes the peer in slot p: destroys its connection (and channels) and, when `notify`, queues
   Godot's signals for it. */
static void remove_slot(mp_t *m, mp_peer *p, bool notify) {
    int id = p->id;
    bool was_connected = p->connected;
    emrtc_peer pc = p->pc;
    if (m->next_slot == (int)(p - m->slots)) clear_next(m);
    p->id = 0;
    p->connected = false;
    p->serial = ++m->serial;
    p->pc = (emrtc_peer){0};
    m->live--;
    emrtc_peer_destroy(pc);
    if (notify && was_connected) push_event(m, EV_PEER_DISCONNECTED, id, 0, EMRTC_STATE_CLOSED);
    if (m->mode == MODE_CLIENT && id == EMRTC_TARGET_PEER_SERVER) {
        if (notify) {
            if (was_connected) push_event(m, EV_SERVER_DISCONNECTED, id, 0, EMRTC_STATE_CLOSED);
            else if (m->status == EMRTC_CONNECTION_CONNECTING)
                push_event(m, EV_CONNECTION_FAILED, id, 0, EMRTC_STATE_CLOSED);
        }
        m->status = EMRTC_CONNECTION_DISCONNECTED;
    }
}

static void remove_all(mp_t *m) {
    for (uint32_t i = 0; i < m->slot_count; i++)
        if (m->slots[i].id) remove_slot(m, &m->slots[i], false);
}

/* ---- create / destroy ---- */

emrtc_multiplayer emrtc_multiplayer_create(const emrtc_multiplayer_desc *desc) {
    if (!pool_ready) {
        _emrtc_pool_init(&pool, MAX_MULTIPLAYERS);
        pool_ready = true;
    }
    mp_t *m = calloc(1, sizeof(*m));
    if (!m) {
        _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "emrtc_multiplayer_create: out of memory");
        return (emrtc_multiplayer){0};
    }
    uint32_t id = _emrtc_pool_add(&pool, m);
    if (!id) {
        free(m);
        _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "emrtc_multiplayer_create: out of memory or of handles (at most %u)",
                    MAX_MULTIPLAYERS);
        return (emrtc_multiplayer){0};
    }
    if (desc) m->cb = desc->callbacks;
    m->transfer_mode = EMRTC_TRANSFER_MODE_RELIABLE;
    m->status = EMRTC_CONNECTION_DISCONNECTED;
    clear_next(m);
    return (emrtc_multiplayer){id};
}

static void free_mp(mp_t *m) {
    free(m->slots);
    free(m->events);
    free(m);
}

void emrtc_multiplayer_destroy(emrtc_multiplayer h) {
    mp_t *m = get_mp(h);
    if (!m) return;
    _emrtc_pool_remove(&pool, h.id);
    remove_all(m);
    m->ev_count = 0;
    if (m->polling) m->destroyed = true; /* poll frees it on its way out */
    else free_mp(m);
}

emrtc_error emrtc_multiplayer_set_callbacks(emrtc_multiplayer h, const emrtc_multiplayer_callbacks *cb) {
    emrtc_error err = EMRTC_OK;
    mp_t *m = mp_or_fail(h, "emrtc_multiplayer_set_callbacks", &err);
    if (!m) return err;
    if (cb) m->cb = *cb;
    else memset(&m->cb, 0, sizeof(m->cb));
    return EMRTC_OK;
}

static emrtc_error initialize(emrtc_multiplayer h, const char *fn, int mode, int self_id,
                              const emrtc_transfer_mode *modes, int count) {
    emrtc_error err = EMRTC_OK;
    mp_t *m = mp_or_fail(h, fn, &err);
    if (!m) return err;
    if (m->mode != MODE_NONE)
        return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "%s: already created (own id %d); close() first", fn, m->unique_id);
    if (self_id < 1) /* (the upper bound is INT_MAX itself) */
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "%s: own id %d is outside 1..%d", fn, self_id,
                           EMRTC_MULTIPLAYER_MAX_PEER_ID);
    if (mode == MODE_CLIENT && self_id == EMRTC_TARGET_PEER_SERVER)
        return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: clients cannot have id 1 (the server's)", fn);
    if (count < 0 || count > EMRTC_MULTIPLAYER_MAX_EXTRA_CHANNELS)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "%s: %d extra channels, at most %d", fn, count,
                           EMRTC_MULTIPLAYER_MAX_EXTRA_CHANNELS);
    if (count > 0 && !modes) return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: channels_config is NULL", fn);
    for (int i = 0; i < count; i++) {
        if (modes[i] != EMRTC_TRANSFER_MODE_UNRELIABLE && modes[i] != EMRTC_TRANSFER_MODE_UNRELIABLE_ORDERED &&
            modes[i] != EMRTC_TRANSFER_MODE_RELIABLE)
            return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER,
                               "%s: channels_config[%d] is %d, not a transfer mode (0, 1 or 2)", fn, i, (int)modes[i]);
    }
    for (int i = 0; i < count; i++) m->extra_modes[i] = modes[i];
    m->extra_count = count;
    m->channel_count = CH_RESERVED + count;
    m->unique_id = self_id;
    m->mode = mode;
    m->status = mode == MODE_CLIENT ? EMRTC_CONNECTION_CONNECTING : EMRTC_CONNECTION_CONNECTED;
    return EMRTC_OK;
}

emrtc_error emrtc_multiplayer_create_server(emrtc_multiplayer mp, const emrtc_transfer_mode *channels_config, int count) {
    return initialize(mp, "emrtc_multiplayer_create_server", MODE_SERVER, EMRTC_TARGET_PEER_SERVER, channels_config,
                      count);
}

emrtc_error emrtc_multiplayer_create_client(emrtc_multiplayer mp, int peer_id, const emrtc_transfer_mode *channels_config,
                                            int count) {
    return initialize(mp, "emrtc_multiplayer_create_client", MODE_CLIENT, peer_id, channels_config, count);
}

emrtc_error emrtc_multiplayer_create_mesh(emrtc_multiplayer mp, int peer_id, const emrtc_transfer_mode *channels_config,
                                          int count) {
    return initialize(mp, "emrtc_multiplayer_create_mesh", MODE_MESH, peer_id, channels_config, count);
}

void emrtc_multiplayer_close(emrtc_multiplayer h) {
    mp_t *m = get_mp(h);
    if (!m) return;
    remove_all(m);
    m->ev_count = 0;
    m->mode = MODE_NONE;
    m->unique_id = 0;
    m->extra_count = 0;
    m->channel_count = 0;
    m->target = 0;
    m->status = EMRTC_CONNECTION_DISCONNECTED;
    clear_next(m);
}

/* ---- peers ---- */

/* The options of channel `index` (0-based) of a peer, Godot's layout. */
static void channel_options(const mp_t *m, int index, int lifetime, emrtc_channel_options *o, char *label, size_t cap) {
    memset(o, 0, sizeof(*o));
    o->negotiated = true;
    o->has_id = true;
    o->id = (uint32_t)index + 1u;
    static const char *const reserved[CH_RESERVED] = {"reliable", "ordered", "unreliable"};
    emrtc_transfer_mode mode;
    if (index < CH_RESERVED) {
        mode = index == CH_RELIABLE    ? EMRTC_TRANSFER_MODE_RELIABLE
               : index == CH_ORDERED ? EMRTC_TRANSFER_MODE_UNRELIABLE_ORDERED
                                     : EMRTC_TRANSFER_MODE_UNRELIABLE;
        strcpy(label, reserved[index]);
    } else {
        mode = m->extra_modes[index - CH_RESERVED];
        lifetime = 1; /* Godot's extra channels always use 1 ms */
        /* the label is the id in decimal, as Godot's */
        char digits[8];
        int n = 0;
        for (uint32_t v = o->id; v; v /= 10u) digits[n++] = (char)('0' + v % 10u);
        size_t k = 0;
        while (n > 0 && k + 1 < cap) label[k++] = digits[--n];
        label[k] = '\0';
    }
    if (mode != EMRTC_TRANSFER_MODE_RELIABLE) {
        o->has_max_packet_life_time = true;
        o->max_packet_life_time = (uint32_t)lifetime;
    }
    o->unordered = mode == EMRTC_TRANSFER_MODE_UNRELIABLE;
}

emrtc_error emrtc_multiplayer_add_peer(emrtc_multiplayer h, emrtc_peer pc, int peer_id, int lifetime) {
    static const char fn[] = "emrtc_multiplayer_add_peer";
    emrtc_error err = EMRTC_OK;
    mp_t *m = mp_or_fail(h, fn, &err);
    if (!m) return err;
    if (m->mode == MODE_NONE)
        return _emrtc_fail(EMRTC_ERR_UNCONFIGURED, "%s: create_server, create_client or create_mesh first", fn);
    if (peer_id < 1)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "%s: peer id %d is outside 1..%d", fn, peer_id,
                           EMRTC_MULTIPLAYER_MAX_PEER_ID);
    if (m->mode == MODE_CLIENT && peer_id != EMRTC_TARGET_PEER_SERVER)
        return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: a client adds the server only (id 1), not %d", fn, peer_id);
    if (peer_id == m->unique_id)
        return _emrtc_fail(EMRTC_ERR_ALREADY_IN_USE, "%s: %d is this multiplayer's own id%s", fn, peer_id,
                           m->mode == MODE_SERVER ? " (the server's)" : "");
    if (lifetime < 0 || lifetime > EMRTC_MULTIPLAYER_MAX_LIFETIME)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "%s: unreliable_lifetime %d ms is outside 0..%d", fn,
                           lifetime, EMRTC_MULTIPLAYER_MAX_LIFETIME);
    if (find_peer(m, peer_id))
        return _emrtc_fail(EMRTC_ERR_ALREADY_EXISTS, "%s: peer %d was already added (remove_peer first)", fn, peer_id);
    if (m->refuse)
        return _emrtc_fail(EMRTC_ERR_UNAUTHORIZED, "%s: refusing new connections (set_refuse_new_connections)", fn);
    if (!emrtc_peer_get_extension(pc))
        return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: connection handle %u is not a live peer", fn, pc.id);
    for (uint32_t i = 0; i < m->slot_count; i++)
        if (m->slots[i].id && m->slots[i].pc.id == pc.id)
            return _emrtc_fail(EMRTC_ERR_ALREADY_IN_USE, "%s: that connection is already peer %d", fn, m->slots[i].id);
    emrtc_connection_state state = emrtc_peer_get_connection_state(pc);
    if (state != EMRTC_STATE_NEW)
        return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "%s: the connection is in state %d, not STATE_NEW (0)", fn, (int)state);

    /* room first, so that nothing below fails for memory after the channels exist */
    mp_peer *slot = NULL;
    for (uint32_t i = 0; i < m->slot_count && !slot; i++)
        if (!m->slots[i].id) slot = &m->slots[i];
    if (!slot && m->slot_count == m->slot_cap) {
        uint32_t ncap = m->slot_cap ? m->slot_cap * 2u : 4u;
        mp_peer *s = _emrtc_grow(m->slots, m->slot_cap * sizeof(*s), ncap * sizeof(*s));
        if (!s) return _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "%s: out of memory", fn);
        memset(s + m->slot_cap, 0, (ncap - m->slot_cap) * sizeof(*s));
        m->slots = s;
        m->slot_cap = ncap;
    }
    if (!reserve_events(m, m->ev_count + EVENTS_PER_PEER * (m->live + 1u)))
        return _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "%s: out of memory", fn);

    emrtc_channel ch[EMRTC_MULTIPLAYER_MAX_CHANNELS];
    for (int i = 0; i < m->channel_count; i++) {
        emrtc_channel_options o;
        char label[16];
        channel_options(m, i, lifetime, &o, label, sizeof label);
        err = emrtc_peer_create_data_channel(pc, label, &o, &ch[i]);
        if (err != EMRTC_OK) {
            /* the core's message says why (e.g. a negotiated id already taken on the connection) */
            while (i-- > 0) emrtc_channel_destroy(ch[i]);
            return err;
        }
    }
    if (!slot) slot = &m->slots[m->slot_count++];
    slot->id = peer_id;
    slot->serial = ++m->serial;
    slot->pc = pc;
    memcpy(slot->ch, ch, (size_t)m->channel_count * sizeof(ch[0]));
    slot->connected = false;
    slot->seen = EMRTC_STATE_NEW;
    m->live++;
    return EMRTC_OK;
}

emrtc_error emrtc_multiplayer_remove_peer(emrtc_multiplayer h, int peer_id) {
    emrtc_error err = EMRTC_OK;
    mp_t *m = mp_or_fail(h, "emrtc_multiplayer_remove_peer", &err);
    if (!m) return err;
    mp_peer *p = peer_or_fail(m, peer_id, "emrtc_multiplayer_remove_peer", &err);
    if (!p) return err;
    remove_slot(m, p, true);
    return EMRTC_OK;
}

bool emrtc_multiplayer_has_peer(emrtc_multiplayer h, int peer_id) {
    mp_t *m = get_mp(h);
    return m && find_peer(m, peer_id);
}

emrtc_error emrtc_multiplayer_get_peer(emrtc_multiplayer h, int peer_id, emrtc_multiplayer_peer_info *info) {
    emrtc_error err = EMRTC_OK;
    mp_t *m = mp_or_fail(h, "emrtc_multiplayer_get_peer", &err);
    if (!m) return err;
    if (!info) return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "emrtc_multiplayer_get_peer: info is NULL");
    mp_peer *p = peer_or_fail(m, peer_id, "emrtc_multiplayer_get_peer", &err);
    if (!p) return err;
    memset(info, 0, sizeof(*info));
    info->connection = p->pc;
    info->connected = p->connected;
    info->channel_count = m->channel_count;
    memcpy(info->channels, p->ch, (size_t)m->channel_count * sizeof(p->ch[0]));
    return EMRTC_OK;
}

emrtc_error emrtc_multiplayer_get_peer_stats(emrtc_multiplayer h, int peer_id) {
    emrtc_error err;
    mp_t *m = mp_or_fail(h, "emrtc_multiplayer_get_peer_stats", &err);
    if (!m) return err;
    mp_peer *p = peer_or_fail(m, peer_id, "emrtc_multiplayer_get_peer_stats", &err);
    return p ? emrtc_peer_get_stats(p->pc) : err;
}

int emrtc_multiplayer_get_peers(emrtc_multiplayer h, int *ids, int capacity) {
    mp_t *m = get_mp(h);
    if (!m) return 0;
    int n = 0;
    for (uint32_t i = 0; i < m->slot_count; i++) {
        if (!m->slots[i].id) continue;
        if (ids && n < capacity) ids[n] = m->slots[i].id;
        n++;
    }
    return n;
}

emrtc_error emrtc_multiplayer_disconnect_peer(emrtc_multiplayer h, int peer_id, bool force) {
    emrtc_error err = EMRTC_OK;
    mp_t *m = mp_or_fail(h, "emrtc_multiplayer_disconnect_peer", &err);
    if (!m) return err;
    mp_peer *p = peer_or_fail(m, peer_id, "emrtc_multiplayer_disconnect_peer", &err);
    if (!p) return err;
    if (force) remove_slot(m, p, false);
    else emrtc_peer_close(p->pc); /* the next poll sees it closed and removes it */
    return EMRTC_OK;
}

emrtc_error emrtc_multiplayer_set_refuse_new_connections(emrtc_multiplayer h, bool refuse) {
    emrtc_error err = EMRTC_OK;
    mp_t *m = mp_or_fail(h, "emrtc_multiplayer_set_refuse_new_connections", &err);
    if (!m) return err;
    m->refuse = refuse;
    return EMRTC_OK;
}

bool emrtc_multiplayer_is_refusing_new_connections(emrtc_multiplayer h) {
    mp_t *m = get_mp(h);
    return m && m->refuse;
}

/* ---- sending ---- */

emrtc_error emrtc_multiplayer_set_target_peer(emrtc_multiplayer h, int peer_id) {
    emrtc_error err = EMRTC_OK;
    mp_t *m = mp_or_fail(h, "emrtc_multiplayer_set_target_peer", &err);
    if (!m) return err;
    m->target = peer_id;
    return EMRTC_OK;
}

int emrtc_multiplayer_get_target_peer(emrtc_multiplayer h) {
    mp_t *m = get_mp(h);
    return m ? m->target : 0;
}

emrtc_error emrtc_multiplayer_set_transfer_mode(emrtc_multiplayer h, emrtc_transfer_mode mode) {
    emrtc_error err = EMRTC_OK;
    mp_t *m = mp_or_fail(h, "emrtc_multiplayer_set_transfer_mode", &err);
    if (!m) return err;
    if (mode != EMRTC_TRANSFER_MODE_UNRELIABLE && mode != EMRTC_TRANSFER_MODE_UNRELIABLE_ORDERED &&
        mode != EMRTC_TRANSFER_MODE_RELIABLE)
        return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "emrtc_multiplayer_set_transfer_mode: %d is not a transfer mode",
                           (int)mode);
    m->transfer_mode = mode;
    return EMRTC_OK;
}

emrtc_transfer_mode emrtc_multiplayer_get_transfer_mode(emrtc_multiplayer h) {
    mp_t *m = get_mp(h);
    return m ? m->transfer_mode : EMRTC_TRANSFER_MODE_RELIABLE;
}

emrtc_error emrtc_multiplayer_set_transfer_channel(emrtc_multiplayer h, int channel) {
    emrtc_error err = EMRTC_OK;
    mp_t *m = mp_or_fail(h, "emrtc_multiplayer_set_transfer_channel", &err);
    if (!m) return err;
    if (channel < 0)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "emrtc_multiplayer_set_transfer_channel: %d is negative",
                           channel);
    m->transfer_channel = channel;
    return EMRTC_OK;
}

int emrtc_multiplayer_get_transfer_channel(emrtc_multiplayer h) {
    mp_t *m = get_mp(h);
    return m ? m->transfer_channel : 0;
}

emrtc_error emrtc_multiplayer_put_packet(emrtc_multiplayer h, const void *data, size_t size) {
    static const char fn[] = "emrtc_multiplayer_put_packet";
    emrtc_error err = EMRTC_OK;
    mp_t *m = mp_or_fail(h, fn, &err);
    if (!m) return err;
    if (m->mode == MODE_NONE || m->status == EMRTC_CONNECTION_DISCONNECTED)
        return _emrtc_fail(EMRTC_ERR_UNCONFIGURED, "%s: %s", fn,
                           m->mode == MODE_NONE ? "not created yet" : "the server is gone");
    if (!data && size) return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: data is NULL", fn);
    int idx;
    if (m->transfer_channel == 0) {
        idx = m->transfer_mode == EMRTC_TRANSFER_MODE_RELIABLE ? CH_RELIABLE
              : m->transfer_mode == EMRTC_TRANSFER_MODE_UNRELIABLE_ORDERED ? CH_ORDERED
                                                                           : CH_UNRELIABLE;
    } else if (m->transfer_channel > m->extra_count) {
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "%s: transfer channel %d, but %d extra channels", fn,
                           m->transfer_channel, m->extra_count);
    } else {
        idx = CH_RESERVED + m->transfer_channel - 1;
    }
    if (m->target > 0) {
        mp_peer *p = find_peer(m, m->target);
        if (!p) return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: target %d is not a peer", fn, m->target);
        if (!p->connected)
            return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "%s: target %d is not connected yet (wait for peer_connected)", fn,
                               m->target);
        return emrtc_channel_put_packet(p->ch[idx], data, size);
    }
    int exclude = m->target < 0 ? -m->target : 0;
    /* check first, so that a packet too large for one target goes to none */
    for (uint32_t i = 0; i < m->slot_count; i++) {
        mp_peer *p = &m->slots[i];
        if (!p->id || !p->connected || p->id == exclude) continue;
        size_t max = emrtc_channel_get_max_packet_size(p->ch[idx]);
        if (size > max)
            return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "%s: %zu bytes, peer %d's channel takes at most %zu", fn,
                               size, p->id, max);
    }
    emrtc_error first = EMRTC_OK;
    for (uint32_t i = 0; i < m->slot_count; i++) {
        mp_peer *p = &m->slots[i];
        if (!p->id || !p->connected || p->id == exclude) continue;
        if (emrtc_channel_get_ready_state(p->ch[idx]) != EMRTC_CHANNEL_STATE_OPEN) continue; /* leaving: next poll */
        emrtc_error e = emrtc_channel_put_packet(p->ch[idx], data, size);
        if (e != EMRTC_OK && first == EMRTC_OK) first = e; /* the core's message names the cause */
    }
    return first;
}

/* ---- receiving ---- */

/* A packet waits on slot s: sets next_slot/next_channel. */
static bool slot_has_packet(mp_t *m, uint32_t s) {
    mp_peer *p = &m->slots[s];
    if (!p->id || !p->connected) return false;
    for (int c = 0; c < m->channel_count; c++) {
        if (emrtc_channel_get_available_packet_count(p->ch[c]) > 0) {
            m->next_slot = (int)s;
            m->next_channel = c;
            return true;
        }
    }
    return false;
}

/* Godot's _find_next_peer: the first peer with a packet after slot `after`, wrapping round to
   `after` itself last (-1: from the first slot). */
static bool find_next(mp_t *m, int after) {
    uint32_t n = m->slot_count;
    for (uint32_t k = 1; k <= n; k++) {
        uint32_t s = after < 0 ? k - 1u : ((uint32_t)after + k) % n;
        if (slot_has_packet(m, s)) return true;
        if (after < 0 && k == n) break;
    }
    clear_next(m);
    return false;
}

/* The next packet is known and still there (the game may have read channels itself). */
static bool ensure_next(mp_t *m) {
    if (m->next_slot >= 0) {
        mp_peer *p = &m->slots[m->next_slot];
        if (p->id && p->connected && emrtc_channel_get_available_packet_count(p->ch[m->next_channel]) > 0) return true;
        return find_next(m, m->next_slot - 1 < 0 ? -1 : m->next_slot - 1);
    }
    return find_next(m, -1);
}

/* Ends the validity of the packet handed out last (the contract allows it at the next get_packet)
   when its channel has nothing more to read, so that the core can reuse that room at once: a read
   of an empty channel releases its held packet. */
static void release_held(mp_t *m, emrtc_channel next) {
    if (!m->held.id || m->held.id == next.id) return;
    if (emrtc_channel_get_available_packet_count(m->held) == 0) {
        const uint8_t *d;
        size_t n;
        emrtc_channel_get_packet(m->held, &d, &n); /* EMRTC_ERR_UNAVAILABLE, and the release */
    }
    m->held = (emrtc_channel){0};
}

emrtc_error emrtc_multiplayer_get_packet(emrtc_multiplayer h, const uint8_t **data, size_t *size) {
    static const char fn[] = "emrtc_multiplayer_get_packet";
    emrtc_error err = EMRTC_OK;
    mp_t *m = mp_or_fail(h, fn, &err);
    if (!m) return err;
    if (!data || !size) return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: data or size is NULL", fn);
    if (!ensure_next(m)) {
        release_held(m, (emrtc_channel){0});
        *data = NULL;
        *size = 0;
        return _emrtc_fail_const(EMRTC_ERR_UNAVAILABLE, "emrtc_multiplayer_get_packet: no packet available");
    }
    int s = m->next_slot;
    emrtc_channel ch = m->slots[s].ch[m->next_channel];
    release_held(m, ch);
    err = emrtc_channel_get_packet(ch, data, size);
    if (err == EMRTC_OK) m->held = ch;
    find_next(m, s); /* the next packet comes from the next peer that has one */
    return err;
}

int emrtc_multiplayer_get_available_packet_count(emrtc_multiplayer h) {
    mp_t *m = get_mp(h);
    if (!m) return 0;
    int n = 0;
    for (uint32_t i = 0; i < m->slot_count; i++) {
        mp_peer *p = &m->slots[i];
        if (!p->id || !p->connected) continue;
        for (int c = 0; c < m->channel_count; c++) n += emrtc_channel_get_available_packet_count(p->ch[c]);
    }
    return n;
}

int emrtc_multiplayer_get_packet_peer(emrtc_multiplayer h) {
    mp_t *m = get_mp(h);
    return m && ensure_next(m) ? m->slots[m->next_slot].id : 0;
}

int emrtc_multiplayer_get_packet_channel(emrtc_multiplayer h) {
    mp_t *m = get_mp(h);
    if (!m || !ensure_next(m)) return 0;
    return m->next_channel < CH_RESERVED ? 0 : m->next_channel - CH_RESERVED + 1;
}

emrtc_transfer_mode emrtc_multiplayer_get_packet_mode(emrtc_multiplayer h) {
    mp_t *m = get_mp(h);
    if (!m || !ensure_next(m)) return EMRTC_TRANSFER_MODE_RELIABLE;
    int c = m->next_channel;
    if (c >= CH_RESERVED) return m->extra_modes[c - CH_RESERVED];
    return c == CH_RELIABLE ? EMRTC_TRANSFER_MODE_RELIABLE
           : c == CH_ORDERED ? EMRTC_TRANSFER_MODE_UNRELIABLE_ORDERED
                             : EMRTC_TRANSFER_MODE_UNRELIABLE;
}

/* ---- poll ---- */

/* Looks at one peer's connection and channels, as Godot's poll does; queues what it finds. */
static void check_peer(mp_t *m, mp_peer *p) {
    emrtc_connection_state state = emrtc_peer_get_connection_state(p->pc);
    emrtc_connection_state before = p->seen;
    p->seen = state;
    switch (state) {
    case EMRTC_STATE_NEW:
    case EMRTC_STATE_CONNECTING: return;
    case EMRTC_STATE_CONNECTED: break;
    case EMRTC_STATE_DISCONNECTED:
    case EMRTC_STATE_FAILED:
        if (!m->cb.peer_connection_lost) remove_slot(m, p, true);
        else if (before != state) push_event(m, EV_CONNECTION_LOST, p->id, p->serial, state);
        return;
    default: remove_slot(m, p, true); return;
    }
    int open = 0;
    for (int c = 0; c < m->channel_count; c++) {
        emrtc_channel_state cs = emrtc_channel_get_ready_state(p->ch[c]);
        if (cs == EMRTC_CHANNEL_STATE_OPEN) open++;
        else if (cs != EMRTC_CHANNEL_STATE_CONNECTING) {
            remove_slot(m, p, true); /* a channel closed: the peer is gone */
            return;
        }
    }
    if (open == m->channel_count && !p->connected) {
        p->connected = true;
        push_event(m, EV_PEER_CONNECTED, p->id, p->serial, state);
        if (m->mode == MODE_CLIENT) {
            m->status = EMRTC_CONNECTION_CONNECTED;
            push_event(m, EV_CONNECTION_SUCCEEDED, p->id, p->serial, state);
        }
    }
}

/* Delivers the queued callbacks; false when a callback destroyed the multiplayer. */
static bool deliver(mp_t *m, emrtc_multiplayer h) {
    while (m->ev_count > 0) {
        mp_event ev = m->events[m->ev_head];
        m->ev_head = (m->ev_head + 1u) % m->ev_cap;
        m->ev_count--;
        const emrtc_multiplayer_callbacks *cb = &m->cb;
        switch (ev.type) {
        case EV_PEER_CONNECTED:
            if (cb->peer_connected) cb->peer_connected(h, ev.peer_id, cb->user_data);
            break;
        case EV_PEER_DISCONNECTED:
            if (cb->peer_disconnected) cb->peer_disconnected(h, ev.peer_id, cb->user_data);
            break;
        case EV_CONNECTION_SUCCEEDED:
            if (cb->connection_succeeded) cb->connection_succeeded(h, cb->user_data);
            break;
        case EV_CONNECTION_FAILED:
            if (cb->connection_failed) cb->connection_failed(h, cb->user_data);
            break;
        case EV_SERVER_DISCONNECTED:
            if (cb->server_disconnected) cb->server_disconnected(h, cb->user_data);
            break;
        case EV_CONNECTION_LOST: {
            mp_peer *p = find_peer(m, ev.peer_id);
            if (!p || p->serial != ev.serial || p->seen != (emrtc_connection_state)ev.state) break; /* moved on */
            bool keep = cb->peer_connection_lost &&
                        cb->peer_connection_lost(h, ev.peer_id, (emrtc_connection_state)ev.state, cb->user_data);
            if (m->destroyed) return false;
            p = find_peer(m, ev.peer_id);
            if (!keep && p && p->serial == ev.serial) remove_slot(m, p, true);
            break;
        }
        default: break;
        }
        if (m->destroyed) return false;
    }
    m->ev_head = 0;
    return true;
}

emrtc_error emrtc_multiplayer_poll(emrtc_multiplayer h) {
    emrtc_error err = EMRTC_OK;
    mp_t *m = mp_or_fail(h, "emrtc_multiplayer_poll", &err);
    if (!m) return err;
    if (m->polling) return _emrtc_fail(EMRTC_ERR_BUSY, "emrtc_multiplayer_poll: called from its own callback");
    m->polling = true;
    /* 1: poll the connections (their callbacks may add, remove or destroy anything) */
    for (uint32_t i = 0; i < m->slot_count && !m->destroyed; i++) {
        if (m->slots[i].id) emrtc_peer_poll(m->slots[i].pc);
    }
    /* 2: look at their states (no callbacks) */
    for (uint32_t i = 0; i < m->slot_count && !m->destroyed; i++) {
        if (m->slots[i].id) check_peer(m, &m->slots[i]);
    }
    /* 3: tell */
    if (!m->destroyed) deliver(m, h);
    if (m->destroyed) {
        free_mp(m);
        return EMRTC_OK;
    }
    m->polling = false;
    if (m->next_slot < 0) find_next(m, -1);
    return EMRTC_OK;
}

/* ---- getters ---- */

int emrtc_multiplayer_get_unique_id(emrtc_multiplayer h) {
    mp_t *m = get_mp(h);
    return m ? m->unique_id : 0;
}

bool emrtc_multiplayer_is_server(emrtc_multiplayer h) {
    mp_t *m = get_mp(h);
    return m && m->mode != MODE_NONE && m->unique_id == EMRTC_TARGET_PEER_SERVER;
}

bool emrtc_multiplayer_is_server_relay_supported(emrtc_multiplayer h) {
    mp_t *m = get_mp(h);
    return m && (m->mode == MODE_SERVER || m->mode == MODE_CLIENT);
}

emrtc_multiplayer_connection_status emrtc_multiplayer_get_connection_status(emrtc_multiplayer h) {
    mp_t *m = get_mp(h);
    return m ? m->status : EMRTC_CONNECTION_DISCONNECTED;
}

int emrtc_multiplayer_live_count(void) { return pool_ready ? (int)pool.live : 0; }
