/* emrtc_signal.c -- the signaling client (include/emrtc_signal.h) on Emscripten's WebSocket library.

   The WebSocket callbacks run from the browser's event loop: they only decode and queue (the wire
   format lives in emrtc_signal_json.h, pure and tested natively); emrtc_signal_poll() turns the
   queue into state changes and callbacks. The callbacks find their client through its handle id
   (their userData), so a late browser event for a destroyed client finds nothing.

   Emscripten 3.1.6 notes: a text frame arrives NUL-terminated with numBytes counting the NUL, in a
   buffer freed when the callback returns (hence decode-then-queue); emscripten_websocket_delete()
   nulls the handlers but leaves the socket in its table (it deletes by the wrong key), so destroy
   closes first; `new WebSocket` throws on a malformed URL, which would unwind through C, so the URL
   is checked in JS first. */
#include "emrtc_signal.h"
#include "emrtc_internal.h"
#define EMRTC_SIGNAL_JSON_IMPLEMENTATION
#include "emrtc_signal_json.h"

#include <emscripten/em_js.h>
#include <emscripten/websocket.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Queued events: _emrtc_event.type; a, handle and s1 as noted. */
enum {
    SIG_EV_OPEN = 1,
    SIG_EV_MESSAGE, /* handle = message type, a = id, s1 = data */
    SIG_EV_ERROR,   /* a = emrtc_error, s1 = message */
    SIG_EV_CLOSE,   /* a = close code, s1 = reason */
    SIG_EV_PARSE_ERROR, /* a = EMRTC_ERR_PARSE_ERROR, s1 = message; counts in the backlog like a message */
};

typedef struct signal_t {
    EMSCRIPTEN_WEBSOCKET_T ws;
    char *url;
    emrtc_signal_callbacks cb;
    _emrtc_queue events;
    /* as of the last poll (getters, send checks) */
    emrtc_signal_state state;
    int id;
    bool mesh;
    char *lobby; /* NULL until lobby_joined */
    /* as the WebSocket callbacks saw it */
    bool ws_opened, ws_closed;
    bool join_sent;
    /* limits (see LIMITS in emrtc_signal.h) */
    size_t max_message, backlog_limit;
    emrtc_backlog_policy backlog_policy;
    size_t backlog;              /* what the queued messages count */
    uint64_t dropped;
    bool dropping, burst_untold, limit_closed;
    uint8_t drop_why;            /* DROP_* of the last dropped message */
    size_t drop_size;            /* its size */
} signal_t;

enum { DROP_TOO_BIG, DROP_BACKLOG, DROP_QUEUE };

#define SIGNAL_MAX_CLIENTS 4096u

static _emrtc_pool signals;
static bool pool_ready;

/* NULL for a stale handle, and off the main thread (named by `fn`, the caller: see emrtc_internal.h) */
static signal_t *get_signal_(emrtc_signal h, const char *fn) {
    return pool_ready && !_emrtc_off_main_thread(fn) ? _emrtc_pool_get(&signals, h.id) : NULL;
}
#define get_signal(h) get_signal_(h, __func__)

static signal_t *signal_or_fail(emrtc_signal h, const char *fn, emrtc_error *err) {
    if (_emrtc_off_main_thread(fn)) {
        *err = EMRTC_ERR_LOCKED;
        return NULL;
    }
    signal_t *s = get_signal(h);
    if (!s) *err = _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: signal handle %u is not a live client", fn, h.id);
    return s;
}

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* ---- queuing, from the WebSocket callbacks ---- */

/* Queues an event; takes ownership of `owned` (may be NULL). */
static void push(signal_t *s, uint32_t type, int32_t a, uint32_t handle, char *owned) {
    _emrtc_event ev = {type, a, handle, owned, NULL};
    if (_emrtc_queue_push(&s->events, &ev)) return;
    free(owned);
    _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "out of memory queuing a signaling event: it was lost");
}

static void push_text(signal_t *s, uint32_t type, int32_t a, const char *text) {
    char *copy = dup_str(text);
    if (copy) push(s, type, a, 0, copy);
    else _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "out of memory queuing a signaling event: it was lost");
}

/* A message from the server that does not fit: counted, told once per burst at the next poll; under
   EMRTC_BACKLOG_CLOSE the connection is closed (EMRTC_SIGNAL_CLOSE_LIMIT). */
