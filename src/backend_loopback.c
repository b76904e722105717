/* The built-in backend natively: an in-process loopback, so a game's netcode can be unit-tested
   with gcc or clang, no browser. Two emrtc_peers of one process connect by exchanging offer, answer
   and candidates through the same calls, callbacks and poll() as in the browser, with the event
   sequences Chromium produces (observed, not guessed: see tests/native/README.md).

   - Descriptions look like Chromium's (v=, o=, ice-ufrag, fingerprint, setup, max-message-size...)
     plus "a=x-emrtc-loopback:<token>": the token names the peer that made it, and the answerer finds
     the offerer through the registry of live loopback peers keyed by that token. Candidates are
     "candidate:1 1 udp 2113937151 127.0.0.1 <port> typ host ...", the port naming the peer.
   - What the browser refuses is refused here with the same error code, asynchronously (through the
     peer's error callback, from the next poll) and with the DOM error name in the message:
     unparsable descriptions and candidates (OperationError: EMRTC_ERR_INVALID_DATA), steps in the
     wrong signaling state (InvalidStateError: EMRTC_ERR_UNAVAILABLE), a local description that is
     not the one created (InvalidModificationError: EMRTC_ERR_INVALID_DATA). A description this
     backend did not make (a real browser's) is refused as unparsable.
   - Connection: once both peers have applied both descriptions and one of them has the other's
     host candidate, both go CONNECTING -> CONNECTED; in-band channels get their SCTP ids (odd on the
     offerer, even on the answerer, as Chromium's DTLS roles give) and are announced to the far side,
     negotiated ones are paired by id; then every channel is OPEN.
   - Data: put_packet writes the packet straight into the far channel's receive buffer
     (emrtc_ext_packet_reserve/commit, one copy); it is readable after the far side's next poll. The
     bytes also count in the sender's buffered amount until the sender's peer is next polled (the
     core calls the table's peer_poll from poll), which drains it and fires buffered_amount_low when it
     falls to the threshold; more than 16 MiB buffered between two polls is EMRTC_ERR_BUSY, as in
     Chromium.
   - Configuration: ICE servers and policies are accepted and ignored, except
     ice_transport_policy relay: there is no TURN server here, so such a peer gathers no candidate
     (and says so through its error callback, as the browser backend does) and never connects.
   - Stats: get_stats is answered from the next poll (see answer_stats); restart_ice makes new ICE
     credentials and an offer, the answerer follows with its own, both gather again, channels stay.
   - Closing: a channel's close or destroy closes the far channel (CLOSING, CLOSED); a peer's close or
     destroy closes the far channels with Chromium's "User-Initiated Abort" error and moves the far
     connection to DISCONNECTED (FAILED if it was still connecting); Chromium takes seconds to notice,
     the loopback reports it from the far side's next poll.
   Objects are found from their handles through two slot tables (index = the handle's slot, checked
   against the whole id). */
#ifndef __EMSCRIPTEN__

#include "emrtc_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LB_MAX_MESSAGE 262144u              /* Chromium's sctp.maxMessageSize */
#define LB_MAX_MESSAGE_UNCONNECTED 65536u   /* before there is an SCTP transport */
#define LB_MAX_QUEUE (16u * 1024u * 1024u)  /* Chromium refuses a send past 16 MiB buffered */
#define LB_PORT_FIRST 49152u                /* candidate ports: the dynamic range */
#define LB_PORT_COUNT 16384u
#define LB_WIRE_OVERHEAD 41u                /* per message in the stats: SCTP common header 12 + DATA
                                               chunk header 16 + DTLS record header 13 */
#define LB_RTT_MS 0.05                      /* the stats' round-trip time: a same-host figure */


typedef struct lb_peer lb_peer;

typedef struct lb_channel {
    emrtc_channel ch;
    lb_peer *peer;
    emrtc_channel far;            /* the far side's channel once paired */
    char *label, *protocol;
    emrtc_channel_options opt;    /* opt.protocol points to protocol */
    int id;                       /* SCTP stream id, EMRTC_ID_UNSET until assigned */
    bool received;                /* announced by the far side (not one of this peer's own) */
    bool open, closed;
    size_t buffered, threshold;
} lb_channel;

struct lb_peer {
    emrtc_peer pc;
    uint64_t token;               /* names this peer in its descriptions */
    unsigned port;                /* names this peer in its candidates */
    unsigned version;             /* the o= line's session version */
    emrtc_signaling_state sig;
    emrtc_connection_state conn;
    bool closed, gathered, sctp;
    bool have_local, have_remote; /* a description of each side applied */
    bool offerer;                 /* DTLS server: odd in-band ids */
    bool remote_candidate;        /* has the far peer's host candidate */
    bool relay_only;              /* ice_transport_policy relay: no TURN server here, no candidate */
    unsigned ice_generation;      /* bumped by each ICE restart: new ufrag and pwd */
    uint64_t remote_ufrag;        /* hash of the remote description's ice-ufrag */
    bool stats_requested;         /* answered from the next poll */
    uint64_t checks;              /* connectivity checks answered (one per stats request) */
    uint64_t bytes_sent, bytes_received, packets_sent, packets_received;
    uint64_t remote_token;        /* from the remote description */
    char *offer, *answer;         /* the last ones created: set_local_description must get them back */
    lb_channel **chans;
    int nchans, capchans;
};

/* ---- slot tables: handle -> object ---- */

typedef struct lb_table {
    void **items;
    uint32_t cap;
} lb_table;

static lb_table peer_table, channel_table;
static int live_objects;
static uint64_t token_counter;

static void *table_get(const lb_table *t, uint32_t id) {
    uint32_t slot = id & 0xFFFFu;
    return slot < t->cap ? t->items[slot] : NULL;
}

