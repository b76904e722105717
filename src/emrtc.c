/* emrtc core: handles, validation, event queues, packet buffers, dispatch from poll().
   Backend-neutral: every operation reaches the browser (or loopback, or a user extension) through the
   peer's emrtc_extension table, with arguments already checked here, so every backend refuses the
   same bad input with the same error. */
#include "emrtc_internal.h"

#include <stdlib.h>
#include <string.h>

#ifdef __EMSCRIPTEN_PTHREADS__
#include <emscripten/console.h>
#include <emscripten/threading.h>
#endif

/* ---- errors ---- */

/* one per thread: a thread refused as off the main thread can read why */
static _Thread_local char last_error[512];
static _Thread_local const char *last_message; /* a constant (_emrtc_fail_const), or NULL: last_error */

const char *emrtc_error_name(emrtc_error err) {
    switch (err) {
#define EMRTC_X_(name, value, text) \
    case EMRTC_##name: return "EMRTC_" #name;
        EMRTC_ERROR_MAP(EMRTC_X_)
#undef EMRTC_X_
    }
    return "EMRTC_UNKNOWN_ERROR";
}

const char *emrtc_error_string(emrtc_error err) {
    switch (err) {
#define EMRTC_X_(name, value, text) \
    case EMRTC_##name: return text;
        EMRTC_ERROR_MAP(EMRTC_X_)
#undef EMRTC_X_
    }
    return "unknown error";
}

const char *emrtc_last_error_message(void) { return last_message ? last_message : last_error; }

emrtc_error _emrtc_fail_const(emrtc_error err, const char *msg) {
    last_message = msg;
    return err;
}

emrtc_error _emrtc_fail(emrtc_error err, const char *fmt, ...) {
    last_message = NULL;
    va_list ap;
    va_start(ap, fmt);
    _emrtc_format(last_error, sizeof(last_error), fmt, ap);
    va_end(ap);
    return err;
}

#ifdef __EMSCRIPTEN_PTHREADS__
bool _emrtc_off_main_thread(const char *fn) {
    if (emscripten_is_main_browser_thread()) return false;
    _emrtc_fail(EMRTC_ERR_LOCKED,
                "%s: called from a thread other than the main browser thread; emrtc works on the main thread only "
                "(RTCPeerConnection exists only there)", fn);
    emscripten_console_error(last_error);
    return true;
}
#endif

/* ---- objects ---- */

typedef struct held_candidate {
    char *media, *name;
    int index;
} held_candidate;

typedef struct peer_t {
    emrtc_extension ext;
    emrtc_peer_callbacks cb;
    _emrtc_queue events;
    /* as of the last poll (getters) */
    emrtc_connection_state conn;
    emrtc_gathering_state gather;
    emrtc_signaling_state sig;
    /* as last reported by the backend (deduplication and state checks) */
    emrtc_connection_state conn_latest;
    emrtc_gathering_state gather_latest;
    emrtc_signaling_state sig_latest;
    bool closed;
    bool offer_in_flight;    /* create_offer called, its description or error not yet dispatched */
    bool remote_set;         /* set_remote_description was called since initialize */
    bool stats_in_flight;    /* get_stats called, its stats callback (or error) not yet run */
    bool stats_ready;        /* `stats` holds the answer; an _EMRTC_EV_STATS event is queued */
    emrtc_peer_stats stats;
    held_candidate *held;    /* candidates added before the remote description */
    int held_count, held_cap;
    emrtc_channel *channels; /* in creation order */
    int channel_count, channel_cap;
    uint32_t lost_events;    /* events of the peer or its channels lost (memory, queue limit): told at poll */
    /* limits (configuration) */
    size_t backlog_limit;
    emrtc_backlog_policy backlog_policy;
    uint32_t max_channels;
    size_t remote_label_bytes;  /* labels + protocols of the channels the remote opened */
    uint32_t refused;           /* remote channels refused since the last poll, and why (the last one) */
    char refused_why[96];
} peer_t;

typedef struct channel_t {
    emrtc_peer peer;
    emrtc_channel_callbacks cb;
    _emrtc_queue events;
    _emrtc_packetbuf packets;
    char *label, *protocol;
    emrtc_channel_options options; /* options.protocol points to protocol */
    emrtc_write_mode write_mode;
    emrtc_channel_state state;        /* as of the last poll */
    emrtc_channel_state state_latest; /* as last reported */
    size_t max_message;               /* the transport's limit, asked once the channel is open */
    bool last_was_string;
    emrtc_channel_stats traffic;
    bool unannounced;                 /* received, data_channel_received not yet called */
    uint32_t packets_unannounced;     /* packets committed whose event was lost */
    bool received;                    /* opened by the remote (its label counts in remote_label_bytes) */
    size_t backlog_limit;             /* unread bytes (+ overhead) this channel may hold */
    emrtc_backlog_policy backlog_policy;
    size_t backlog;                   /* what its unread packets count (bytes + overhead each) */
    uint64_t dropped;                 /* packets dropped at the limit */
    bool dropping;                    /* in a burst of drops (ends when a packet fits again) */
    bool burst_untold;                /* a burst began since the last report */
    uint8_t drop_why;                 /* DROP_*: what the last dropped packet did not fit */
    bool limit_closed;                /* closed by EMRTC_BACKLOG_CLOSE */
    bool dispatching;                 /* in channel_dispatch: new packets get an event of their own */
} channel_t;

static _emrtc_pool peers, channels;
static bool pools_ready;
static size_t total_backlog, total_backlog_limit = EMRTC_DEFAULT_TOTAL_BACKLOG_BYTES;
/* rings up to TRIM_KEEP_BYTES stay allocated when read empty; a bigger one goes back once it has been
   found read empty at TRIM_IDLE_POLLS polls in a row, twice as many each time the channel needed a
   big ring again (up to TRIM_IDLE_POLLS_MAX; the LIMITS section of emrtc.h) */
#define TRIM_KEEP_BYTES (256u * 1024u)
#define TRIM_IDLE_POLLS EMRTC_BACKLOG_TRIM_POLLS
#define TRIM_IDLE_POLLS_MAX EMRTC_BACKLOG_TRIM_POLLS_MAX
static emrtc_extension default_ext;
static bool default_ext_set;