static void message_drop(signal_t *s, int why, size_t size) {
    s->dropped++;
    s->drop_why = (uint8_t)why;
    s->drop_size = size;
    if (!s->dropping) s->dropping = s->burst_untold = true;
    if (s->backlog_policy == EMRTC_BACKLOG_CLOSE && !s->limit_closed && !s->ws_closed) {
        s->limit_closed = true;
        /* (a browser may only close with 1000 or 3000..4999: 4009 is the library's "1009 message too big") */
        emscripten_websocket_close(s->ws, EMRTC_SIGNAL_CLOSE_LIMIT, why == DROP_TOO_BIG ? "Message too big" : "Too many unread messages");
    }
}

/* Whether a message of `len` bytes may be queued (else it is dropped and counted). */
static bool backlog_admits(signal_t *s, size_t len) {
    int why = s->events.count >= EMRTC_MAX_QUEUED_EVENTS                                          ? DROP_QUEUE
              : s->backlog + len + EMRTC_SIGNAL_EVENT_OVERHEAD_BYTES > s->backlog_limit || s->limit_closed ? DROP_BACKLOG
                                                                                                 : -1;
    if (why < 0) return true;
    message_drop(s, why, len);
    return false;
}

/* Queues a message or parse error and counts it in the backlog (admitted by backlog_admits). */
static void push_counted(signal_t *s, uint32_t type, int32_t a, uint32_t handle, char *owned) {
    size_t n = strlen(owned) + EMRTC_SIGNAL_EVENT_OVERHEAD_BYTES;
    _emrtc_event ev = {type, a, handle, owned, NULL};
    if (!_emrtc_queue_push(&s->events, &ev)) {
        free(owned);
        message_drop(s, DROP_QUEUE, n);
        return;
    }
    s->backlog += n;
    s->dropping = false; /* a message fits again: the burst is over */
}

static void push_parse_error(signal_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void push_parse_error(signal_t *s, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!backlog_admits(s, strlen(msg))) return;
    char *copy = dup_str(msg);
    if (copy) push_counted(s, SIG_EV_PARSE_ERROR, EMRTC_ERR_PARSE_ERROR, 0, copy);
    else message_drop(s, DROP_QUEUE, strlen(msg));
}

static signal_t *signal_of(void *user_data) { return _emrtc_pool_get(&signals, (uint32_t)(uintptr_t)user_data); }

static EM_BOOL on_ws_open(int type, const EmscriptenWebSocketOpenEvent *e, void *user_data) {
    (void)type, (void)e;
    signal_t *s = signal_of(user_data);
    if (!s) return EM_TRUE;
    s->ws_opened = true;
    push(s, SIG_EV_OPEN, 0, 0, NULL);
    return EM_TRUE;
}

static EM_BOOL on_ws_message(int type, const EmscriptenWebSocketMessageEvent *e, void *user_data) {
    (void)type;
    signal_t *s = signal_of(user_data);
    if (!s) return EM_TRUE;
    if (!e->isText) {
        push_parse_error(s, "a binary frame (%u bytes) from the server: the protocol uses text frames",
                         (unsigned)e->numBytes);
        return EM_TRUE;
    }
    size_t len = e->numBytes ? e->numBytes - 1u : 0u; /* without the NUL the library appends */
    const char *text = (const char *)e->data;
    _emrtc_sig_msg msg;
    char why[160];
    if (!backlog_admits(s, len)) return EM_TRUE; /* before parsing: a dropped message costs no copy */
    if (!_emrtc_utf8_valid((const uint8_t *)text, len))
        push_parse_error(s, "a message from the server is not UTF-8");
    else if (!_emrtc_sig_json_parse(text, len, &msg, why, sizeof why))
        push_parse_error(s, "malformed message from the server (%zu bytes): %s", len, why);
    else
        push_counted(s, SIG_EV_MESSAGE, msg.id, (uint32_t)msg.type, msg.data);
    return EM_TRUE;
}