static bool table_put(lb_table *t, uint32_t id, void *obj) {
    uint32_t slot = id & 0xFFFFu;
    if (slot >= t->cap) {
        uint32_t ncap = t->cap ? t->cap : 16u;
        while (ncap <= slot) ncap *= 2u;
        void **n = realloc(t->items, ncap * sizeof(*n));
        if (!n) return false;
        memset(n + t->cap, 0, (ncap - t->cap) * sizeof(*n));
        t->items = n;
        t->cap = ncap;
    }
    t->items[slot] = obj;
    return true;
}

static void table_clear(lb_table *t, uint32_t id) {
    uint32_t slot = id & 0xFFFFu;
    if (slot < t->cap) t->items[slot] = NULL;
    if (live_objects == 0) { /* nothing left: give the tables back (leak checkers see a clean exit) */
        free(peer_table.items);
        free(channel_table.items);
        memset(&peer_table, 0, sizeof(peer_table));
        memset(&channel_table, 0, sizeof(channel_table));
    }
}

static lb_peer *peer_get(emrtc_peer pc) {
    lb_peer *p = table_get(&peer_table, pc.id);
    return p && p->pc.id == pc.id ? p : NULL;
}

static lb_channel *chan_get(emrtc_channel ch) {
    lb_channel *c = ch.id ? table_get(&channel_table, ch.id) : NULL;
    return c && c->ch.id == ch.id ? c : NULL;
}

/* A live, open loopback peer by its token or its port. */
static lb_peer *peer_find(uint64_t token, unsigned port) {
    for (uint32_t i = 0; i < peer_table.cap; i++) {
        lb_peer *p = peer_table.items[i];
        if (p && !p->closed && (token ? p->token == token : p->port == port)) return p;
    }
    return NULL;
}

/* ---- names, tokens and credentials ---- */

static const char *const sig_names[] = {"stable", "have-local-offer", "have-remote-offer", "have-local-pranswer",
                                        "have-remote-pranswer", "closed"};

static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* ICE credentials and a DTLS fingerprint, derived from the peer's token (and its ICE generation, which
   an ICE restart bumps: new ufrag and pwd, same certificate) so a description is self-consistent. */
static void credentials(const lb_peer *p, char ufrag[5], char pwd[25], char fingerprint[96]) {
    static const char ice_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint64_t st = p->token;
    for (int i = 0; i < 32; i++) snprintf(fingerprint + 3 * i, 4, "%02X%s", (unsigned)(splitmix64(&st) & 0xFFu), i < 31 ? ":" : "");
    st ^= (uint64_t)p->ice_generation * 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 4; i++) ufrag[i] = ice_chars[splitmix64(&st) & 63u];
    ufrag[4] = 0;
    for (int i = 0; i < 24; i++) pwd[i] = ice_chars[splitmix64(&st) & 63u];
    pwd[24] = 0;
}

/* ---- reporting ---- */

static void set_sig(lb_peer *p, emrtc_signaling_state s) {
    p->sig = s;
    emrtc_ext_signaling_state(p->pc, s);
}

static void set_conn(lb_peer *p, emrtc_connection_state s) {
    p->conn = s;
    emrtc_ext_connection_state(p->pc, s);
}

static void set_channel_state(lb_channel *c, emrtc_channel_state s) {
    c->open = s == EMRTC_CHANNEL_STATE_OPEN;
    c->closed = s >= EMRTC_CHANNEL_STATE_CLOSING;
    emrtc_ext_channel_state(c->ch, s);
}

/* A failed asynchronous step, the way the browser backend reports a rejected promise: "<step>:
   <DOM error name>: <message>", InvalidStateError as EMRTC_ERR_UNAVAILABLE, others as
   EMRTC_ERR_INVALID_DATA. The call itself succeeds. */
static emrtc_error reject(lb_peer *p, const char *step, const char *dom_error, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static emrtc_error reject(lb_peer *p, const char *step, const char *dom_error, const char *fmt, ...) {
    char msg[400];
    int n = snprintf(msg, sizeof msg, "%s: %s: ", step, dom_error);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    bool state = strcmp(dom_error, "InvalidStateError") == 0;
    emrtc_ext_error(p->pc, state ? EMRTC_ERR_UNAVAILABLE : EMRTC_ERR_INVALID_DATA, msg);
    return EMRTC_OK;
}

/* ---- descriptions ---- */

static char *sdp_build(lb_peer *p, bool offer) {
    static const char fmt[] = "v=0\r\n"
                              "o=- %" PRIu64 " %u IN IP4 127.0.0.1\r\n"
                              "s=-\r\n"
                              "t=0 0\r\n"
                              "a=group:BUNDLE 0\r\n"
                              "a=msid-semantic: WMS\r\n"
                              "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                              "c=IN IP4 0.0.0.0\r\n"
                              "a=ice-ufrag:%s\r\n"
                              "a=ice-pwd:%s\r\n"
                              "a=ice-options:trickle\r\n"
                              "a=fingerprint:sha-256 %s\r\n"
                              "a=setup:%s\r\n"
                              "a=mid:0\r\n"
                              "a=sctp-port:5000\r\n"
                              "a=max-message-size:%u\r\n"
                              "a=x-emrtc-loopback:%016" PRIx64 "\r\n";
    char ufrag[5], pwd[25], fp[96];
    credentials(p, ufrag, pwd, fp);
    p->version++;
    const char *setup = offer ? "actpass" : "active";
    uint64_t session = p->token >> 1; /* < 2^63, like Chromium's */
    int n = snprintf(NULL, 0, fmt, session, p->version, ufrag, pwd, fp, setup, LB_MAX_MESSAGE, p->token);
    char *sdp = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (sdp) snprintf(sdp, (size_t)n + 1, fmt, session, p->version, ufrag, pwd, fp, setup, LB_MAX_MESSAGE, p->token);
    return sdp;
}

typedef struct lb_sdp {
    uint64_t token;
    uint64_t ufrag; /* FNV-1a of the ice-ufrag: a new one means an ICE restart */
    bool actpass;
} lb_sdp;

/* `len` characters of `s`, all in `set` (or all hex digits when set is NULL). */
static bool all_of(const char *s, size_t len, const char *set) {
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        bool hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
        if (set ? (ch == 0 || !strchr(set, ch)) : !hex) return false;
    }
    return true;
}