static void ensure_pools(void) {
    if (pools_ready) return;
    _emrtc_pool_init(&peers, _EMRTC_POOL_MAX_SLOTS);
    _emrtc_pool_init(&channels, _EMRTC_POOL_MAX_SLOTS);
    pools_ready = true;
}

/* NULL for a stale handle, and off the main thread (named by `fn`, the caller: see emrtc_internal.h) */
static peer_t *get_peer_(emrtc_peer h, const char *fn) {
    return _emrtc_off_main_thread(fn) ? NULL : _emrtc_pool_get(&peers, h.id);
}
static channel_t *get_channel_(emrtc_channel h, const char *fn) {
    return _emrtc_off_main_thread(fn) ? NULL : _emrtc_pool_get(&channels, h.id);
}
#define get_peer(h) get_peer_(h, __func__)
#define get_channel(h) get_channel_(h, __func__)

static peer_t *peer_or_fail(emrtc_peer h, const char *fn, emrtc_error *err) {
    if (_emrtc_off_main_thread(fn)) {
        *err = EMRTC_ERR_LOCKED;
        return NULL;
    }
    peer_t *p = get_peer(h);
    if (!p) *err = _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: peer handle %u is not a live peer", fn, h.id);
    return p;
}

static channel_t *channel_or_fail(emrtc_channel h, const char *fn, emrtc_error *err) {
    if (_emrtc_off_main_thread(fn)) {
        *err = EMRTC_ERR_LOCKED;
        return NULL;
    }
    channel_t *c = get_channel(h);
    if (!c) *err = _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: channel handle %u is not a live channel", fn, h.id);
    return c;
}