static EM_BOOL on_ws_error(int type, const EmscriptenWebSocketErrorEvent *e, void *user_data) {
    (void)type, (void)e;
    signal_t *s = signal_of(user_data);
    if (!s || s->state == EMRTC_SIGNAL_STATE_CLOSING) return EM_TRUE; /* closing on request is no error */
    char msg[EMRTC_SIGNAL_MAX_URL_BYTES + 64];
    if (s->ws_opened) {
        snprintf(msg, sizeof msg, "the connection to %s failed", s->url);
        push_text(s, SIG_EV_ERROR, EMRTC_ERR_CONNECTION_ERROR, msg);
    } else {
        snprintf(msg, sizeof msg, "cannot connect to %s", s->url);
        push_text(s, SIG_EV_ERROR, EMRTC_ERR_CANT_CONNECT, msg);
    }
    return EM_TRUE;
}

static EM_BOOL on_ws_close(int type, const EmscriptenWebSocketCloseEvent *e, void *user_data) {
    (void)type;
    signal_t *s = signal_of(user_data);
    if (!s) return EM_TRUE;
    s->ws_closed = true;
    push_text(s, SIG_EV_CLOSE, e->code, e->reason);
    return EM_TRUE;
}

/* Called by the guard below, before Emscripten's library copies a message into wasm memory. */
EMSCRIPTEN_KEEPALIVE void emrtc__signal_js_too_big(uint32_t id, double size) {
    signal_t *s = signal_of((void *)(uintptr_t)id);
    if (s) message_drop(s, DROP_TOO_BIG, (size_t)size);
}

/* Emscripten's library mallocs every message whole (and our parse copies its data once more):
   messages over `max` bytes are refused in JS, before any of it reaches wasm memory. A string counts
   at most 3 bytes per UTF-16 unit: exactly only when that bound passes the limit. */
EM_JS(void, emrtc_signal_js_guard, (int ws, uint32_t id, double max), {
    var sock = WS.sockets[ws];
    var inner = sock.onmessage;
    sock.onmessage = function(e) {
        var d = e.data;
        var n = typeof d == "string" ? (d.length * 3 <= max ? 0 : lengthBytesUTF8(d)) : d.byteLength;
        if (n > max) { _emrtc__signal_js_too_big(id, n); return; }
        inner(e);
    };
});

/* ---- create / destroy ---- */

/* What `new WebSocket(url)` accepts without throwing, restricted to ws: and wss:. */
EM_JS(int, emrtc_signal_js_url_ok, (const char *url), {
    var text = UTF8ToString(url);
    try {
        var parsed = new URL(text);
        return (parsed.protocol == "ws:" || parsed.protocol == "wss:") && text.indexOf("#") < 0 ? 1 : 0;
    } catch (e) {
        return 0;
    }
});