#define LB_DIGITS "0123456789"
#define LB_ICE_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/* The value after `key` when line[0..len) starts with it. */
static const char *after(const char *line, size_t len, const char *key, size_t *vlen) {
    size_t k = strlen(key);
    if (len < k || memcmp(line, key, k) != 0) return NULL;
    *vlen = len - k;
    return line + k;
}

enum { SDP_UFRAG = 1, SDP_PWD = 2, SDP_FINGERPRINT = 4, SDP_SETUP = 8, SDP_TOKEN = 16, SDP_MID = 32, SDP_S = 64,
       SDP_T = 128, SDP_ALL = 255 };

/* Checks one a= line (without "a="); returns the SDP_* bit it provides, 0 for others, -1 if malformed. */
static int sdp_attribute(const char *a, size_t len, lb_sdp *d) {
    size_t n;
    const char *v;
    if ((v = after(a, len, "ice-ufrag:", &n))) {
        d->ufrag = 0xcbf29ce484222325ull;
        for (size_t i = 0; i < n; i++) d->ufrag = (d->ufrag ^ (uint8_t)v[i]) * 0x100000001b3ull;
        return n >= 4 && n <= 256 && all_of(v, n, LB_ICE_CHARS) ? SDP_UFRAG : -1;
    }
    if ((v = after(a, len, "ice-pwd:", &n))) return n >= 22 && n <= 256 && all_of(v, n, LB_ICE_CHARS) ? SDP_PWD : -1;
    if ((v = after(a, len, "mid:", &n))) return n >= 1 && n <= 32 ? SDP_MID : -1;
    if ((v = after(a, len, "fingerprint:sha-256 ", &n))) {
        if (n != 95) return -1;
        for (size_t i = 0; i < 32; i++)
            if (!all_of(v + 3 * i, 2, NULL) || (i < 31 && v[3 * i + 2] != ':')) return -1;
        return SDP_FINGERPRINT;
    }
    if ((v = after(a, len, "setup:", &n))) {
        d->actpass = n == 7 && memcmp(v, "actpass", 7) == 0;
        bool ok = d->actpass || (n == 6 && memcmp(v, "active", 6) == 0) || (n == 7 && memcmp(v, "passive", 7) == 0);
        return ok ? SDP_SETUP : -1;
    }
    if ((v = after(a, len, "x-emrtc-loopback:", &n))) {
        if (n != 16 || !all_of(v, n, NULL)) return -1;
        char hex[17];
        memcpy(hex, v, 16);
        hex[16] = 0;
        d->token = strtoull(hex, NULL, 16);
        return d->token ? SDP_TOKEN : -1;
    }
    if ((v = after(a, len, "max-message-size:", &n))) return n >= 1 && n <= 10 && all_of(v, n, LB_DIGITS) ? 0 : -1;
    return 0;
}

/* "m=application <port> UDP/DTLS/SCTP webrtc-datachannel" */
static bool media_line(const char *line, size_t len) {
    size_t n, rest, digits = 0;
    const char *v = after(line, len, "m=application ", &n);
    if (!v) return false;
    while (digits < n && v[digits] >= '0' && v[digits] <= '9') digits++;
    return digits >= 1 && digits <= 5 && after(v + digits, n - digits, " UDP/DTLS/SCTP webrtc-datachannel", &rest) &&
           rest == 0;
}

/* Parses a description made by this backend; on failure `why` says what is wrong, like Chromium's
   "Failed to parse SessionDescription. <line> Expect line: v=". */
static bool sdp_parse(const char *sdp, lb_sdp *d, char *why, size_t why_cap) {
    memset(d, 0, sizeof(*d));
    unsigned have = 0;
    int lines = 0, media = 0;
    for (const char *at = sdp; *at;) {
        const char *nl = strchr(at, '\n');
        size_t len = nl ? (size_t)(nl - at) : strlen(at);
        const char *next = nl ? nl + 1 : at + len;
        if (len && at[len - 1] == '\r') len--;
        int shown = len > 60 ? 60 : (int)len;
        if (lines == 0 && !(len == 3 && memcmp(at, "v=0", 3) == 0)) {
            snprintf(why, why_cap, "%.*s Expect line: v=", shown, at);
            return false;
        }
        if (len < 2 || at[0] < 'a' || at[0] > 'z' || at[1] != '=') {
            snprintf(why, why_cap, "Invalid SDP line. %.*s", shown, at);
            return false;
        }
        if (lines == 1) {
            /* o=<user> <session id> <version> IN IP4 <address> */
            char user[64], sess[32], ver[32], addr[64];
            char line[200];
            int parsed = 0;
            if (len < sizeof line) {
                memcpy(line, at, len);
                line[len] = 0;
                parsed = sscanf(line, "o=%63s %31[0-9] %31[0-9] IN IP4 %63s", user, sess, ver, addr);
            }
            if (parsed != 4) {
                snprintf(why, why_cap, "%.*s Expect line: o=", shown, at);
                return false;
            }
        }
        size_t n;
        if (at[0] == 's') have |= SDP_S;
        else if (at[0] == 't') have |= SDP_T;
        else if (at[0] == 'm') {
            if (++media > 1 || !media_line(at, len)) {
                snprintf(why, why_cap, "%.*s Expect one m=application <port> UDP/DTLS/SCTP webrtc-datachannel", shown, at);
                return false;
            }
        } else if (after(at, len, "a=", &n)) {
            int bit = sdp_attribute(at + 2, n, d);
            if (bit < 0) {
                snprintf(why, why_cap, "Invalid SDP line. %.*s", shown, at);
                return false;
            }
            have |= (unsigned)bit;
        }
        lines++;
        at = next;
    }
    if (lines == 0) {
        snprintf(why, why_cap, " Expect line: v=");
        return false;
    }
    if (!media || have != SDP_ALL) {
        snprintf(why, why_cap, "%s", !media ? "no m=application section"
                                  : !(have & SDP_TOKEN) ? "not a description of the emrtc loopback (no a=x-emrtc-loopback line)"
                                                          : "a required line (s=, t=, ice-ufrag, ice-pwd, fingerprint, setup or mid) is missing");
        return false;
    }
    return true;
}