static char *dup_str(const char *s) {
    if (!s) s = "";
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* ---- queuing (called by backends, possibly from browser event handlers) ---- */

/* Queues an event for `owner` (the peer, or the peer of the channel whose queue q is). An event that
   finds no memory or a full queue (EMRTC_MAX_QUEUED_EVENTS) is counted, and the count told through
   the peer's error callback at its next poll, without allocating. */
static bool push_for(peer_t *owner, _emrtc_queue *q, uint32_t type, int32_t a, uint32_t handle, const char *s1,
                     const char *s2) {
    _emrtc_event ev = {type, a, handle, NULL, NULL};
    if (q->count >= EMRTC_MAX_QUEUED_EVENTS) goto lost;
    if (s1 && !(ev.s1 = dup_str(s1))) goto lost;
    if (s2 && !(ev.s2 = dup_str(s2))) goto lost;
    if (_emrtc_queue_push(q, &ev)) return true;
lost:
    _emrtc_event_free_strings(&ev);
    if (owner) owner->lost_events++;
    return false;
}

static void push_peer(peer_t *p, uint32_t type, int32_t a, uint32_t handle, const char *s1, const char *s2) {
    push_for(p, &p->events, type, a, handle, s1, s2);
}

static bool push_ch(channel_t *c, uint32_t type, int32_t a) {
    return push_for(get_peer(c->peer), &c->events, type, a, 0, NULL, NULL);
}

void _emrtc_ext_lost(emrtc_peer pc) {
    peer_t *p = get_peer(pc);
    if (p) p->lost_events++;
}

void emrtc_ext_session_description(emrtc_peer pc, const char *type, const char *sdp) {
    peer_t *p = get_peer(pc);
    if (!p) return;
    push_peer(p, _EMRTC_EV_SESSION_DESCRIPTION, 0, 0, type, sdp);
}

void emrtc_ext_ice_candidate(emrtc_peer pc, const char *media, int index, const char *name) {
    peer_t *p = get_peer(pc);
    if (p) push_peer(p, _EMRTC_EV_ICE_CANDIDATE, index, 0, media, name);
}

void emrtc_ext_connection_state(emrtc_peer pc, emrtc_connection_state s) {
    peer_t *p = get_peer(pc);
    if (!p || p->conn_latest == s) return;
    p->conn_latest = s;
    push_peer(p, _EMRTC_EV_CONNECTION_STATE, (int32_t)s, 0, NULL, NULL);
}

void emrtc_ext_gathering_state(emrtc_peer pc, emrtc_gathering_state s) {
    peer_t *p = get_peer(pc);
    if (!p || p->gather_latest == s) return;
    p->gather_latest = s;
    push_peer(p, _EMRTC_EV_GATHERING_STATE, (int32_t)s, 0, NULL, NULL);
}

void emrtc_ext_signaling_state(emrtc_peer pc, emrtc_signaling_state s) {
    peer_t *p = get_peer(pc);
    if (!p || p->sig_latest == s) return;
    p->sig_latest = s;
    push_peer(p, _EMRTC_EV_SIGNALING_STATE, (int32_t)s, 0, NULL, NULL);
}

void emrtc_ext_stats(emrtc_peer pc, const emrtc_peer_stats *stats) {
    peer_t *p = get_peer(pc);
    if (!p || !stats || !p->stats_in_flight || p->stats_ready) return;
    p->stats = *stats;
    p->stats.local.address[EMRTC_MAX_ADDRESS_BYTES - 1] = 0;
    p->stats.remote.address[EMRTC_MAX_ADDRESS_BYTES - 1] = 0;
    p->stats_ready = push_for(p, &p->events, _EMRTC_EV_STATS, 0, 0, NULL, NULL);
    if (!p->stats_ready) p->stats_in_flight = false; /* lost: let the program ask again */
}

void emrtc_ext_error(emrtc_peer pc, emrtc_error err, const char *message) {
    peer_t *p = get_peer(pc);
    if (!p) return;
    if (message && strncmp(message, "get_stats", 9) == 0 && !p->stats_ready) p->stats_in_flight = false;
    push_peer(p, _EMRTC_EV_ERROR, (int32_t)err, 0, message ? message : "", NULL);
}

void emrtc_ext_channel_state(emrtc_channel ch, emrtc_channel_state s) {
    channel_t *c = get_channel(ch);
    if (!c || c->state_latest == s) return;
    /* states only move forward: a late "open" after close() is stale */
    if (s < c->state_latest) return;
    c->state_latest = s;
    /* a received channel the program has not been handed yet arrives in its latest state (the
       browser hands it over open); state_changed still tells each state from the next poll on */
    if (c->unannounced) c->state = s;
    push_ch(c, _EMRTC_EV_CHANNEL_STATE, (int32_t)s);
}

void emrtc_ext_channel_buffered_amount_low(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    if (c) push_ch(c, _EMRTC_EV_BUFFERED_LOW, 0);
}

/* A packet that does not fit: counted, the burst reported at the next poll, the channel closed
   under EMRTC_BACKLOG_CLOSE. */
enum { DROP_CHANNEL_LIMIT, DROP_TOTAL_LIMIT, DROP_MEMORY, DROP_CLOSED };

static void packet_drop(channel_t *c, emrtc_channel ch, int why) {
    c->dropped++;
    c->drop_why = (uint8_t)why;
    if (!c->dropping) {
        c->dropping = true;
        c->burst_untold = true;
    }
    if (c->backlog_policy == EMRTC_BACKLOG_CLOSE && !c->limit_closed) {
        c->limit_closed = true;
        emrtc_channel_close(ch);
    }
}

uint8_t *emrtc_ext_packet_reserve(emrtc_channel ch, size_t size) {
    channel_t *c = get_channel(ch);
    if (!c) return NULL;
    size_t need = size + EMRTC_PACKET_OVERHEAD_BYTES;
    int why = c->limit_closed                                                       ? DROP_CLOSED
              : size > EMRTC_MAX_BACKLOG_BYTES || c->backlog + need > c->backlog_limit ? DROP_CHANNEL_LIMIT
              : total_backlog + need > total_backlog_limit                         ? DROP_TOTAL_LIMIT
                                                                                   : DROP_MEMORY;
    uint8_t *at = why == DROP_MEMORY ? _emrtc_packetbuf_reserve(&c->packets, size) : NULL;
    if (!at) packet_drop(c, ch, why);
    return at;
}

void emrtc_ext_packet_commit(emrtc_channel ch, size_t size, bool is_text) {
    channel_t *c = get_channel(ch);
    if (!c) return;
    if (!_emrtc_packetbuf_commit(&c->packets, size, is_text)) {
        packet_drop(c, ch, DROP_MEMORY); /* no memory for its record */
        return;
    }
    c->backlog += size + EMRTC_PACKET_OVERHEAD_BYTES;
    total_backlog += size + EMRTC_PACKET_OVERHEAD_BYTES;
    c->traffic.messages_received++;
    c->traffic.bytes_received += size;
    c->dropping = false; /* a packet fits again: the burst is over */
    /* consecutive packets share one event: a flood of packets cannot fill the event queue */
    _emrtc_event *last = _emrtc_queue_last(&c->events);
    if (last && last->type == _EMRTC_EV_PACKET && !c->dispatching) last->a++;
    else if (!push_ch(c, _EMRTC_EV_PACKET, 1)) c->packets_unannounced++; /* readable from the next poll all the same */
}

/* ---- channels ---- */

static emrtc_channel channel_new(peer_t *p, emrtc_peer pc, const char *label, const emrtc_channel_options *o) {
    if ((uint32_t)p->channel_count >= p->max_channels) {
        _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "the peer has %d channels, its max_channels", p->channel_count);
        return (emrtc_channel){0};
    }
    channel_t *c = calloc(1, sizeof(*c));
    if (!c) {
        _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "out of memory for a channel");
        return (emrtc_channel){0};
    }
    if (o) c->options = *o;
    c->backlog_limit = o && o->max_backlog_bytes ? o->max_backlog_bytes : p->backlog_limit;
    c->backlog_policy = o && o->backlog_policy ? o->backlog_policy : p->backlog_policy;
    c->packets.max_cap = c->backlog_limit;
    c->label = dup_str(label);
    c->protocol = dup_str(o ? o->protocol : "");
    c->options.protocol = c->protocol;
    if (!c->options.has_id) c->options.id = EMRTC_ID_UNSET;
    c->peer = pc;
    c->write_mode = EMRTC_WRITE_MODE_BINARY;
    c->state = c->state_latest = EMRTC_CHANNEL_STATE_CONNECTING;
    emrtc_channel ch = {0};
    if (p->channel_count == p->channel_cap) {
        int ncap = p->channel_cap ? p->channel_cap * 2 : 4;
        emrtc_channel *n = _emrtc_grow(p->channels, (size_t)p->channel_count * sizeof(*n), (size_t)ncap * sizeof(*n));
        if (!n) goto fail;
        p->channels = n;
        p->channel_cap = ncap;
    }
    if (!c->label || !c->protocol) goto fail;
    if (!(ch.id = _emrtc_pool_add(&channels, c))) {
        _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "all %u channel handles of the process are in use", _EMRTC_POOL_MAX_SLOTS);
        goto fail_quiet;
    }
    p->channels[p->channel_count++] = ch;
    return ch;
fail:
    _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "out of memory for a channel");
fail_quiet:
    free(c->label);
    free(c->protocol);
    free(c);
    return (emrtc_channel){0};
}

static void channel_free(emrtc_channel ch, bool tell_backend) {
    channel_t *c = get_channel(ch);
    if (!c) return;
    peer_t *p = get_peer(c->peer);
    if (tell_backend && p) p->ext.channel_destroy(ch);
    _emrtc_pool_remove(&channels, ch.id);
    if (p) {
        for (int i = 0; i < p->channel_count; i++) {
            if (p->channels[i].id != ch.id) continue;
            memmove(&p->channels[i], &p->channels[i + 1], (size_t)(p->channel_count - i - 1) * sizeof(emrtc_channel));
            p->channel_count--;
            break;
        }
    }
    if (p && c->received) p->remote_label_bytes -= strlen(c->label) + strlen(c->protocol);
    total_backlog -= c->backlog;
    _emrtc_queue_free(&c->events);
    _emrtc_packetbuf_free(&c->packets);
    free(c->label);
    free(c->protocol);
    free(c);
}

