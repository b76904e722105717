/* The scenario runner and helpers shared by the native and the browser mains. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "scn.h"

#include <stdarg.h>
#include <stdlib.h>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#include <malloc.h>
#else
#include <malloc.h>
#include <time.h>
#endif

/* ---- registry ---- */

typedef struct entry {
    const char *name;
    scn_fn fn;
    size_t ctx_size;
} entry;

static entry entries[256];
static int entry_count;

void scn_register(const char *name, scn_fn fn, size_t ctx_size) {
    if (entry_count < (int)(sizeof(entries) / sizeof(entries[0]))) entries[entry_count++] = (entry){name, fn, ctx_size};
}

static int by_name(const void *x, const void *y) {
    return strcmp(((const entry *)x)->name, ((const entry *)y)->name);
}

static void sort_entries(void) {
    static bool sorted;
    if (!sorted) qsort(entries, (size_t)entry_count, sizeof(entry), by_name);
    sorted = true;
}

int scn_count(void) { return entry_count; }

const char *scn_name(int i) {
    sort_entries();
    return i >= 0 && i < entry_count ? entries[i].name : NULL;
}

/* ---- time and heap ---- */

double scn_now_ms(void) {
#ifdef __EMSCRIPTEN__
    return emscripten_get_now();
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
#endif
}

size_t scn_heap_used(void) {
#if defined(__EMSCRIPTEN__)
    return (size_t)mallinfo().uordblks;
#elif defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    return mallinfo2().uordblks;
#else
    return 0;
#endif
}

/* ---- reporting ---- */

static void report(scn *s, const char *fmt, va_list ap) {
    char line[768];
    int n = vsnprintf(line, sizeof line, fmt, ap);
    if (n < 0) return;
    size_t len = strlen(line);
    if (s->report_len + len + 2 > s->report_cap) {
        size_t cap = (s->report_cap + len + 2) * 2;
        char *r = realloc(s->report, cap);
        if (!r) return;
        s->report = r;
        s->report_cap = cap;
    }
    memcpy(s->report + s->report_len, line, len);
    s->report_len += len;
    s->report[s->report_len++] = '\n';
    s->report[s->report_len] = 0;
}

static void report_f(scn *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    report(s, fmt, ap);
    va_end(ap);
}

static const char *base_name(const char *file) {
    const char *b = strrchr(file, '/');
    return b ? b + 1 : file;
}

static void vfail(scn *s, const char *file, int line, const char *fmt, va_list ap) {
    s->failures++;
    char msg[640];
    vsnprintf(msg, sizeof msg, fmt, ap);
    report_f(s, "FAIL %s (side %d) %s:%d: %s", s->name, s->role, base_name(file), line, msg);
}

bool scn_check(scn *s, bool ok, const char *file, int line, const char *fmt, ...) {
    s->checks++;
    if (ok) return true;
    va_list ap;
    va_start(ap, fmt);
    vfail(s, file, line, fmt, ap);
    va_end(ap);
    return false;
}

void scn_failf(scn *s, const char *file, int line, const char *fmt, ...) {
    s->checks++;
    va_list ap;
    va_start(ap, fmt);
    vfail(s, file, line, fmt, ap);
    va_end(ap);
}

void scn_stage(scn *s, const char *stage) { snprintf(s->stage, sizeof s->stage, "%s", stage); }

/* ---- runner ---- */

scn *scn_start(const char *name, int role) {
    for (int i = 0; i < entry_count; i++) {
        if (strcmp(entries[i].name, name) != 0) continue;
        scn *s = calloc(1, sizeof(*s));
        if (!s) return NULL;
        s->ctx = calloc(1, entries[i].ctx_size ? entries[i].ctx_size : 1);
        if (!s->ctx) {
            free(s);
            return NULL;
        }
        s->name = entries[i].name;
        s->role = role;
        s->started = scn_now_ms();
        scn_stage(s, "started");
        return s;
    }
    return NULL;
}

void scn_track(scn *s, emrtc_peer pc) {
    for (int i = 0; i < SCN_MAX_TRACKED; i++) {
        if (s->tracked[i].id == 0) {
            s->tracked[i] = pc;
            return;
        }
    }
    scn_failf(s, __FILE__, __LINE__, "more than %d tracked peers", SCN_MAX_TRACKED);
}

int scn_tick(scn *s) {
    for (int i = 0; i < SCN_MAX_TRACKED; i++) {
        if (s->tracked[i].id && emrtc_peer_poll(s->tracked[i]) != EMRTC_OK) s->tracked[i].id = 0;
    }
    for (int i = 0; i < entry_count; i++)
        if (strcmp(entries[i].name, s->name) == 0) return entries[i].fn(s);
    return SCN_DONE;
}

void scn_finish(scn *s) {
    for (int i = 0; i < SCN_MAX_TRACKED; i++) emrtc_peer_destroy(s->tracked[i]);
    free(s->ctx);
    free(s->report);
    free(s);
}

/* ---- pairs ---- */

static char *copy_str(const char *str) {
    size_t n = strlen(str) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, str, n);
    return d;
}

static scn_side *side_of(void *ud) { return (scn_side *)ud; }
static scn_side *other_side(scn_side *me) { return me == &me->pair->a ? &me->pair->b : &me->pair->a; }

static void log_push(int *log, int *n, int v) {
    if (*n < SCN_MAX_LOG) log[(*n)++] = v;
}