/* ---- candidates ---- */

typedef struct lb_cand {
    unsigned port;
    bool loopback_host; /* udp, 127.0.0.1, typ host: a candidate this backend makes */
} lb_cand;

static bool token_is(const char *t, size_t n, const char *word) { return strlen(word) == n && memcmp(t, word, n) == 0; }

static bool number(const char *t, size_t n, size_t max_digits, unsigned long long max, unsigned long long *out) {
    if (n == 0 || n > max_digits || !all_of(t, n, LB_DIGITS)) return false;
    unsigned long long v = 0;
    for (size_t i = 0; i < n; i++) v = v * 10u + (unsigned)(t[i] - '0');
    *out = v;
    return v <= max;
}

/* "candidate:<foundation> <component> <udp|tcp> <priority> <address> <port> typ <type> [<name> <value>]..." */
static bool cand_parse(const char *s, lb_cand *c) {
    enum { MAX_TOKENS = 64 };
    const char *tok[MAX_TOKENS];
    size_t len[MAX_TOKENS];
    int n = 0;
    if (strncmp(s, "candidate:", 10) != 0) return false;
    for (const char *at = s + 10;;) {
        const char *sp = strchr(at, ' ');
        size_t l = sp ? (size_t)(sp - at) : strlen(at);
        if (l == 0 || n == MAX_TOKENS) return false;
        tok[n] = at;
        len[n++] = l;
        if (!sp) break;
        at = sp + 1;
    }
    if (n < 8 || (n - 8) % 2 != 0) return false;
    unsigned long long v, port;
    bool udp = token_is(tok[2], len[2], "udp") || token_is(tok[2], len[2], "UDP");
    bool ok = len[0] <= 32 && all_of(tok[0], len[0], LB_ICE_CHARS) && number(tok[1], len[1], 3, 256, &v) && v >= 1 &&
              (udp || token_is(tok[2], len[2], "tcp") || token_is(tok[2], len[2], "TCP")) &&
              number(tok[3], len[3], 10, 0xFFFFFFFFull, &v) && len[4] <= 255 &&
              all_of(tok[4], len[4], LB_DIGITS "abcdefABCDEFghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ.:-_%") &&
              number(tok[5], len[5], 5, 65535, &port) && token_is(tok[6], len[6], "typ");
    bool host = token_is(tok[7], len[7], "host");
    ok = ok && (host || token_is(tok[7], len[7], "srflx") || token_is(tok[7], len[7], "prflx") ||
                token_is(tok[7], len[7], "relay"));
    if (!ok) return false;
    c->port = (unsigned)port;
    c->loopback_host = udp && host && token_is(tok[4], len[4], "127.0.0.1");
    return true;
}

/* ---- channels ---- */

static lb_channel *chan_new(lb_peer *p, emrtc_channel ch, const char *label, const emrtc_channel_options *o) {
    lb_channel *c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    c->ch = ch;
    c->peer = p;
    c->opt = *o;
    c->label = malloc(strlen(label) + 1);
    const char *proto = o->protocol ? o->protocol : "";
    c->protocol = malloc(strlen(proto) + 1);
    c->id = o->negotiated ? (int)o->id : (int)EMRTC_ID_UNSET;
    if (p->nchans == p->capchans) {
        int ncap = p->capchans ? p->capchans * 2 : 4;
        lb_channel **n = realloc(p->chans, (size_t)ncap * sizeof(*n));
        if (n) p->chans = n, p->capchans = ncap;
    }
    if (!c->label || !c->protocol || p->nchans == p->capchans || !table_put(&channel_table, ch.id, c)) {
        free(c->label);
        free(c->protocol);
        free(c);
        return NULL;
    }
    strcpy(c->label, label);
    strcpy(c->protocol, proto);
    c->opt.protocol = c->protocol;
    p->chans[p->nchans++] = c;
    live_objects++;
    return c;
}

static void chan_free(lb_channel *c) {
    lb_peer *p = c->peer;
    for (int i = 0; i < p->nchans; i++) {
        if (p->chans[i] != c) continue;
        memmove(&p->chans[i], &p->chans[i + 1], (size_t)(p->nchans - i - 1) * sizeof(*p->chans));
        p->nchans--;
        break;
    }
    live_objects--;
    table_clear(&channel_table, c->ch.id);
    free(c->label);
    free(c->protocol);
    free(c);
}

/* The far channel learns that this one closed: CLOSING, then (a peer's close aborts the association,
   which Chromium reports as an error first) CLOSED. */
