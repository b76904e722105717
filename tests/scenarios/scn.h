/* scn.h -- conformance scenarios, written once in C, run against every backend: natively against the
   loopback (tests/native) and in headless Chromium against the browser (tests/browser).

   A scenario is a function the runner calls once per tick until it returns SCN_DONE. It keeps its
   place between ticks with protothread-style macros, so it reads top to bottom:

       typedef struct { scn_pair p; } basic_ctx;
       SCENARIO(basic, basic_ctx) {
           SCN_BEGIN();
           scn_pair_create(s, &c->p, NULL);
           ...
           SCN_WAIT_UNTIL(scn_pair_connected(&c->p), 10000);
           CHECK_INT(emrtc_peer_get_connection_state(c->p.a.pc), EMRTC_STATE_CONNECTED);
           SCN_END();
       }

   Everything that must survive a wait lives in the context `c` (zeroed, freed by the runner), never
   in local variables. Before every tick the runner polls every peer the scenario tracks (pairs are
   tracked). CHECK* record a failure and go on; REQUIRE* end the scenario at once. */
#ifndef SCN_H_INCLUDED
#define SCN_H_INCLUDED

#include <emrtc.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { SCN_RUNNING = 0, SCN_DONE = 1 };

#define SCN_MAX_TRACKED 16
#define SCN_MAX_LOG 64

typedef struct scn scn;
typedef int (*scn_fn)(scn *s);

struct scn {
    const char *name;
    int pt;            /* where the scenario resumes */
    double wait_from;  /* when the current wait began (ms) */
    double started;
    int checks, failures;
    void *ctx;
    emrtc_peer tracked[SCN_MAX_TRACKED];
    int role;          /* two-sided scenarios: which side this is (0 or 1) */
    char stage[64];    /* free text the browser test can wait on ("connected", ...) */
    char *report;      /* failure lines; owned by the runner */
    size_t report_len, report_cap;
};

/* ---- registration ---- */
void scn_register(const char *name, scn_fn fn, size_t ctx_size);

#define SCENARIO(name, ctx_type)                                                                     \
    static int scn_body_##name(scn *s, ctx_type *c);                                                 \
    static int scn_entry_##name(scn *s) { return scn_body_##name(s, (ctx_type *)s->ctx); }           \
    __attribute__((constructor)) static void scn_reg_##name(void) {                                  \
        scn_register(#name, scn_entry_##name, sizeof(ctx_type));                                     \
    }                                                                                                \
    static int scn_body_##name(scn *s, ctx_type *c)

/* ---- flow ---- */
#if defined(__has_attribute)
#if __has_attribute(fallthrough)
#define SCN_FALLTHROUGH_ __attribute__((fallthrough))
#endif
#endif
#ifndef SCN_FALLTHROUGH_
#define SCN_FALLTHROUGH_ ((void)0)
#endif

#define SCN_BEGIN()                                                                                  \
    switch (s->pt) {                                                                                 \
    case 0:
#define SCN_END()                                                                                    \
    }                                                                                                \
    return SCN_DONE