emrtc_signal emrtc_signal_create(const emrtc_signal_desc *desc) {
    emrtc_signal h = {0};
    if (_emrtc_off_main_thread(__func__)) return h;
    if (!desc || !desc->url) {
        _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "emrtc_signal_create: %s is NULL", desc ? "desc->url" : "desc");
        return h;
    }
    if (desc->max_message_bytes > EMRTC_MAX_BACKLOG_BYTES || desc->max_backlog_bytes > EMRTC_MAX_BACKLOG_BYTES ||
        (unsigned)desc->backlog_policy > EMRTC_BACKLOG_CLOSE) {
        _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "emrtc_signal_create: max_message_bytes %zu, max_backlog_bytes %zu "
                    "(at most %u each) or backlog_policy %d out of range", desc->max_message_bytes,
                    desc->max_backlog_bytes, EMRTC_MAX_BACKLOG_BYTES, (int)desc->backlog_policy);
        return h;
    }
    size_t url_len = strlen(desc->url);
    if (url_len > EMRTC_SIGNAL_MAX_URL_BYTES) {
        _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "emrtc_signal_create: url is %zu bytes, at most %u allowed",
                    url_len, EMRTC_SIGNAL_MAX_URL_BYTES);
        return h;
    }
    if (!_emrtc_utf8_valid((const uint8_t *)desc->url, url_len) || !emrtc_signal_js_url_ok(desc->url)) {
        _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "emrtc_signal_create: \"%.80s\" is not a ws:// or wss:// URL (without #)",
                    desc->url);
        return h;
    }
    if (!emscripten_websocket_is_supported()) {
        _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "emrtc_signal_create: this environment has no WebSocket");
        return h;
    }
    if (!pool_ready) {
        _emrtc_pool_init(&signals, SIGNAL_MAX_CLIENTS);
        pool_ready = true;
    }
    signal_t *s = calloc(1, sizeof *s);
    if (!s || !(s->url = dup_str(desc->url)) || !(h.id = _emrtc_pool_add(&signals, s))) {
        if (s) free(s->url);
        free(s);
        _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "emrtc_signal_create: out of memory or client slots");
        return (emrtc_signal){0};
    }
    s->cb = desc->callbacks;
    s->state = EMRTC_SIGNAL_STATE_CONNECTING;
    s->max_message = desc->max_message_bytes ? desc->max_message_bytes : EMRTC_SIGNAL_DEFAULT_MAX_MESSAGE_BYTES;
    s->backlog_limit = desc->max_backlog_bytes ? desc->max_backlog_bytes : EMRTC_SIGNAL_DEFAULT_MAX_BACKLOG_BYTES;
    s->backlog_policy = desc->backlog_policy ? desc->backlog_policy : EMRTC_BACKLOG_DROP;
    EmscriptenWebSocketCreateAttributes attrs;
    emscripten_websocket_init_create_attributes(&attrs);
    attrs.url = s->url;
    attrs.createOnMainThread = EM_TRUE;
    s->ws = emscripten_websocket_new(&attrs);
    if (s->ws <= 0) {
        emrtc_signal_destroy(h);
        _emrtc_fail(EMRTC_ERR_CANT_CONNECT, "emrtc_signal_create: the browser refused to open %.80s", desc->url);
        return (emrtc_signal){0};
    }
    void *ud = (void *)(uintptr_t)h.id;
    emscripten_websocket_set_onopen_callback(s->ws, ud, on_ws_open);
    emscripten_websocket_set_onmessage_callback(s->ws, ud, on_ws_message);
    emrtc_signal_js_guard(s->ws, h.id, (double)s->max_message);
    emscripten_websocket_set_onerror_callback(s->ws, ud, on_ws_error);
    emscripten_websocket_set_onclose_callback(s->ws, ud, on_ws_close);
    return h;
}

void emrtc_signal_destroy(emrtc_signal sig) {
    if (_emrtc_off_main_thread(__func__)) return;
    signal_t *s = pool_ready ? _emrtc_pool_remove(&signals, sig.id) : NULL;
    if (!s) return;
    if (s->ws > 0) {
        if (!s->ws_closed) emscripten_websocket_close(s->ws, 1000, NULL);
        emscripten_websocket_delete(s->ws);
    }
    _emrtc_queue_free(&s->events);
    free(s->url);
    free(s->lobby);
    free(s);
}

emrtc_error emrtc_signal_set_callbacks(emrtc_signal sig, const emrtc_signal_callbacks *callbacks) {
    emrtc_error err = EMRTC_OK;
    signal_t *s = signal_or_fail(sig, "emrtc_signal_set_callbacks", &err);
    if (!s) return err;
    if (callbacks) s->cb = *callbacks;
    else memset(&s->cb, 0, sizeof s->cb);
    return EMRTC_OK;
}

void emrtc_signal_close(emrtc_signal sig) {
    signal_t *s = get_signal(sig);
    if (!s || s->state >= EMRTC_SIGNAL_STATE_CLOSING) return;
    s->state = EMRTC_SIGNAL_STATE_CLOSING;
    if (!s->ws_closed) emscripten_websocket_close(s->ws, 1000, NULL);
}

/* ---- poll ---- */

/* Calls the callback of one server message. */
/* Whether this client, a client of a server/client lobby, must ignore peer `id`: it may only be
   linked to the host (Godot's WebRTCMultiplayerPeer.add_peer refuses other peers in client mode),
   and a server may announce every member to every member (the demo's Node server does). */
static bool not_linked(const signal_t *s, int id) {
    return s->id > EMRTC_SIGNAL_HOST_ID && !s->mesh && id != EMRTC_SIGNAL_HOST_ID;
}