static void close_far(lb_channel *c, bool abort) {
    lb_channel *f = chan_get(c->far);
    c->far = (emrtc_channel){0};
    if (!f) return;
    f->far = (emrtc_channel){0};
    if (f->closed) return;
    set_channel_state(f, EMRTC_CHANNEL_STATE_CLOSING);
    if (abort) {
        char msg[160];
        snprintf(msg, sizeof msg, "data_channel %.80s: OperationError: User-Initiated Abort, reason=Close called", f->label);
        emrtc_ext_error(f->peer->pc, EMRTC_ERR_CONNECTION_ERROR, msg);
    }
    set_channel_state(f, EMRTC_CHANNEL_STATE_CLOSED);
}

/* The buffered bytes have gone out: buffered_amount_low when that crosses the threshold. */
static void drain(lb_channel *c) {
    bool was_above = c->buffered > c->threshold;
    c->buffered = 0;
    if (was_above) emrtc_ext_channel_buffered_amount_low(c->ch);
}

/* ---- connecting ---- */

static bool id_taken(const lb_peer *a, const lb_peer *b, int id) {
    for (int i = 0; i < a->nchans; i++) if (a->chans[i]->id == id) return true;
    for (int i = 0; i < b->nchans; i++) if (b->chans[i]->id == id) return true;
    return false;
}

/* Pairs p's own channels with far: in-band ones are announced there, negotiated ones matched by id.
   Then p's channels open. */
static void open_channels(lb_peer *p, lb_peer *far) {
    int own = p->nchans; /* channels received meanwhile are appended after */
    for (int i = 0; i < own; i++) {
        lb_channel *c = p->chans[i];
        if (c->received || c->closed) continue;
        if (c->opt.negotiated) {
            for (int k = 0; k < far->nchans; k++) {
                lb_channel *f = far->chans[k];
                if (f->opt.negotiated && f->id == c->id && !f->far.id && !f->closed) {
                    f->far = c->ch;
                    c->far = f->ch;
                    break;
                }
            }
        } else {
            emrtc_channel_options o = c->opt;
            o.negotiated = o.has_id = false; /* the id is read live, as in the browser */
            emrtc_channel fch = emrtc_ext_channel_received(far->pc, c->label, &o);
            lb_channel *f = fch.id ? chan_new(far, fch, c->label, &o) : NULL;
            if (f) {
                f->received = true;
                f->id = c->id;
                f->far = c->ch;
                c->far = fch;
                set_channel_state(f, EMRTC_CHANNEL_STATE_OPEN);
            } else {
                if (fch.id) emrtc_ext_error(far->pc, EMRTC_ERR_OUT_OF_MEMORY, "receive: no memory for a data channel; it was lost");
                /* refused by the far side (the core reports it there): it closes the channel at once,
                   as the browser glue does */
                set_channel_state(c, EMRTC_CHANNEL_STATE_OPEN);
                set_channel_state(c, EMRTC_CHANNEL_STATE_CLOSING);
                set_channel_state(c, EMRTC_CHANNEL_STATE_CLOSED);
                continue;
            }
        }
        set_channel_state(c, EMRTC_CHANNEL_STATE_OPEN);
    }
}

static void connect_pair(lb_peer *a, lb_peer *b) {
    lb_peer *both[2] = {a, b};
    for (int s = 0; s < 2; s++) {
        set_conn(both[s], EMRTC_STATE_CONNECTING);
        set_conn(both[s], EMRTC_STATE_CONNECTED);
        both[s]->sctp = true;
    }
    /* SCTP ids of in-band channels: odd on the DTLS server (the offerer), even on the client */
    for (int s = 0; s < 2; s++) {
        lb_peer *p = both[s];
        int next = p->offerer ? 1 : 0;
        for (int i = 0; i < p->nchans; i++) {
            lb_channel *c = p->chans[i];
            if (c->opt.negotiated || c->id != (int)EMRTC_ID_UNSET) continue;
            while (next <= (int)EMRTC_MAX_CHANNEL_ID && id_taken(a, b, next)) next += 2;
            c->id = next;
            next += 2;
        }
    }
    lb_peer *offerer = a->offerer ? a : b;
    open_channels(offerer, offerer == a ? b : a);
    open_channels(offerer == a ? b : a, offerer);
}

/* Called whenever p gains a description or a candidate. */
static void try_connect(lb_peer *p) {
    if (p->closed || p->conn >= EMRTC_STATE_CONNECTED || !p->have_local || !p->have_remote) return;
    if (p->relay_only) return; /* no local candidate: nothing to pair */
    if (p->remote_candidate) set_conn(p, EMRTC_STATE_CONNECTING);
    lb_peer *f = peer_find(p->remote_token, 0);
    if (f && f != p && !f->relay_only && f->remote_token == p->token && f->have_local && f->have_remote && f->conn < EMRTC_STATE_CONNECTED &&
        (p->remote_candidate || f->remote_candidate))
        connect_pair(p, f);
}

/* ---- the extension table ---- */

static lb_peer *peer_or_fail(emrtc_peer pc) {
    lb_peer *p = peer_get(pc);
    if (!p) _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "loopback: peer %u has no loopback object", pc.id);
    return p;
}

static emrtc_error lb_peer_create(emrtc_peer pc, const emrtc_configuration *config) {
    /* ICE servers are not needed on a loopback: host candidates only (none under the relay policy) */
    lb_peer *p = calloc(1, sizeof(*p));
    if (!p) return _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "loopback: out of memory");
    p->relay_only = config && config->ice_transport_policy == EMRTC_ICE_TRANSPORT_POLICY_RELAY;
    for (unsigned i = 0; i < LB_PORT_COUNT && !p->port; i++) {
        unsigned port = LB_PORT_FIRST + (unsigned)(token_counter + i) % LB_PORT_COUNT;
        if (!peer_find(0, port)) p->port = port;
    }
    uint64_t seed = ++token_counter ^ 0x454D525443ull; /* "EMRTC" */
    p->token = splitmix64(&seed);                       /* a bijection of the counter: never repeats */
    p->pc = pc;
    p->version = 1;
    if (!p->port || !p->token || !table_put(&peer_table, pc.id, p)) {
        free(p);
        return _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "loopback: out of memory or candidate ports");
    }
    live_objects++;
    return EMRTC_OK;
}