emrtc_channel emrtc_ext_channel_received(emrtc_peer pc, const char *label, const emrtc_channel_options *options) {
    peer_t *p = get_peer(pc);
    if (!p) return (emrtc_channel){0};
    size_t strings = strlen(label ? label : "") + strlen(options && options->protocol ? options->protocol : "");
    emrtc_channel ch = {0};
    if (p->remote_label_bytes + strings > EMRTC_MAX_REMOTE_LABEL_BYTES)
        _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "its label and protocol (%zu bytes) pass the %u bytes the remote's channels "
                    "may hold together", strings, EMRTC_MAX_REMOTE_LABEL_BYTES);
    else
        ch = channel_new(p, pc, label, options);
    if (!ch.id) {
        /* the backend closes the browser's channel: tell the program at the next poll */
        p->refused++;
        size_t n = strlen(last_error);
        if (n >= sizeof p->refused_why) n = sizeof p->refused_why - 1;
        memcpy(p->refused_why, last_error, n);
        p->refused_why[n] = 0;
        return ch;
    }
    channel_t *c = get_channel(ch);
    c->received = c->unannounced = true;
    p->remote_label_bytes += strings;
    push_peer(p, _EMRTC_EV_DATA_CHANNEL, 0, ch.id, NULL, NULL);
    return ch;
}

/* ---- peers ---- */

static void held_clear(peer_t *p) {
    for (int i = 0; i < p->held_count; i++) {
        free(p->held[i].media);
        free(p->held[i].name);
    }
    p->held_count = 0;
}

/* Destroys what the peer has in the backend and its channels, and resets its state to NEW. */
static void peer_teardown(peer_t *p) {
    while (p->channel_count > 0) channel_free(p->channels[p->channel_count - 1], true);
    _emrtc_queue_free(&p->events);
    held_clear(p);
    p->conn = p->conn_latest = EMRTC_STATE_NEW;
    p->gather = p->gather_latest = EMRTC_GATHERING_STATE_NEW;
    p->sig = p->sig_latest = EMRTC_SIGNALING_STATE_STABLE;
    p->closed = p->offer_in_flight = p->remote_set = p->stats_in_flight = p->stats_ready = false;
}

static void peer_set_limits(peer_t *p, const emrtc_configuration *c) {
    p->backlog_limit = c && c->max_backlog_bytes ? c->max_backlog_bytes : EMRTC_DEFAULT_MAX_BACKLOG_BYTES;
    p->backlog_policy = c && c->backlog_policy ? c->backlog_policy : EMRTC_BACKLOG_DROP;
    p->max_channels = c && c->max_channels ? c->max_channels : EMRTC_DEFAULT_MAX_CHANNELS;
}

emrtc_peer emrtc_peer_create(void) {
    if (_emrtc_off_main_thread(__func__)) return (emrtc_peer){0};
    ensure_pools();
    peer_t *p = calloc(1, sizeof(*p));
    if (!p) {
        _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "emrtc_peer_create: out of memory");
        return (emrtc_peer){0};
    }
    p->ext = default_ext_set ? default_ext : _emrtc_builtin_extension;
    peer_set_limits(p, NULL);
    emrtc_peer pc = {_emrtc_pool_add(&peers, p)};
    if (!pc.id) {
        free(p);
        _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "emrtc_peer_create: all %u peer handles are in use", _EMRTC_POOL_MAX_SLOTS);
        return pc;
    }
    emrtc_error err = p->ext.peer_create(pc, NULL);
    if (err) {
        _emrtc_pool_remove(&peers, pc.id);
        free(p);
        return (emrtc_peer){0};
    }
    return pc;
}

void emrtc_peer_destroy(emrtc_peer pc) {
    peer_t *p = get_peer(pc);
    if (!p) return;
    peer_teardown(p);
    p->ext.peer_destroy(pc);
    _emrtc_pool_remove(&peers, pc.id);
    free(p->held);
    free(p->channels);
    free(p);
}

emrtc_error emrtc_peer_set_callbacks(emrtc_peer pc, const emrtc_peer_callbacks *cb) {
    emrtc_error err = EMRTC_OK;
    peer_t *p = peer_or_fail(pc, "emrtc_peer_set_callbacks", &err);
    if (!p) return err;
    if (cb) p->cb = *cb;
    else memset(&p->cb, 0, sizeof(p->cb));
    return EMRTC_OK;
}

emrtc_error emrtc_peer_initialize(emrtc_peer pc, const emrtc_configuration *config) {
    emrtc_error err = EMRTC_OK;
    peer_t *p = peer_or_fail(pc, "emrtc_peer_initialize", &err);
    if (!p) return err;
    if ((err = _emrtc_validate_configuration(config))) return err;
    peer_teardown(p);
    peer_set_limits(p, config);
    p->ext.peer_destroy(pc);
    err = p->ext.peer_create(pc, config);
    if (err) {
        /* leave a usable peer behind: the default configuration always works */
        char msg[sizeof(last_error)];
        memcpy(msg, last_error, sizeof(msg));
        if (p->ext.peer_create(pc, NULL) != EMRTC_OK) p->closed = true;
        memcpy(last_error, msg, sizeof(msg));
    }
    return err;
}

emrtc_error emrtc_peer_create_data_channel(emrtc_peer pc, const char *label, const emrtc_channel_options *options,
                                           emrtc_channel *out) {
    emrtc_error err = EMRTC_OK;
    if (out) *out = (emrtc_channel){0};
    peer_t *p = peer_or_fail(pc, "emrtc_peer_create_data_channel", &err);
    if (!p) return err;
    if (!out) return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "emrtc_peer_create_data_channel: out_channel is NULL");
    if ((err = _emrtc_validate_channel(label, options))) return err;
    if (p->closed || p->conn_latest != EMRTC_STATE_NEW)
        return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "create_data_channel: the peer is not in STATE_NEW");
    if (options && options->negotiated) {
        for (int i = 0; i < p->channel_count; i++) {
            channel_t *o = get_channel(p->channels[i]);
            if (o && o->options.negotiated && o->options.id == options->id)
                return _emrtc_fail(EMRTC_ERR_ALREADY_IN_USE, "create_data_channel: id %u is already used on this peer",
                                   (unsigned)options->id);
        }
    }
    emrtc_channel ch = channel_new(p, pc, label, options);
    if (!ch.id) return EMRTC_ERR_OUT_OF_MEMORY;
    channel_t *c = get_channel(ch);
    if ((err = p->ext.peer_create_data_channel(pc, ch, c->label, &c->options))) {
        channel_free(ch, false);
        return err;
    }
    *out = ch;
    return EMRTC_OK;
}