static void deliver_message(signal_t *s, emrtc_signal h, int type, int id, char *data) {
    const emrtc_signal_callbacks *cb = &s->cb;
    void *ud = cb->user_data;
    if (type >= EMRTC_SIGNAL_MSG_ID && type <= EMRTC_SIGNAL_MSG_CANDIDATE && id < 1) {
        if (cb->error) cb->error(h, EMRTC_ERR_PARSE_ERROR, "a message from the server names peer id 0", ud);
        return;
    }
    if (type >= EMRTC_SIGNAL_MSG_PEER_CONNECT && type <= EMRTC_SIGNAL_MSG_CANDIDATE && not_linked(s, id)) return;
    switch (type) {
    case EMRTC_SIGNAL_MSG_ID:
        s->id = id;
        s->mesh = strcmp(data, "true") == 0;
        if (cb->id_assigned) cb->id_assigned(h, id, s->mesh, ud);
        return;
    case EMRTC_SIGNAL_MSG_JOIN: {
        char *lobby = dup_str(data);
        if (!lobby) {
            if (cb->error) cb->error(h, EMRTC_ERR_OUT_OF_MEMORY, "out of memory storing the lobby name", ud);
            return;
        }
        free(s->lobby);
        s->lobby = lobby;
        if (cb->lobby_joined) cb->lobby_joined(h, data, ud);
        return;
    }
    case EMRTC_SIGNAL_MSG_PEER_CONNECT:
        if (cb->peer_connected) cb->peer_connected(h, id, ud);
        return;
    case EMRTC_SIGNAL_MSG_PEER_DISCONNECT:
        if (cb->peer_disconnected) cb->peer_disconnected(h, id, ud);
        return;
    case EMRTC_SIGNAL_MSG_OFFER:
        if (cb->offer_received) cb->offer_received(h, id, data, ud);
        return;
    case EMRTC_SIGNAL_MSG_ANSWER:
        if (cb->answer_received) cb->answer_received(h, id, data, ud);
        return;
    case EMRTC_SIGNAL_MSG_CANDIDATE: {
        char *mid, *sdp;
        int index;
        if (_emrtc_sig_candidate_split(data, &mid, &index, &sdp)) {
            if (cb->candidate_received) cb->candidate_received(h, id, mid, index, sdp, ud);
        } else if (cb->error) {
            char msg[128];
            snprintf(msg, sizeof msg, "a candidate from peer %d is not \"\\n\" mid \"\\n\" index \"\\n\" sdp", id);
            cb->error(h, EMRTC_ERR_PARSE_ERROR, msg, ud);
        }
        return;
    }
    case EMRTC_SIGNAL_MSG_SEAL:
        if (cb->lobby_sealed) cb->lobby_sealed(h, ud);
        return;
    default:
        if (cb->error) {
            char msg[96];
            snprintf(msg, sizeof msg, "unknown message type %d from the server", type);
            cb->error(h, EMRTC_ERR_PARSE_ERROR, msg, ud);
        }
        return;
    }
}

static void dispatch(signal_t *s, emrtc_signal h, _emrtc_event *ev) {
    const emrtc_signal_callbacks *cb = &s->cb;
    switch (ev->type) {
    case SIG_EV_OPEN:
        if (s->state != EMRTC_SIGNAL_STATE_CONNECTING) return; /* closed on request meanwhile */
        s->state = EMRTC_SIGNAL_STATE_OPEN;
        if (cb->connected) cb->connected(h, cb->user_data);
        return;
    case SIG_EV_MESSAGE:
        deliver_message(s, h, (int)ev->handle, ev->a, ev->s1);
        return;
    case SIG_EV_PARSE_ERROR:
    case SIG_EV_ERROR:
        if (cb->error) cb->error(h, (emrtc_error)ev->a, ev->s1, cb->user_data);
        return;
    case SIG_EV_CLOSE:
        s->state = EMRTC_SIGNAL_STATE_CLOSED;
        if (cb->closed) cb->closed(h, ev->a, ev->s1, cb->user_data);
        return;
    }
}