/* Closes p's side of the connection: the far channels and the far connection learn of it. */
static void peer_shut(lb_peer *p, emrtc_connection_state near_state) {
    if (p->closed) return;
    for (int i = 0; i < p->nchans; i++) {
        close_far(p->chans[i], true);
        p->chans[i]->open = false;
        p->chans[i]->closed = true;
    }
    p->closed = true;
    p->sig = EMRTC_SIGNALING_STATE_CLOSED;
    p->conn = near_state;
    /* peers that have p's description: their checks go unanswered (Chromium notices in seconds) */
    for (uint32_t i = 0; i < peer_table.cap; i++) {
        lb_peer *f = peer_table.items[i];
        if (!f || f == p || f->closed || f->remote_token != p->token) continue;
        if (f->conn == EMRTC_STATE_CONNECTED) set_conn(f, EMRTC_STATE_DISCONNECTED);
        else if (f->conn == EMRTC_STATE_CONNECTING) set_conn(f, EMRTC_STATE_FAILED);
    }
}

static void lb_peer_destroy(emrtc_peer pc) {
    lb_peer *p = peer_get(pc);
    if (!p) return;
    peer_shut(p, EMRTC_STATE_CLOSED);
    while (p->nchans) chan_free(p->chans[p->nchans - 1]);
    free(p->chans);
    free(p->offer);
    free(p->answer);
    free(p);
    live_objects--;
    table_clear(&peer_table, pc.id);
}

static void lb_peer_close(emrtc_peer pc) {
    lb_peer *p = peer_get(pc);
    if (p) peer_shut(p, EMRTC_STATE_CLOSED); /* the core reports this side's states */
}

static emrtc_error lb_create_data_channel(emrtc_peer pc, emrtc_channel ch, const char *label,
                                          const emrtc_channel_options *o) {
    lb_peer *p = peer_or_fail(pc);
    if (!p) return EMRTC_ERR_INVALID_PARAMETER;
    if (!chan_new(p, ch, label, o)) return _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "create_data_channel: out of memory");
    return EMRTC_OK;
}

static emrtc_error lb_create_offer(emrtc_peer pc) {
    lb_peer *p = peer_or_fail(pc);
    if (!p) return EMRTC_ERR_INVALID_PARAMETER;
    char *sdp = sdp_build(p, true);
    if (!sdp) {
        emrtc_ext_error(pc, EMRTC_FAILED, "create_offer: OperationError: out of memory");
        return EMRTC_OK;
    }
    free(p->offer);
    p->offer = sdp;
    emrtc_ext_session_description(pc, "offer", sdp);
    return EMRTC_OK;
}

/* After the first local description: candidates, as Chromium orders them. */
static void gather(lb_peer *p) {
    if (p->gathered) return;
    p->gathered = true;
    char ufrag[5], pwd[25], fp[96], cand[128];
    credentials(p, ufrag, pwd, fp);
    snprintf(cand, sizeof cand, "candidate:1 1 udp 2113937151 127.0.0.1 %u typ host generation 0 ufrag %s network-cost 999",
             p->port, ufrag);
    emrtc_ext_gathering_state(p->pc, EMRTC_GATHERING_STATE_GATHERING);
    if (!p->relay_only) emrtc_ext_ice_candidate(p->pc, "0", 0, cand);
    emrtc_ext_gathering_state(p->pc, EMRTC_GATHERING_STATE_COMPLETE);
    emrtc_ext_ice_candidate(p->pc, "0", 0, "");
    if (p->relay_only) /* as the browser backend words it */
        emrtc_ext_error(p->pc, EMRTC_ERR_CANT_CONNECT,
                        "gathering: no local candidate (ice_transport_policy relay: it needs a TURN server that "
                        "answers; the loopback has none)");
}

/* Signaling states (bits) in which a description type may be applied: [local][type], as Chromium
   allows them (it also takes a remote offer in have-local-offer, rolling its own back, and a remote
   rollback of a local offer). */
#define S(state) (1u << EMRTC_SIGNALING_STATE_##state)
static const unsigned allowed_states[2][_EMRTC_SDP_TYPE_COUNT] = {
    /* remote: offer, answer, pranswer, rollback */
    {S(STABLE) | S(HAVE_LOCAL_OFFER) | S(HAVE_REMOTE_OFFER), S(HAVE_LOCAL_OFFER) | S(HAVE_REMOTE_PRANSWER),
     S(HAVE_LOCAL_OFFER) | S(HAVE_REMOTE_PRANSWER), S(HAVE_LOCAL_OFFER) | S(HAVE_REMOTE_OFFER)},
    /* local */
    {S(STABLE) | S(HAVE_LOCAL_OFFER), S(HAVE_REMOTE_OFFER) | S(HAVE_LOCAL_PRANSWER),
     S(HAVE_REMOTE_OFFER) | S(HAVE_LOCAL_PRANSWER), S(HAVE_LOCAL_OFFER)},
};
#undef S