/* Marks the offer under way (until its description or error is dispatched) before the backend runs,
   and clears the mark again when the backend refuses. */
static emrtc_error start_offer(peer_t *p, emrtc_peer pc, emrtc_error (*step)(emrtc_peer)) {
    p->offer_in_flight = true;
    emrtc_error err = step(pc);
    if (err && (p = get_peer(pc))) p->offer_in_flight = false;
    return err;
}

emrtc_error emrtc_peer_create_offer(emrtc_peer pc) {
    emrtc_error err = EMRTC_OK;
    peer_t *p = peer_or_fail(pc, "emrtc_peer_create_offer", &err);
    if (!p) return err;
    if (p->closed) return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "create_offer: the peer is closed");
    if (p->channel_count == 0)
        return _emrtc_fail(EMRTC_ERR_UNCONFIGURED, "create_offer: create a data channel first");
    if (p->offer_in_flight)
        return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "create_offer: an offer is already being created");
    if (p->sig_latest != EMRTC_SIGNALING_STATE_STABLE)
        return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "create_offer: an offer/answer exchange is under way");
    return start_offer(p, pc, p->ext.peer_create_offer);
}

emrtc_error emrtc_peer_restart_ice(emrtc_peer pc) {
    emrtc_error err = EMRTC_OK;
    peer_t *p = peer_or_fail(pc, "emrtc_peer_restart_ice", &err);
    if (!p) return err;
    if (p->closed) return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "restart_ice: the peer is closed");
    if (!p->remote_set)
        return _emrtc_fail(EMRTC_ERR_UNCONFIGURED,
                           "restart_ice: no connection negotiated yet (no remote description): use create_offer");
    if (p->offer_in_flight || p->sig_latest != EMRTC_SIGNALING_STATE_STABLE)
        return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "restart_ice: an offer/answer exchange is under way");
    return start_offer(p, pc, p->ext.peer_restart_ice);
}

emrtc_error emrtc_peer_get_stats(emrtc_peer pc) {
    emrtc_error err = EMRTC_OK;
    peer_t *p = peer_or_fail(pc, "emrtc_peer_get_stats", &err);
    if (!p) return err;
    if (p->closed) return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "get_stats: the peer is closed");
    if (p->stats_in_flight)
        return _emrtc_fail(EMRTC_ERR_BUSY, "get_stats: a request is under way; its stats callback has not run yet");
    p->stats_in_flight = true;
    if ((err = p->ext.peer_get_stats(pc))) {
        if ((p = get_peer(pc))) p->stats_in_flight = false;
        return err;
    }
    return EMRTC_OK;
}

static emrtc_error check_description(peer_t *p, const char *fn, const char *type, const char *sdp) {
    if (!type || !sdp) return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: %s is NULL", fn, type ? "sdp" : "type");
    if (_emrtc_sdp_type_parse(type) < 0)
        return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER,
                           "%s: type \"%.32s\" is not offer, answer, pranswer or rollback", fn, type);
    if (p->closed) return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "%s: the peer is closed", fn);
    return EMRTC_OK;
}

emrtc_error emrtc_peer_set_local_description(emrtc_peer pc, const char *type, const char *sdp) {
    emrtc_error err = EMRTC_OK;
    peer_t *p = peer_or_fail(pc, "emrtc_peer_set_local_description", &err);
    if (!p) return err;
    if ((err = check_description(p, "set_local_description", type, sdp))) return err;
    return p->ext.peer_set_local_description(pc, type, sdp);
}

emrtc_error emrtc_peer_set_remote_description(emrtc_peer pc, const char *type, const char *sdp) {
    emrtc_error err = EMRTC_OK;
    peer_t *p = peer_or_fail(pc, "emrtc_peer_set_remote_description", &err);
    if (!p) return err;
    if ((err = check_description(p, "set_remote_description", type, sdp))) return err;
    if ((err = p->ext.peer_set_remote_description(pc, type, sdp))) return err;
    p->remote_set = strcmp(type, "rollback") != 0;
    if (!p->remote_set) return EMRTC_OK;
    /* apply the candidates that came early; the backend queues them behind the description */
    for (int i = 0; i < p->held_count; i++) {
        held_candidate *h = &p->held[i];
        p->ext.peer_add_ice_candidate(pc, h->media, h->index, h->name);
        if (!(p = get_peer(pc))) return EMRTC_OK;
    }
    held_clear(p);
    return EMRTC_OK;
}

emrtc_error emrtc_peer_add_ice_candidate(emrtc_peer pc, const char *media, int index, const char *name) {
    emrtc_error err = EMRTC_OK;
    peer_t *p = peer_or_fail(pc, "emrtc_peer_add_ice_candidate", &err);
    if (!p) return err;
    if ((err = _emrtc_validate_candidate(media, index, name))) return err;
    if (p->closed) return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "add_ice_candidate: the peer is closed");
    if (p->remote_set) return p->ext.peer_add_ice_candidate(pc, media, index, name);
    if (p->held_count == p->held_cap) {
        int ncap = p->held_cap ? p->held_cap * 2 : 8;
        held_candidate *n = _emrtc_grow(p->held, (size_t)p->held_count * sizeof(*n), (size_t)ncap * sizeof(*n));
        if (!n) return _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "add_ice_candidate: out of memory");
        p->held = n;
        p->held_cap = ncap;
    }
    held_candidate h = {dup_str(media), dup_str(name), index};
    if (!h.media || !h.name) {
        free(h.media);
        free(h.name);
        return _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "add_ice_candidate: out of memory");
    }
    p->held[p->held_count++] = h;
    return EMRTC_OK;
}