emrtc_error emrtc_signal_poll(emrtc_signal sig) {
    emrtc_error err = EMRTC_OK;
    signal_t *s = signal_or_fail(sig, "emrtc_signal_poll", &err);
    if (!s) return err;
    /* only what was queued before this poll */
    if (s->burst_untold) {
        /* drops are told first: they happened before what is still queued was polled */
        s->burst_untold = false;
        static const char *const why[] = {"is over max_message_bytes", "finds the unread messages at max_backlog_bytes",
                                          "finds EMRTC_MAX_QUEUED_EVENTS unread messages"};
        char msg[256];
        snprintf(msg, sizeof msg,
                 "messages from the server dropped: the last, of %zu bytes, %s (%zu and %zu bytes); %llu dropped so far%s",
                 s->drop_size, why[s->drop_why], s->max_message, s->backlog_limit, (unsigned long long)s->dropped,
                 s->limit_closed ? "; the connection is closed (EMRTC_BACKLOG_CLOSE)" : "");
        if (s->cb.error) s->cb.error(sig, EMRTC_ERR_OUT_OF_MEMORY, msg, s->cb.user_data);
        if (!(s = get_signal(sig))) return EMRTC_OK;
    }
    uint32_t n = s->events.count;
    _emrtc_event ev;
    while (n-- > 0 && _emrtc_queue_pop(&s->events, &ev)) {
        if (ev.type == SIG_EV_MESSAGE || ev.type == SIG_EV_PARSE_ERROR)
            s->backlog -= strlen(ev.s1) + EMRTC_SIGNAL_EVENT_OVERHEAD_BYTES;
        dispatch(s, sig, &ev);
        _emrtc_event_free_strings(&ev);
        if (!(s = get_signal(sig))) break; /* destroyed by a callback */
    }
    return EMRTC_OK;
}

/* ---- sending ---- */

static const char *const state_names[] = {"connecting", "open", "closing", "closed"};

/* The client of `sig` if it may send now (open; with an id assigned when `need_id`), else NULL and *err. */
static signal_t *sender_or_fail(emrtc_signal sig, const char *fn, bool need_id, emrtc_error *err) {
    signal_t *s = signal_or_fail(sig, fn, err);
    if (!s) return NULL;
    if (s->state != EMRTC_SIGNAL_STATE_OPEN || s->ws_closed) {
        *err = _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "%s: the connection is %s%s", fn,
                           s->state == EMRTC_SIGNAL_STATE_OPEN ? "closed" : state_names[s->state],
                           s->state == EMRTC_SIGNAL_STATE_CONNECTING ? "; wait for the connected callback"
                           : s->state == EMRTC_SIGNAL_STATE_OPEN    ? " (the closed callback follows)"
                                                                    : "");
        return NULL;
    }
    if (need_id && !s->id) {
        *err = _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "%s: no id assigned yet; wait for the id_assigned callback", fn);
        return NULL;
    }
    return s;
}

static emrtc_error check_text(const char *fn, const char *what, const char *text) {
    if (!text) return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: %s is NULL", fn, what);
    if (!_emrtc_utf8_valid((const uint8_t *)text, strlen(text)))
        return _emrtc_fail(EMRTC_ERR_INVALID_DATA, "%s: %s is not valid UTF-8", fn, what);
    return EMRTC_OK;
}

static emrtc_error check_peer_id(const signal_t *s, const char *fn, int peer_id) {
    if (peer_id < 1)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "%s: peer id %d is outside 1..%d", fn, peer_id,
                           EMRTC_SIGNAL_MAX_PEER_ID);
    if (not_linked(s, peer_id))
        return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER,
                           "%s: peer %d is not the host; a client of a server/client lobby signals only the host (1)",
                           fn, peer_id);
    return EMRTC_OK;
}

static emrtc_error send_msg(signal_t *s, const char *fn, int type, int id, const char *data) {
    char *text = _emrtc_sig_json_encode(type, id, data);
    if (!text) return _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "%s: out of memory encoding the message", fn);
    EMSCRIPTEN_RESULT r = emscripten_websocket_send_utf8_text(s->ws, text);
    free(text);
    if (r != EMSCRIPTEN_RESULT_SUCCESS)
        return _emrtc_fail(EMRTC_ERR_CONNECTION_ERROR, "%s: the browser refused to send (%d)", fn, (int)r);
    return EMRTC_OK;
}