/* Back to stable, dropping the description under way (before the first connection). */
static void rollback(lb_peer *p) {
    if (!p->sctp && p->sig == EMRTC_SIGNALING_STATE_HAVE_LOCAL_OFFER) p->have_local = false;
    if (!p->sctp && p->sig == EMRTC_SIGNALING_STATE_HAVE_REMOTE_OFFER) p->have_remote = false;
    set_sig(p, EMRTC_SIGNALING_STATE_STABLE);
}

static emrtc_error apply_local(lb_peer *p, int t, const char *sdp) {
    bool offer = t == _EMRTC_SDP_OFFER;
    const char *made = offer ? p->offer : p->answer;
    if (!made || strcmp(made, sdp) != 0)
        return reject(p, "set_local_description", "InvalidModificationError",
                      "The SDP does not match the previously generated SDP for this type");
    if (offer && !p->sctp) p->offerer = true;
    p->have_local = true;
    set_sig(p, offer ? EMRTC_SIGNALING_STATE_HAVE_LOCAL_OFFER
                     : t == _EMRTC_SDP_ANSWER ? EMRTC_SIGNALING_STATE_STABLE : EMRTC_SIGNALING_STATE_HAVE_LOCAL_PRANSWER);
    gather(p);
    try_connect(p);
    return EMRTC_OK;
}

static emrtc_error apply_remote(lb_peer *p, int t, const lb_sdp *d, const char *type) {
    bool offer = t == _EMRTC_SDP_OFFER;
    if (d->actpass != offer)
        return reject(p, "set_remote_description", "OperationError",
                      "Failed to set remote %s sdp: a=setup:%s is not allowed in an %s", type, offer ? "active" : "actpass",
                      type);
    if (offer && p->sig == EMRTC_SIGNALING_STATE_HAVE_LOCAL_OFFER) rollback(p); /* glare */
    if (!p->sctp) {
        p->remote_token = d->token;
        if (offer) p->offerer = false;
    } else if (offer && d->ufrag != p->remote_ufrag) {
        p->ice_generation++; /* the far side restarts ICE: so does this one, with a new gathering */
        p->gathered = false;
    }
    p->remote_ufrag = d->ufrag;
    p->have_remote = true;
    set_sig(p, offer ? EMRTC_SIGNALING_STATE_HAVE_REMOTE_OFFER
                     : t == _EMRTC_SDP_ANSWER ? EMRTC_SIGNALING_STATE_STABLE : EMRTC_SIGNALING_STATE_HAVE_REMOTE_PRANSWER);
    if (offer) {
        char *answer = sdp_build(p, false);
        if (!answer) return reject(p, "create_answer", "OperationError", "out of memory");
        free(p->answer);
        p->answer = answer;
        emrtc_ext_session_description(p->pc, "answer", answer);
    }
    try_connect(p);
    return EMRTC_OK;
}

/* set_local_description / set_remote_description: checks in Chromium's order (parse, state), then
   applies. Failures are reported asynchronously, as the browser's rejected promises. */
static emrtc_error set_description(emrtc_peer pc, bool local, const char *type, const char *sdp) {
    const char *step = local ? "set_local_description" : "set_remote_description";
    lb_peer *p = peer_or_fail(pc);
    if (!p) return EMRTC_ERR_INVALID_PARAMETER;
    int t = _emrtc_sdp_type_parse(type);
    lb_sdp d;
    char why[160];
    if (t != _EMRTC_SDP_ROLLBACK && !sdp_parse(sdp, &d, why, sizeof why))
        return reject(p, step, "OperationError", "Failed to parse SessionDescription. %s", why);
    if (!(allowed_states[local][t] & (1u << p->sig))) {
        if (t == _EMRTC_SDP_ROLLBACK)
            return reject(p, step, "InvalidStateError", "Called in wrong signalingState: %s", sig_names[p->sig]);
        return reject(p, step, "InvalidStateError", "Failed to set %s %s sdp: Called in wrong state: %s",
                      local ? "local" : "remote", type, sig_names[p->sig]);
    }
    if (t == _EMRTC_SDP_ROLLBACK) {
        rollback(p);
        return EMRTC_OK;
    }
    return local ? apply_local(p, t, sdp) : apply_remote(p, t, &d, type);
}

static emrtc_error lb_set_local(emrtc_peer pc, const char *type, const char *sdp) {
    return set_description(pc, true, type, sdp);
}

static emrtc_error lb_set_remote(emrtc_peer pc, const char *type, const char *sdp) {
    return set_description(pc, false, type, sdp);
}

static emrtc_error lb_add_candidate(emrtc_peer pc, const char *media, int index, const char *name) {
    static const char step[] = "add_ice_candidate";
    lb_peer *p = peer_or_fail(pc);
    if (!p) return EMRTC_ERR_INVALID_PARAMETER;
    if (!p->have_remote) return reject(p, step, "InvalidStateError", "The remote description was null");
    if (!name[0]) return EMRTC_OK; /* end-of-candidates */
    lb_cand c;
    bool media_ok = strcmp(media, "0") == 0 || (!media[0] && index == 0);
    if (!media_ok || !cand_parse(name, &c)) return reject(p, step, "OperationError", "Error processing ICE candidate");
    lb_peer *f = c.loopback_host ? peer_find(0, c.port) : NULL;
    if (f && f->token == p->remote_token && !p->remote_candidate) {
        p->remote_candidate = true;
        try_connect(p);
    }
    return EMRTC_OK; /* other candidates are valid but lead nowhere, as in the browser */
}

