/* A C program built with the README's own link line (no -sALLOW_MEMORY_GROWTH: the default 16 MiB
   heap, where a failed malloc aborts) that a plain-JS peer in the same page attacks: a flood at
   channels the program does not read, hundreds of channels, long labels. tests/browser/limits.test.js
   drives it through window.probe (limits.html) and the EMSCRIPTEN_KEEPALIVE functions below; the
   -sABORTING_MALLOC=0 build of the same file (limits_oom) also runs with the heap exhausted.

   The JS peer offers; this program answers. It polls every frame (emscripten_set_main_loop) but
   reads a channel only once told to (probe_read). */
#include <emrtc.h>
#include <emrtc_signal.h>
#include <emscripten.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CH 600

static emrtc_peer pc;
static emrtc_channel chans[MAX_CH];
static int nchans;
static int reading;              /* read every channel's packets each frame */
static int backlog_errors, refused_reported, other_errors;
static int read_count[MAX_CH], read_bad[MAX_CH];
static unsigned last_seq[MAX_CH];
static char in_buf[2][70000];    /* strings from JS (descriptions, candidates) */

EM_JS(void, js_to_peer, (const char *kind, const char *a, int index, const char *b), {
    window.probe.fromC(UTF8ToString(kind), UTF8ToString(a), index, UTF8ToString(b));
});
EM_JS(void, js_error, (int code, const char *message), {
    window.probe.errors.push([code, UTF8ToString(message)]);
});
EM_JS(void, js_bridge, (char *buf0, char *buf1, int cap), {
    /* what limits.html needs from the module: strings into C, and the exports */
    window.probe.toC = function(which, text) {
        stringToUTF8(text, which ? buf1 : buf0, cap);
        return which ? buf1 : buf0;
    };
    window.probe.heap = function() { return HEAPU8; };
    window.probe.c = {
        start: _probe_start, remoteOffer: _probe_remote_offer, candidate: _probe_candidate,
        channels: _probe_channels, available: _probe_available, dropped: _probe_dropped,
        backlog: _probe_backlog, totalBacklog: _probe_total_backlog, read: _probe_read, readCount: _probe_read_count,
        readBad: _probe_read_bad, lastSeq: _probe_last_seq, heapUsed: _probe_heap_used, backlogErrors: _probe_backlog_errors,
        refused: _probe_refused, otherErrors: _probe_other_errors, liveChannels: _probe_live_channels,
        state: _probe_channel_state, label: _probe_label_length, exhaust: _probe_exhaust, release: _probe_release,
        okName: _probe_ok_name_intact, destroy: _probe_destroy, heapSize: _probe_heap_size,
        sigOpen: _probe_sig_open, sigPoll: _probe_sig_poll, sigCount: _probe_sig_count,
        sigDropped: _probe_sig_dropped, sigState: _probe_sig_state, peersUntilRefused: _probe_peers_until_refused
    };
    window.probe.ready = true;
});

static void on_sdp(emrtc_peer p, const char *type, const char *sdp, void *ud) {
    (void)ud;
    emrtc_peer_set_local_description(p, type, sdp);
    js_to_peer("sdp", type, 0, sdp);
}
static void on_ice(emrtc_peer p, const char *mid, int index, const char *name, void *ud) {
    (void)p, (void)ud;
    js_to_peer("candidate", mid, index, name);
}
static void on_channel(emrtc_peer p, emrtc_channel ch, void *ud) {
    (void)p, (void)ud;
    if (nchans < MAX_CH) chans[nchans++] = ch;
}
static void on_error(emrtc_peer p, emrtc_error err, const char *message, void *ud) {
    (void)p, (void)ud;
    if (strncmp(message, "receive: ", 9) == 0) backlog_errors++;
    else if (strncmp(message, "data_channel_received: ", 23) == 0) refused_reported += atoi(message + 23);
    else other_errors++;
    js_error((int)err, message);
}

/* ---- the signaling client under a hostile server ---- */

static emrtc_signal sig;
static int sig_polling;
/* counts: 0 connected, 1 peer_connected, 2 offers, 3 offer bytes (last), 4 drop reports, 5 other
   errors, 6 closed code, 7 last peer id */