/* Returns to the event loop until `cond` holds; fails the scenario after `ms` milliseconds. */
#define SCN_WAIT_UNTIL(cond, ms)                                                                     \
    do {                                                                                             \
        s->wait_from = scn_now_ms();                                                                 \
        s->pt = __LINE__;                                                                            \
        SCN_FALLTHROUGH_;                                                                            \
    case __LINE__:                                                                                   \
        if (!(cond)) {                                                                               \
            if (scn_now_ms() - s->wait_from > (double)(ms)) {                                        \
                scn_failf(s, __FILE__, __LINE__, "timed out after %d ms waiting for %s", (int)(ms), #cond); \
                return SCN_DONE;                                                                     \
            }                                                                                        \
            return SCN_RUNNING;                                                                      \
        }                                                                                            \
    } while (0)
/* Returns to the event loop once. */
#define SCN_YIELD()                                                                                  \
    do {                                                                                             \
        s->pt = __LINE__;                                                                            \
        return SCN_RUNNING;                                                                          \
    case __LINE__:;                                                                                  \
    } while (0)
/* Keeps returning to the event loop for `ms` milliseconds (c->... must not be needed meanwhile). */
#define SCN_SLEEP(ms)                                                                                \
    do {                                                                                             \
        s->wait_from = scn_now_ms();                                                                 \
        s->pt = __LINE__;                                                                            \
        SCN_FALLTHROUGH_;                                                                            \
    case __LINE__:                                                                                   \
        if (scn_now_ms() - s->wait_from < (double)(ms)) return SCN_RUNNING;                          \
    } while (0)

/* ---- checks ---- */
bool scn_check(scn *s, bool ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void scn_failf(scn *s, const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define CHECK(cond) scn_check(s, (cond) ? true : false, __FILE__, __LINE__, "CHECK(%s)", #cond)
#define CHECK_INT(actual, expected)                                                                  \
    do {                                                                                             \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                              \
        scn_check(s, a_ == e_, __FILE__, __LINE__, "%s is %lld, expected %lld", #actual, a_, e_);    \
    } while (0)
#define CHECK_STR(actual, expected)                                                                  \
    do {                                                                                             \
        const char *a_ = (actual), *e_ = (expected);                                                 \
        scn_check(s, a_ && e_ && strcmp(a_, e_) == 0, __FILE__, __LINE__, "%s is \"%.80s\", expected \"%.80s\"", \
                  #actual, a_ ? a_ : "(null)", e_ ? e_ : "(null)");                                  \
    } while (0)
/* The call returns exactly `expected`. */
#define CHECK_ERR(call, expected)                                                                    \
    do {                                                                                             \
        emrtc_error r_ = (call), x_ = (expected);                                                    \
        scn_check(s, r_ == x_, __FILE__, __LINE__, "%s returned %s, expected %s (%s)", #call,        \
                  emrtc_error_name(r_), emrtc_error_name(x_), emrtc_last_error_message());           \
    } while (0)
#define CHECK_OK(call) CHECK_ERR(call, EMRTC_OK)
#define REQUIRE(cond)                                                                                \
    do {                                                                                             \
        if (!CHECK(cond)) return SCN_DONE;                                                           \
    } while (0)

/* ---- helpers ---- */
double scn_now_ms(void);
/* Bytes of heap in use (allocator statistics). */
size_t scn_heap_used(void);
/* Polls `pc` before every tick until it is destroyed. */
void scn_track(scn *s, emrtc_peer pc);
void scn_stage(scn *s, const char *stage);

/* What one peer of a scenario has seen, in order. */
typedef struct scn_side {
    emrtc_peer pc;
    struct scn_pair *pair;
    int sig[SCN_MAX_LOG], nsig;       /* signaling states, as the callbacks reported them */
    int gather[SCN_MAX_LOG], ngather;
    int conn[SCN_MAX_LOG], nconn;
    emrtc_channel received[8];       /* data_channel_received */
    int nreceived;
    int descriptions;                /* session_description_created */
    int candidates;                  /* ice_candidate_created with a candidate */
    int end_of_candidates;           /* ice_candidate_created with "" */
    int errors;                      /* error callback */
    emrtc_error last_error;
    char last_error_message[256];
    char last_sdp_type[16];
} scn_side;

/* Options of a pair: zero = descriptions and candidates go straight to the other side. */
typedef struct scn_pair_options {
    bool hold_descriptions;          /* keep descriptions in `held_*` until scn_pair_release_description */
    bool drop_end_of_candidates;     /* do not forward the "" candidate */
    const emrtc_configuration *config;
} scn_pair_options;

/* Two peers of one process (one page) wired to each other. */
typedef struct scn_pair {
    scn *s;
    scn_side a, b;
    scn_pair_options opt;
    char *held_type, *held_sdp;      /* the description held for the other side */
    scn_side *held_for;
} scn_pair;

/* Creates both peers with callbacks that forward everything to the other side; tracks them. */
void scn_pair_create(scn *s, scn_pair *p, const scn_pair_options *opt);
/* The callbacks scn_pair_create gives a side's peer (user_data = side): a scenario can replace one
   member and forward to the original from its own callback. */
emrtc_peer_callbacks scn_side_callbacks(scn_side *side);
/* Destroys both peers (idempotent). */
void scn_pair_destroy(scn_pair *p);
/* Delivers the held description to its side. */
void scn_pair_release_description(scn_pair *p);
bool scn_pair_connected(const scn_pair *p);
/* The log as text ("1,0"), for messages. */
const char *scn_log_text(const int *log, int n);
/* True when log[0..n) equals the `count` values that follow. */
bool scn_log_is(const int *log, int n, int count, ...);
#define CHECK_LOG(log, n, ...)                                                                       \
    scn_check(s, scn_log_is(log, n, __VA_ARGS__), __FILE__, __LINE__, "%s is [%s], expected %s", #log, \
              scn_log_text(log, n), #__VA_ARGS__)

/* A channel's state changes and buffered_amount_low calls, in order. */
typedef struct scn_chlog {
    int states[SCN_MAX_LOG], n;
    int low;
} scn_chlog;
/* Sets ch's callbacks to record into `log` (which must outlive the channel's polls). */
void scn_watch_channel(scn *s, emrtc_channel ch, scn_chlog *log);

/* ---- relay between the two sides of a two-sided scenario (two pages, or two roles natively) ---- */
void scn_relay_send(scn *s, const char *msg);
/* The next message for this side, or NULL. Valid until the next call. */
const char *scn_relay_recv(scn *s);

/* ---- runner (used by the platform mains) ---- */
int scn_count(void);
const char *scn_name(int i);
/* Starts scenario `name` as side `role`; returns the run, or NULL for an unknown name. */
scn *scn_start(const char *name, int role);
/* One tick: polls tracked peers, runs the scenario. SCN_DONE when finished. */
int scn_tick(scn *s);
/* Ends the run (destroys what is left tracked), frees it. */
void scn_finish(scn *s);

#ifdef __cplusplus
}
#endif
#endif