void emrtc_peer_close(emrtc_peer pc) {
    peer_t *p = get_peer(pc);
    if (!p || p->closed) return;
    p->ext.peer_close(pc);
    if (!(p = get_peer(pc))) return;
    p->closed = true;
    p->offer_in_flight = false;
    /* the browser fires no event for what close() does: report it like one, for the next poll */
    for (int i = 0; i < p->channel_count; i++) emrtc_ext_channel_state(p->channels[i], EMRTC_CHANNEL_STATE_CLOSED);
    emrtc_ext_signaling_state(pc, EMRTC_SIGNALING_STATE_CLOSED);
    emrtc_ext_connection_state(pc, EMRTC_STATE_CLOSED);
}

/* Runs one channel's queued events; stops if a callback destroys the channel. */
static void channel_dispatch(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    if (!c) return;
    _emrtc_packetbuf_release(&c->packets);
    /* only what was queued before this poll: callbacks that cause events see them next poll */
    uint32_t n = c->events.count;
    _emrtc_event ev;
    c->dispatching = true;
    while (n-- > 0 && _emrtc_queue_pop(&c->events, &ev)) {
        switch (ev.type) {
        case _EMRTC_EV_PACKET:
            for (int32_t k = 0; k < ev.a; k++) _emrtc_packetbuf_make_available(&c->packets);
            break;
        case _EMRTC_EV_CHANNEL_STATE:
            /* never backwards: a received channel may already show a later state */
            if (ev.a > (int32_t)c->state) c->state = (emrtc_channel_state)ev.a;
            if (c->cb.state_changed) c->cb.state_changed(ch, (emrtc_channel_state)ev.a, c->cb.user_data);
            break;
        case _EMRTC_EV_BUFFERED_LOW:
            if (c->cb.buffered_amount_low) c->cb.buffered_amount_low(ch, c->cb.user_data);
            break;
        default: break;
        }
        if (!(c = get_channel(ch))) return;
    }
    c->dispatching = false;
    for (; c->packets_unannounced; c->packets_unannounced--) _emrtc_packetbuf_make_available(&c->packets);
    if (c->burst_untold) {
        c->burst_untold = false;
        peer_t *p = get_peer(c->peer);
        if (p && p->cb.error) {
            static const char *const why[] = {
                "its unread backlog reached its limit",
                "the unread backlog of all channels reached its limit (emrtc_set_total_backlog_limit)",
                "no memory",
                "it was closed at the limit",
            };
            char msg[256];
            unsigned dropped = c->dropped > 0xFFFFFFFFu ? 0xFFFFFFFFu : (unsigned)c->dropped;
            _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY,
                        "receive: channel \"%.40s\" drops packets: %s (%zu of %zu bytes unread; all channels %zu of "
                        "%zu); %u dropped so far%s",
                        c->label, why[c->drop_why], c->backlog, c->backlog_limit, total_backlog, total_backlog_limit,
                        dropped, c->limit_closed ? "; the channel was closed (EMRTC_BACKLOG_CLOSE)" : "");
            memcpy(msg, last_error, sizeof msg - 1);
            msg[sizeof msg - 1] = 0;
            p->cb.error(c->peer, EMRTC_ERR_OUT_OF_MEMORY, msg, p->cb.user_data);
            if (!(c = get_channel(ch))) return;
        }
    }
    _emrtc_packetbuf_trim(&c->packets, TRIM_KEEP_BYTES, TRIM_IDLE_POLLS, TRIM_IDLE_POLLS_MAX);
}

emrtc_error emrtc_channel_poll(emrtc_channel ch) {
    emrtc_error err = EMRTC_OK;
    channel_t *c = channel_or_fail(ch, "emrtc_channel_poll", &err);
    if (!c) return err;
    peer_t *p = get_peer(c->peer);
    p->ext.peer_poll(c->peer);
    channel_dispatch(ch);
    return EMRTC_OK;
}

static void peer_dispatch(peer_t *p, emrtc_peer pc, _emrtc_event *ev) {
    const emrtc_peer_callbacks *cb = &p->cb;
    switch (ev->type) {
    case _EMRTC_EV_SESSION_DESCRIPTION:
        if (ev->s1 && strcmp(ev->s1, "offer") == 0) p->offer_in_flight = false; /* the program has it now */
        if (cb->session_description_created) cb->session_description_created(pc, ev->s1, ev->s2, cb->user_data);
        break;
    case _EMRTC_EV_ICE_CANDIDATE:
        if (cb->ice_candidate_created) cb->ice_candidate_created(pc, ev->s1, ev->a, ev->s2, cb->user_data);
        break;
    case _EMRTC_EV_DATA_CHANNEL: {
        channel_t *c = get_channel((emrtc_channel){ev->handle});
        if (!c) break;
        c->unannounced = false;
        if (cb->data_channel_received) cb->data_channel_received(pc, (emrtc_channel){ev->handle}, cb->user_data);
        break;
    }
    case _EMRTC_EV_CONNECTION_STATE:
        p->conn = (emrtc_connection_state)ev->a;
        if (cb->connection_state_changed) cb->connection_state_changed(pc, p->conn, cb->user_data);
        break;
    case _EMRTC_EV_GATHERING_STATE:
        p->gather = (emrtc_gathering_state)ev->a;
        if (cb->gathering_state_changed) cb->gathering_state_changed(pc, p->gather, cb->user_data);
        break;
    case _EMRTC_EV_SIGNALING_STATE:
        p->sig = (emrtc_signaling_state)ev->a;
        if (cb->signaling_state_changed) cb->signaling_state_changed(pc, p->sig, cb->user_data);
        break;
    case _EMRTC_EV_ERROR:
        if (strncmp(ev->s1, "create_offer", 12) == 0) p->offer_in_flight = false;
        if (cb->error) cb->error(pc, (emrtc_error)ev->a, ev->s1, cb->user_data);
        break;
    case _EMRTC_EV_STATS:
        /* the request ends here: the callback may ask again (the answer comes after it returns) */
        p->stats_in_flight = p->stats_ready = false;
        if (cb->stats) cb->stats(pc, &p->stats, cb->user_data);
        break;
    default: break;
    }
}