static int sig_counts[8];

static void sig_connected(emrtc_signal s, void *ud) { (void)s, (void)ud; sig_counts[0]++; }
static void sig_peer(emrtc_signal s, int id, void *ud) { (void)s, (void)ud; sig_counts[1]++; sig_counts[7] = id; }
static void sig_offer(emrtc_signal s, int id, const char *sdp, void *ud) {
    (void)s, (void)id, (void)ud;
    sig_counts[2]++;
    sig_counts[3] = (int)strlen(sdp);
}
static void sig_error(emrtc_signal s, emrtc_error err, const char *message, void *ud) {
    (void)s, (void)ud;
    if (err == EMRTC_ERR_OUT_OF_MEMORY && strncmp(message, "messages from the server dropped", 32) == 0) sig_counts[4]++;
    else sig_counts[5]++;
    js_error((int)err, message);
}
static void sig_closed(emrtc_signal s, int code, const char *reason, void *ud) {
    (void)s, (void)reason, (void)ud;
    sig_counts[6] = code;
}

/* url in in_buf[0]; policy 0/1/2 */
EMSCRIPTEN_KEEPALIVE int probe_sig_open(int policy) {
    memset(sig_counts, 0, sizeof sig_counts);
    sig = emrtc_signal_create(&(emrtc_signal_desc){
        .url = in_buf[0],
        .callbacks = {.connected = sig_connected, .peer_connected = sig_peer, .offer_received = sig_offer,
                      .error = sig_error, .closed = sig_closed},
        .backlog_policy = (emrtc_backlog_policy)policy,
    });
    sig_polling = 1;
    return sig.id != 0;
}
EMSCRIPTEN_KEEPALIVE void probe_sig_poll(int on) { sig_polling = on; }
EMSCRIPTEN_KEEPALIVE int probe_sig_count(int i) { return sig_counts[i]; }
EMSCRIPTEN_KEEPALIVE double probe_sig_dropped(void) { return (double)emrtc_signal_get_dropped_count(sig); }
EMSCRIPTEN_KEEPALIVE int probe_sig_state(void) { return emrtc_signal_get_state(sig); }

static void frame(void) {
    if (sig.id && sig_polling) emrtc_signal_poll(sig);
    if (!pc.id) return;
    emrtc_peer_poll(pc);
    if (!reading) return;
    for (int i = 0; i < nchans; i++) {
        const uint8_t *d;
        size_t n;
        while (emrtc_channel_get_packet(chans[i], &d, &n) == EMRTC_OK) {
            unsigned seq = 0;
            if (n >= 4) memcpy(&seq, d, 4);
            if (read_count[i] > 0 && seq <= last_seq[i]) read_bad[i]++;
            for (size_t k = 4; k < n; k++)
                if (d[k] != (uint8_t)(seq + k)) { read_bad[i]++; break; }
            last_seq[i] = seq;
            read_count[i]++;
        }
    }
}