static emrtc_error lb_send(emrtc_channel ch, const void *data, size_t size, bool is_text) {
    lb_channel *c = chan_get(ch);
    if (!c || !c->open) return _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "put_packet: the channel is not open");
    if (size > LB_MAX_QUEUE - c->buffered)
        return _emrtc_fail(EMRTC_ERR_BUSY, "put_packet: the send queue is full (%zu bytes buffered)", c->buffered);
    lb_channel *f = chan_get(c->far);
    if (f && !f->closed) {
        /* NULL past the far channel's backlog limit: the core counted the drop and reports it (and
           under EMRTC_BACKLOG_CLOSE has closed the far channel, which closes c: c stays valid) */
        uint8_t *at = emrtc_ext_packet_reserve(f->ch, size);
        if (at) {
            if (size) memcpy(at, data, size);
            emrtc_ext_packet_commit(f->ch, size, is_text);
        }
    }
    c->buffered += size;
    c->peer->bytes_sent += size + LB_WIRE_OVERHEAD;
    c->peer->packets_sent++;
    if (f && !f->closed) {
        f->peer->bytes_received += size + LB_WIRE_OVERHEAD;
        f->peer->packets_received++;
    }
    return EMRTC_OK;
}

static void lb_channel_close(emrtc_channel ch) {
    lb_channel *c = chan_get(ch);
    if (!c || c->closed) return;
    set_channel_state(c, EMRTC_CHANNEL_STATE_CLOSING);
    set_channel_state(c, EMRTC_CHANNEL_STATE_CLOSED);
    close_far(c, false);
}

static void lb_channel_destroy(emrtc_channel ch) {
    lb_channel *c = chan_get(ch);
    if (!c) return;
    close_far(c, false);
    chan_free(c);
}

static size_t lb_buffered(emrtc_channel ch) {
    lb_channel *c = chan_get(ch);
    return c ? c->buffered : 0;
}

static void lb_set_threshold(emrtc_channel ch, size_t threshold) {
    lb_channel *c = chan_get(ch);
    if (c) c->threshold = threshold;
}

static int lb_channel_id(emrtc_channel ch) {
    lb_channel *c = chan_get(ch);
    return c ? c->id : (int)EMRTC_ID_UNSET;
}

static size_t lb_max_message_size(emrtc_channel ch) {
    lb_channel *c = chan_get(ch);
    return c && c->peer->sctp ? LB_MAX_MESSAGE : LB_MAX_MESSAGE_UNCONNECTED;
}

/* Stats as the browser gives them for a connected pair on one host: the loopback's own counters of
   channel traffic (plus LB_WIRE_OVERHEAD per message), one connectivity check per request at
   LB_RTT_MS, host candidates 127.0.0.1 on both ends; zeros before the connection. */
static void answer_stats(lb_peer *p) {
    p->stats_requested = false;
    emrtc_peer_stats st = {.timestamp_ms = 1000.0 * (double)time(NULL)};
    lb_peer *f = p->sctp ? peer_find(p->remote_token, 0) : NULL;
    if (p->sctp) {
        p->checks++;
        st.current_round_trip_time_ms = LB_RTT_MS;
        st.total_round_trip_time_ms = LB_RTT_MS * (double)p->checks;
        st.responses_received = p->checks;
        st.local = (emrtc_candidate_stats){EMRTC_CANDIDATE_TYPE_HOST, EMRTC_ICE_PROTOCOL_UDP, EMRTC_ICE_PROTOCOL_UNKNOWN,
                                           (uint16_t)p->port, "127.0.0.1"};
        if (f) st.remote = (emrtc_candidate_stats){EMRTC_CANDIDATE_TYPE_HOST, EMRTC_ICE_PROTOCOL_UDP,
                                                   EMRTC_ICE_PROTOCOL_UNKNOWN, (uint16_t)f->port, "127.0.0.1"};
    }
    st.bytes_sent = p->bytes_sent;
    st.bytes_received = p->bytes_received;
    st.packets_sent = p->packets_sent;
    st.packets_received = p->packets_received;
    emrtc_ext_stats(p->pc, &st);
}

static void lb_peer_poll(emrtc_peer pc) {
    lb_peer *p = peer_get(pc);
    if (!p) return;
    for (int i = 0; i < p->nchans; i++)
        if (p->chans[i]->buffered) drain(p->chans[i]);
    if (p->stats_requested) answer_stats(p);
}

static emrtc_error lb_get_stats(emrtc_peer pc) {
    lb_peer *p = peer_or_fail(pc);
    if (!p) return EMRTC_ERR_INVALID_PARAMETER;
    p->stats_requested = true;
    return EMRTC_OK;
}

/* New credentials, a new gathering after the offer is applied, and the offer itself. */
static emrtc_error lb_restart_ice(emrtc_peer pc) {
    lb_peer *p = peer_or_fail(pc);
    if (!p) return EMRTC_ERR_INVALID_PARAMETER;
    p->ice_generation++;
    p->gathered = false;
    return lb_create_offer(pc);
}

const emrtc_extension _emrtc_builtin_extension = {
    .user_data = NULL,
    .peer_create = lb_peer_create,
    .peer_destroy = lb_peer_destroy,
    .peer_create_data_channel = lb_create_data_channel,
    .peer_create_offer = lb_create_offer,
    .peer_set_local_description = lb_set_local,
    .peer_set_remote_description = lb_set_remote,
    .peer_add_ice_candidate = lb_add_candidate,
    .peer_close = lb_peer_close,
    .peer_poll = lb_peer_poll,
    .peer_get_stats = lb_get_stats,
    .peer_restart_ice = lb_restart_ice,
    .channel_send = lb_send,
    .channel_close = lb_channel_close,
    .channel_destroy = lb_channel_destroy,
    .channel_get_buffered_amount = lb_buffered,
    .channel_set_buffered_amount_low_threshold = lb_set_threshold,
    .channel_get_id = lb_channel_id,
    .channel_get_max_message_size = lb_max_message_size,
};

int _emrtc_builtin_live_objects(void) { return live_objects; }

#endif /* !__EMSCRIPTEN__ */