emrtc_error emrtc_peer_poll(emrtc_peer pc) {
    emrtc_error err = EMRTC_OK;
    peer_t *p = peer_or_fail(pc, "emrtc_peer_poll", &err);
    if (!p) return err;
    p->ext.peer_poll(pc);
    if (!(p = get_peer(pc))) return EMRTC_OK;
    uint32_t n = p->events.count;
    _emrtc_event ev;
    while (n-- > 0 && _emrtc_queue_pop(&p->events, &ev)) {
        peer_dispatch(p, pc, &ev);
        _emrtc_event_free_strings(&ev);
        if (!(p = get_peer(pc))) return EMRTC_OK;
    }
    if (p->refused) {
        char msg[256];
        _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "data_channel_received: %u channels the remote opened were refused and "
                    "closed: %s", (unsigned)p->refused, p->refused_why);
        memcpy(msg, last_error, sizeof msg - 1);
        msg[sizeof msg - 1] = 0;
        p->refused = 0;
        if (p->cb.error) p->cb.error(pc, EMRTC_ERR_OUT_OF_MEMORY, msg, p->cb.user_data);
        if (!(p = get_peer(pc))) return EMRTC_OK;
    }
    if (p->lost_events) {
        char msg[160];
        _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "%u events of this peer or its channels were lost: out of memory, or %d "
                    "already queued (poll more often)", (unsigned)p->lost_events, EMRTC_MAX_QUEUED_EVENTS);
        memcpy(msg, last_error, sizeof msg - 1);
        msg[sizeof msg - 1] = 0;
        p->lost_events = 0;
        if (p->cb.error) p->cb.error(pc, EMRTC_ERR_OUT_OF_MEMORY, msg, p->cb.user_data);
        if (!(p = get_peer(pc))) return EMRTC_OK;
    }
    for (int i = 0; i < p->channel_count; i++) {
        emrtc_channel ch = p->channels[i];
        channel_dispatch(ch);
        if (!(p = get_peer(pc))) return EMRTC_OK;
        /* a callback destroyed this channel or an earlier one: the rest moved down by one */
        if (i >= p->channel_count || p->channels[i].id != ch.id) i--;
    }
    return EMRTC_OK;
}

emrtc_connection_state emrtc_peer_get_connection_state(emrtc_peer pc) {
    peer_t *p = get_peer(pc);
    return p ? p->conn : EMRTC_STATE_CLOSED;
}

emrtc_gathering_state emrtc_peer_get_gathering_state(emrtc_peer pc) {
    peer_t *p = get_peer(pc);
    return p ? p->gather : EMRTC_GATHERING_STATE_NEW;
}

emrtc_signaling_state emrtc_peer_get_signaling_state(emrtc_peer pc) {
    peer_t *p = get_peer(pc);
    return p ? p->sig : EMRTC_SIGNALING_STATE_CLOSED;
}

/* ---- channel API ---- */

emrtc_error emrtc_channel_set_callbacks(emrtc_channel ch, const emrtc_channel_callbacks *cb) {
    emrtc_error err = EMRTC_OK;
    channel_t *c = channel_or_fail(ch, "emrtc_channel_set_callbacks", &err);
    if (!c) return err;
    if (cb) c->cb = *cb;
    else memset(&c->cb, 0, sizeof(c->cb));
    return EMRTC_OK;
}

void emrtc_channel_destroy(emrtc_channel ch) { channel_free(ch, true); }

void emrtc_channel_close(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    if (!c || c->state_latest >= EMRTC_CHANNEL_STATE_CLOSING) return;
    peer_t *p = get_peer(c->peer);
    if (p) p->ext.channel_close(ch);
    /* the browser moves to "closing" without an event */
    emrtc_ext_channel_state(ch, EMRTC_CHANNEL_STATE_CLOSING);
}

/* The largest packet the channel takes: asked from the backend until the channel is open, then
   remembered (the transport's limit is settled by then), so a send makes one backend call only. */
static size_t channel_max_message(channel_t *c, peer_t *p, emrtc_channel ch) {
    if (c->max_message) return c->max_message;
    size_t max = p->ext.channel_get_max_message_size(ch);
    if (c->state_latest == EMRTC_CHANNEL_STATE_OPEN) c->max_message = max;
    return max;
}

emrtc_error emrtc_channel_put_packet(emrtc_channel ch, const void *data, size_t size) {
    emrtc_error err = EMRTC_OK;
    channel_t *c = channel_or_fail(ch, "emrtc_channel_put_packet", &err);
    if (!c) return err;
    if (!data && size) return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "put_packet: data is NULL");
    if (c->state_latest != EMRTC_CHANNEL_STATE_OPEN)
        return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "put_packet: the channel is not open");
    peer_t *p = get_peer(c->peer);
    size_t max = channel_max_message(c, p, ch);
    if (size > max)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "put_packet: %zu bytes, the transport allows at most %zu",
                           size, max);
    bool text = c->write_mode == EMRTC_WRITE_MODE_TEXT;
    if (text && !_emrtc_utf8_valid(data, size))
        return _emrtc_fail(EMRTC_ERR_INVALID_DATA, "put_packet: text mode, but the packet is not valid UTF-8");
    if ((err = p->ext.channel_send(ch, data ? data : "", size, text))) return err;
    if ((c = get_channel(ch))) {
        c->traffic.messages_sent++;
        c->traffic.bytes_sent += size;
    }
    return EMRTC_OK;
}