EMSCRIPTEN_KEEPALIVE int probe_start(int max_channels, int policy) {
    emrtc_configuration cfg = {.max_channels = (uint32_t)max_channels, .backlog_policy = (emrtc_backlog_policy)policy};
    pc = emrtc_peer_create();
    if (!pc.id || emrtc_peer_initialize(pc, &cfg) != EMRTC_OK) return 0;
    emrtc_peer_callbacks cb = {.session_description_created = on_sdp, .ice_candidate_created = on_ice,
                               .data_channel_received = on_channel, .error = on_error};
    emrtc_peer_set_callbacks(pc, &cb);
    nchans = reading = backlog_errors = refused_reported = other_errors = 0;
    memset(read_count, 0, sizeof read_count);
    memset(read_bad, 0, sizeof read_bad);
    return 1;
}
EMSCRIPTEN_KEEPALIVE int probe_remote_offer(void) {
    return emrtc_peer_set_remote_description(pc, "offer", in_buf[0]);
}
EMSCRIPTEN_KEEPALIVE int probe_candidate(int index) { return emrtc_peer_add_ice_candidate(pc, in_buf[0], index, in_buf[1]); }
EMSCRIPTEN_KEEPALIVE int probe_channels(void) { return nchans; }
EMSCRIPTEN_KEEPALIVE int probe_available(int i) { return emrtc_channel_get_available_packet_count(chans[i]); }
EMSCRIPTEN_KEEPALIVE double probe_dropped(int i) { return (double)emrtc_channel_get_dropped_count(chans[i]); }
EMSCRIPTEN_KEEPALIVE double probe_backlog(int i) { return (double)emrtc_channel_get_backlog_bytes(chans[i]); }
EMSCRIPTEN_KEEPALIVE double probe_total_backlog(void) { return (double)emrtc_total_backlog_bytes(); }
EMSCRIPTEN_KEEPALIVE void probe_read(int on) { reading = on; }
EMSCRIPTEN_KEEPALIVE int probe_read_count(int i) { return read_count[i]; }
EMSCRIPTEN_KEEPALIVE int probe_read_bad(int i) { return read_bad[i]; }
EMSCRIPTEN_KEEPALIVE double probe_last_seq(int i) { return last_seq[i]; }
/* Bytes malloc has handed out and not taken back (dlmalloc: small and large blocks). */
EMSCRIPTEN_KEEPALIVE double probe_heap_used(void) {
    struct mallinfo mi = mallinfo();
    return (double)mi.uordblks + (double)mi.hblkhd;
}
EMSCRIPTEN_KEEPALIVE double probe_heap_size(void) { return (double)EM_ASM_DOUBLE({ return HEAPU8.length; }); }
EMSCRIPTEN_KEEPALIVE int probe_backlog_errors(void) { return backlog_errors; }
EMSCRIPTEN_KEEPALIVE int probe_refused(void) { return refused_reported; }
EMSCRIPTEN_KEEPALIVE int probe_other_errors(void) { return other_errors; }
EMSCRIPTEN_KEEPALIVE int probe_live_channels(void) { return emrtc_live_channel_count(); }
EMSCRIPTEN_KEEPALIVE int probe_channel_state(int i) { return emrtc_channel_get_ready_state(chans[i]); }
EMSCRIPTEN_KEEPALIVE int probe_label_length(int i) { return (int)strlen(emrtc_channel_get_label(chans[i])); }
EMSCRIPTEN_KEEPALIVE void probe_destroy(void) {
    emrtc_peer_destroy(pc);
    pc.id = 0;
    nchans = 0;
}

/* The heap exhausted (the -sABORTING_MALLOC=0 build): every block malloc still gives, kept in a list
   inside the blocks themselves. */
static void *hoard;
EMSCRIPTEN_KEEPALIVE double probe_exhaust(void) {
    double total = 0;
    for (size_t size = 1u << 24; size >= sizeof(void *); size /= 2) {
        void *b;
        while ((b = malloc(size))) {
            *(void **)b = hoard;
            hoard = b;
            total += (double)size;
        }
    }
    return total;
}
EMSCRIPTEN_KEEPALIVE void probe_release(void) {
    while (hoard) {
        void *next = *(void **)hoard;
        free(hoard);
        hoard = next;
    }
}
/* Static data near wasm address 0 still intact (the R.strings defect wrote a remote's label there). */
EMSCRIPTEN_KEEPALIVE int probe_ok_name_intact(void) {
    return strcmp(emrtc_error_name(EMRTC_OK), "EMRTC_OK") == 0 && strcmp(emrtc_error_string(EMRTC_OK), "no error") == 0;
}

/* Chromium's own limit of live RTCPeerConnections per page: peers until emrtc_peer_create refuses
   (its message goes to window.probe.errors), then all destroyed. */
EMSCRIPTEN_KEEPALIVE int probe_peers_until_refused(int max) {
    static emrtc_peer many[2000];
    int n = 0;
    while (n < max && n < 2000 && (many[n] = emrtc_peer_create()).id) n++;
    if (n < max) js_error((int)EMRTC_FAILED, emrtc_last_error_message());
    for (int i = 0; i < n; i++) emrtc_peer_destroy(many[i]);
    return n;
}

int main(void) {
    js_bridge(in_buf[0], in_buf[1], (int)sizeof in_buf[0]);
    emscripten_set_main_loop(frame, 0, 0);
    return 0;
}
