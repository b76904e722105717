/* Code size: the smallest useful emrtc program (two peers, one channel, offer/answer, a main loop
   that polls, sends and reads). Built with -DWITH_EMRTC against libemrtc, and without it against
   inline stubs of the same shape, so the difference between the two outputs is what emrtc adds.
   -DSTUB_USES_LIBC (stub only) also makes the stub call malloc/free and vsnprintf, as nearly every
   real program does: the difference to that one is what emrtc adds to such a program. */
#include <emscripten.h>
#include <stddef.h>
#include <stdint.h>

#ifdef WITH_EMRTC
#include <emrtc.h>
#else
/* Stubs with emrtc's shape: the same main structure, no emrtc. */
typedef struct emrtc_peer { uint32_t id; } emrtc_peer;
typedef struct emrtc_channel { uint32_t id; } emrtc_channel;
typedef struct emrtc_peer_callbacks {
    void (*session_description_created)(emrtc_peer, const char *, const char *, void *);
    void (*ice_candidate_created)(emrtc_peer, const char *, int, const char *, void *);
    void (*data_channel_received)(emrtc_peer, emrtc_channel, void *);
    void *user_data;
} emrtc_peer_callbacks;
static emrtc_peer emrtc_peer_create(void) { return (emrtc_peer){1}; }
static int emrtc_peer_set_callbacks(emrtc_peer pc, const emrtc_peer_callbacks *cb) { (void)pc, (void)cb; return 0; }
static int emrtc_peer_create_data_channel(emrtc_peer pc, const char *l, const void *o, emrtc_channel *out) {
    (void)pc, (void)l, (void)o;
    *out = (emrtc_channel){1};
    return 0;
}
static int emrtc_peer_create_offer(emrtc_peer pc) { (void)pc; return 0; }
static int emrtc_peer_set_local_description(emrtc_peer pc, const char *t, const char *s) { (void)pc, (void)t, (void)s; return 0; }
static int emrtc_peer_set_remote_description(emrtc_peer pc, const char *t, const char *s) { (void)pc, (void)t, (void)s; return 0; }
static int emrtc_peer_add_ice_candidate(emrtc_peer pc, const char *m, int i, const char *n) { (void)pc, (void)m, (void)i, (void)n; return 0; }
static int emrtc_peer_poll(emrtc_peer pc) { (void)pc; return 0; }
static int emrtc_channel_put_packet(emrtc_channel ch, const void *d, size_t n) { (void)ch, (void)d, (void)n; return 0; }
static int emrtc_channel_get_packet(emrtc_channel ch, const uint8_t **d, size_t *n) { (void)ch, (void)d, (void)n; return 2; }
#define EMRTC_OK 0
#endif

static emrtc_peer a, b;
static emrtc_channel ca, cb;
static unsigned received;

static void on_description(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    (void)ud;
    emrtc_peer_set_local_description(pc, type, sdp);
    emrtc_peer_set_remote_description(pc.id == a.id ? b : a, type, sdp);
}

static void on_candidate(emrtc_peer pc, const char *media, int index, const char *name, void *ud) {
    (void)ud;
    emrtc_peer_add_ice_candidate(pc.id == a.id ? b : a, media, index, name);
}

static void on_channel(emrtc_peer pc, emrtc_channel ch, void *ud) {
    (void)pc, (void)ud;
    cb = ch;
}

#ifdef STUB_USES_LIBC
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
static char line[128];
static void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
}
#endif

static void frame(void) {
    emrtc_peer_poll(a);
    emrtc_peer_poll(b);
    const uint8_t *data;
    size_t size;
    if (cb.id)
        while (emrtc_channel_get_packet(cb, &data, &size) == EMRTC_OK) received++;
    emrtc_channel_put_packet(ca, "ping", 4);
}

int main(void) {
    emrtc_peer_callbacks cbs = {
        .session_description_created = on_description,
        .ice_candidate_created = on_candidate,
        .data_channel_received = on_channel,
    };
    a = emrtc_peer_create();
    b = emrtc_peer_create();
    emrtc_peer_set_callbacks(a, &cbs);
    emrtc_peer_set_callbacks(b, &cbs);
    emrtc_peer_create_data_channel(a, "game", NULL, &ca);
    emrtc_peer_create_offer(a);
#ifdef STUB_USES_LIBC
    char *p = malloc(64 + received);
    say("%u %s", received, p ? "ok" : "oom");
    p = realloc(p, 128);
    free(p);
#endif
    emscripten_set_main_loop(frame, 0, 0);
    return 0;
}