emrtc_error emrtc_channel_get_packet(emrtc_channel ch, const uint8_t **data, size_t *size) {
    emrtc_error err = EMRTC_OK;
    channel_t *c = channel_or_fail(ch, "emrtc_channel_get_packet", &err);
    if (!c) return err;
    if (!data || !size) return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "get_packet: data or size is NULL");
    bool is_text = false;
    if (!_emrtc_packetbuf_get(&c->packets, data, size, &is_text)) {
        *data = NULL;
        *size = 0;
        return _emrtc_fail_const(EMRTC_ERR_UNAVAILABLE, "get_packet: no packet available"); /* every frame's last read */
    }
    c->last_was_string = is_text;
    c->backlog -= *size + EMRTC_PACKET_OVERHEAD_BYTES;
    total_backlog -= *size + EMRTC_PACKET_OVERHEAD_BYTES;
    return EMRTC_OK;
}

int emrtc_channel_get_available_packet_count(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    return c ? (int)c->packets.available : 0;
}

bool emrtc_channel_was_string_packet(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    return c && c->last_was_string;
}

emrtc_error emrtc_channel_set_write_mode(emrtc_channel ch, emrtc_write_mode mode) {
    emrtc_error err = EMRTC_OK;
    channel_t *c = channel_or_fail(ch, "emrtc_channel_set_write_mode", &err);
    if (!c) return err;
    if (mode != EMRTC_WRITE_MODE_TEXT && mode != EMRTC_WRITE_MODE_BINARY)
        return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "set_write_mode: %d is not a write mode", (int)mode);
    c->write_mode = mode;
    return EMRTC_OK;
}

emrtc_write_mode emrtc_channel_get_write_mode(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    return c ? c->write_mode : EMRTC_WRITE_MODE_BINARY;
}

emrtc_channel_state emrtc_channel_get_ready_state(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    return c ? c->state : EMRTC_CHANNEL_STATE_CLOSED;
}

const char *emrtc_channel_get_label(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    return c ? c->label : "";
}

const char *emrtc_channel_get_protocol(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    return c ? c->protocol : "";
}

bool emrtc_channel_is_ordered(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    return c && !c->options.unordered;
}

int emrtc_channel_get_id(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    if (!c) return (int)EMRTC_ID_UNSET;
    if (c->options.has_id) return (int)c->options.id;
    peer_t *p = get_peer(c->peer);
    return p ? p->ext.channel_get_id(ch) : (int)EMRTC_ID_UNSET;
}

int emrtc_channel_get_max_packet_life_time(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    return c && c->options.has_max_packet_life_time ? (int)c->options.max_packet_life_time : (int)EMRTC_ID_UNSET;
}

int emrtc_channel_get_max_retransmits(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    return c && c->options.has_max_retransmits ? (int)c->options.max_retransmits : (int)EMRTC_ID_UNSET;
}

bool emrtc_channel_is_negotiated(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    return c && c->options.negotiated;
}

size_t emrtc_channel_get_buffered_amount(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    peer_t *p = c ? get_peer(c->peer) : NULL;
    return p ? p->ext.channel_get_buffered_amount(ch) : 0;
}

emrtc_error emrtc_channel_set_buffered_amount_low_threshold(emrtc_channel ch, size_t threshold) {
    emrtc_error err = EMRTC_OK;
    channel_t *c = channel_or_fail(ch, "emrtc_channel_set_buffered_amount_low_threshold", &err);
    if (!c) return err;
    get_peer(c->peer)->ext.channel_set_buffered_amount_low_threshold(ch, threshold);
    return EMRTC_OK;
}

size_t emrtc_channel_get_max_packet_size(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    peer_t *p = c ? get_peer(c->peer) : NULL;
    return p ? channel_max_message(c, p, ch) : 0;
}

emrtc_peer emrtc_channel_get_peer(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    return c ? c->peer : (emrtc_peer){0};
}

emrtc_error emrtc_channel_get_stats(emrtc_channel ch, emrtc_channel_stats *out) {
    emrtc_error err = EMRTC_OK;
    if (out) memset(out, 0, sizeof(*out));
    channel_t *c = channel_or_fail(ch, "emrtc_channel_get_stats", &err);
    if (!c) return err;
    if (!out) return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "emrtc_channel_get_stats: out is NULL");
    *out = c->traffic;
    return EMRTC_OK;
}

uint64_t emrtc_channel_get_dropped_count(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    return c ? c->dropped : 0;
}

size_t emrtc_channel_get_backlog_bytes(emrtc_channel ch) {
    channel_t *c = get_channel(ch);
    return c ? c->backlog : 0;
}

emrtc_error emrtc_set_total_backlog_limit(size_t bytes) {
    if (bytes > EMRTC_MAX_BACKLOG_BYTES)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "emrtc_set_total_backlog_limit: %zu is over %u", bytes,
                           EMRTC_MAX_BACKLOG_BYTES);
    total_backlog_limit = bytes ? bytes : EMRTC_DEFAULT_TOTAL_BACKLOG_BYTES;
    return EMRTC_OK;
}

size_t emrtc_total_backlog_bytes(void) { return total_backlog; }

/* ---- extensions ---- */

emrtc_error emrtc_set_default_extension(const emrtc_extension *ext) {
    if (_emrtc_off_main_thread(__func__)) return EMRTC_ERR_LOCKED;
    if (!ext) {
        default_ext_set = false;
        return EMRTC_OK;
    }
#define EMRTC_X_(member)                                                                              \
    if (!ext->member) return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "set_default_extension: " #member " is NULL");
    EMRTC_EXTENSION_MEMBERS(EMRTC_X_)
#undef EMRTC_X_
    default_ext = *ext;
    default_ext_set = true;
    return EMRTC_OK;
}

const emrtc_extension *emrtc_builtin_extension(void) { return &_emrtc_builtin_extension; }

const emrtc_extension *emrtc_peer_get_extension(emrtc_peer pc) {
    peer_t *p = get_peer(pc);
    return p ? &p->ext : NULL;
}

/* ---- diagnostics ---- */

int emrtc_live_peer_count(void) { return _emrtc_off_main_thread(__func__) ? 0 : (int)peers.live; }
int emrtc_live_channel_count(void) { return _emrtc_off_main_thread(__func__) ? 0 : (int)channels.live; }
int emrtc_backend_live_object_count(void) { return _emrtc_off_main_thread(__func__) ? 0 : _emrtc_builtin_live_objects(); }