emrtc_error emrtc_signal_join(emrtc_signal sig, const char *lobby, bool mesh) {
    emrtc_error err = EMRTC_OK;
    signal_t *s = sender_or_fail(sig, "emrtc_signal_join", false, &err);
    if (!s) return err;
    if (s->join_sent) return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "emrtc_signal_join: already joined (once per client)");
    if (!lobby) lobby = "";
    if ((err = check_text("emrtc_signal_join", "lobby", lobby))) return err;
    if ((err = send_msg(s, "emrtc_signal_join", EMRTC_SIGNAL_MSG_JOIN, mesh ? 0 : 1, lobby))) return err;
    s->join_sent = true;
    return EMRTC_OK;
}

emrtc_error emrtc_signal_seal(emrtc_signal sig) {
    emrtc_error err = EMRTC_OK;
    signal_t *s = sender_or_fail(sig, "emrtc_signal_seal", true, &err);
    if (!s) return err;
    if (s->id != EMRTC_SIGNAL_HOST_ID)
        return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "emrtc_signal_seal: only the host (id 1) may seal; you are %d", s->id);
    return send_msg(s, "emrtc_signal_seal", EMRTC_SIGNAL_MSG_SEAL, 0, "");
}

/* OFFER and ANSWER. */
static emrtc_error send_description(emrtc_signal sig, const char *fn, int type, int peer_id, const char *sdp) {
    emrtc_error err = EMRTC_OK;
    signal_t *s = sender_or_fail(sig, fn, true, &err);
    if (!s) return err;
    if ((err = check_peer_id(s, fn, peer_id)) || (err = check_text(fn, "sdp", sdp))) return err;
    return send_msg(s, fn, type, peer_id, sdp);
}

emrtc_error emrtc_signal_send_offer(emrtc_signal sig, int peer_id, const char *sdp) {
    return send_description(sig, "emrtc_signal_send_offer", EMRTC_SIGNAL_MSG_OFFER, peer_id, sdp);
}

emrtc_error emrtc_signal_send_answer(emrtc_signal sig, int peer_id, const char *sdp) {
    return send_description(sig, "emrtc_signal_send_answer", EMRTC_SIGNAL_MSG_ANSWER, peer_id, sdp);
}

emrtc_error emrtc_signal_send_candidate(emrtc_signal sig, int peer_id, const char *mid, int index, const char *sdp) {
    static const char fn[] = "emrtc_signal_send_candidate";
    emrtc_error err = EMRTC_OK;
    signal_t *s = sender_or_fail(sig, fn, true, &err);
    if (!s) return err;
    if ((err = check_peer_id(s, fn, peer_id)) || (err = check_text(fn, "mid", mid)) ||
        (err = check_text(fn, "sdp", sdp)))
        return err;
    if (strchr(mid, '\n')) return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s: mid contains a newline", fn);
    if (index < 0 || index > 65535)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "%s: index %d is outside 0..65535", fn, index);
    /* End-of-candidates does not go on the wire: its data would be "\n" mid "\n" index "\n", which
       Godot's parser (split("\n", false), exactly three parts) rejects; Godot never sends one. */
    if (!*sdp) return EMRTC_OK;
    char *data = _emrtc_sig_candidate_encode(mid, index, sdp);
    if (!data) return _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "%s: out of memory encoding the candidate", fn);
    err = send_msg(s, fn, EMRTC_SIGNAL_MSG_CANDIDATE, peer_id, data);
    free(data);
    return err;
}

/* ---- getters ---- */

emrtc_signal_state emrtc_signal_get_state(emrtc_signal sig) {
    signal_t *s = get_signal(sig);
    return s ? s->state : EMRTC_SIGNAL_STATE_CLOSED;
}

int emrtc_signal_get_id(emrtc_signal sig) {
    signal_t *s = get_signal(sig);
    return s ? s->id : 0;
}

bool emrtc_signal_is_mesh(emrtc_signal sig) {
    signal_t *s = get_signal(sig);
    return s && s->mesh;
}

const char *emrtc_signal_get_lobby(emrtc_signal sig) {
    signal_t *s = get_signal(sig);
    return s && s->lobby ? s->lobby : "";
}

uint64_t emrtc_signal_get_dropped_count(emrtc_signal sig) {
    signal_t *s = get_signal(sig);
    return s ? s->dropped : 0;
}

int emrtc_signal_live_count(void) { return pool_ready && !_emrtc_off_main_thread(__func__) ? (int)signals.live : 0; }