static void on_description(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    scn_side *me = side_of(ud);
    scn_pair *p = me->pair;
    scn *s = p->s;
    me->descriptions++;
    snprintf(me->last_sdp_type, sizeof me->last_sdp_type, "%s", type);
    CHECK_OK(emrtc_peer_set_local_description(pc, type, sdp));
    scn_side *to = other_side(me);
    if (p->opt.hold_descriptions) {
        free(p->held_type);
        free(p->held_sdp);
        p->held_type = copy_str(type);
        p->held_sdp = copy_str(sdp);
        p->held_for = to;
        return;
    }
    CHECK_OK(emrtc_peer_set_remote_description(to->pc, type, sdp));
}

static void on_candidate(emrtc_peer pc, const char *media, int index, const char *name, void *ud) {
    scn_side *me = side_of(ud);
    scn *s = me->pair->s;
    (void)pc;
    if (name[0]) me->candidates++;
    else me->end_of_candidates++;
    if (!name[0] && me->pair->opt.drop_end_of_candidates) return;
    scn_side *to = other_side(me);
    if (to->pc.id) CHECK_OK(emrtc_peer_add_ice_candidate(to->pc, media, index, name));
}

static void on_channel(emrtc_peer pc, emrtc_channel ch, void *ud) {
    scn_side *me = side_of(ud);
    (void)pc;
    if (me->nreceived < 8) me->received[me->nreceived] = ch;
    me->nreceived++;
}

static void on_conn(emrtc_peer pc, emrtc_connection_state st, void *ud) {
    (void)pc;
    log_push(side_of(ud)->conn, &side_of(ud)->nconn, (int)st);
}

static void on_gather(emrtc_peer pc, emrtc_gathering_state st, void *ud) {
    (void)pc;
    log_push(side_of(ud)->gather, &side_of(ud)->ngather, (int)st);
}

static void on_sig(emrtc_peer pc, emrtc_signaling_state st, void *ud) {
    (void)pc;
    log_push(side_of(ud)->sig, &side_of(ud)->nsig, (int)st);
}

static void on_error(emrtc_peer pc, emrtc_error err, const char *message, void *ud) {
    scn_side *me = side_of(ud);
    (void)pc;
    me->errors++;
    me->last_error = err;
    snprintf(me->last_error_message, sizeof me->last_error_message, "%s", message);
}

emrtc_peer_callbacks scn_side_callbacks(scn_side *side) {
    return (emrtc_peer_callbacks){
        .session_description_created = on_description,
        .ice_candidate_created = on_candidate,
        .data_channel_received = on_channel,
        .connection_state_changed = on_conn,
        .gathering_state_changed = on_gather,
        .signaling_state_changed = on_sig,
        .error = on_error,
        .user_data = side,
    };
}

static void side_create(scn *s, scn_pair *p, scn_side *side) {
    side->pair = p;
    side->pc = emrtc_peer_create();
    if (!CHECK(side->pc.id != 0)) return;
    if (p->opt.config) CHECK_OK(emrtc_peer_initialize(side->pc, p->opt.config));
    emrtc_peer_callbacks cb = scn_side_callbacks(side);
    CHECK_OK(emrtc_peer_set_callbacks(side->pc, &cb));
    scn_track(s, side->pc);
}

void scn_pair_create(scn *s, scn_pair *p, const scn_pair_options *opt) {
    memset(p, 0, sizeof(*p));
    p->s = s;
    if (opt) p->opt = *opt;
    side_create(s, p, &p->a);
    side_create(s, p, &p->b);
}

void scn_pair_destroy(scn_pair *p) {
    emrtc_peer_destroy(p->a.pc);
    emrtc_peer_destroy(p->b.pc);
    p->a.pc.id = p->b.pc.id = 0;
    free(p->held_type);
    free(p->held_sdp);
    p->held_type = p->held_sdp = NULL;
}

void scn_pair_release_description(scn_pair *p) {
    scn *s = p->s;
    if (!CHECK(p->held_type != NULL)) return;
    CHECK_OK(emrtc_peer_set_remote_description(p->held_for->pc, p->held_type, p->held_sdp));
    free(p->held_type);
    free(p->held_sdp);
    p->held_type = p->held_sdp = NULL;
}

bool scn_pair_connected(const scn_pair *p) {
    return emrtc_peer_get_connection_state(p->a.pc) == EMRTC_STATE_CONNECTED &&
           emrtc_peer_get_connection_state(p->b.pc) == EMRTC_STATE_CONNECTED;
}

const char *scn_log_text(const int *log, int n) {
    static char buf[4][256];
    static int which;
    char *b = buf[which++ & 3];
    size_t at = 0;
    b[0] = 0;
    for (int i = 0; i < n && at + 8 < sizeof buf[0]; i++) at += (size_t)snprintf(b + at, sizeof buf[0] - at, "%s%d", i ? "," : "", log[i]);
    return b;
}

bool scn_log_is(const int *log, int n, int count, ...) {
    va_list ap;
    va_start(ap, count);
    bool same = n == count;
    for (int i = 0; i < count; i++) {
        int v = va_arg(ap, int);
        if (i < n && log[i] != v) same = false;
    }
    va_end(ap);
    return same;
}

/* ---- channels ---- */

static void on_channel_state(emrtc_channel ch, emrtc_channel_state st, void *ud) {
    (void)ch;
    scn_chlog *log = ud;
    log_push(log->states, &log->n, (int)st);
}

static void on_low(emrtc_channel ch, void *ud) {
    (void)ch;
    ((scn_chlog *)ud)->low++;
}

void scn_watch_channel(scn *s, emrtc_channel ch, scn_chlog *log) {
    emrtc_channel_callbacks cb = {.state_changed = on_channel_state, .buffered_amount_low = on_low, .user_data = log};
    CHECK_OK(emrtc_channel_set_callbacks(ch, &cb));
}
