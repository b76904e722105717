/* pair.h -- two peers of one process wired to each other, for the native tests: what a game's own
   netcode test does with the loopback. Descriptions and candidates go straight to the other side
   (unless `forward` is false); every callback is recorded. */
#ifndef PAIR_H_INCLUDED
#define PAIR_H_INCLUDED

#include "../scenarios/scn.h" /* scn_log_is(log, n, count, ...): the logs' comparison */

#define TP_LOG 32

typedef struct tp_side {
    emrtc_peer pc;
    struct tp_pair *pair;
    int sig[TP_LOG], nsig, gather[TP_LOG], ngather, conn[TP_LOG], nconn;
    emrtc_channel received[8];
    int nreceived;
    int descriptions, candidates, end_of_candidates, errors;
    emrtc_error last_error;
    char last_error_message[512];
    char last_sdp[2048];        /* the last description created */
    char last_candidate[256];   /* the last candidate created */
} tp_side;

typedef struct tp_pair {
    tp_side a, b;
    bool forward;               /* relay descriptions and candidates (default after tp_init: true) */
} tp_pair;

/* A channel's state changes and buffered_amount_low calls. */
typedef struct tp_chlog {
    int states[TP_LOG], n, low;
} tp_chlog;

void tp_init(tp_pair *p);
void tp_destroy(tp_pair *p);
/* Polls both peers `rounds` times. */
void tp_poll(tp_pair *p, int rounds);
/* Offers from a (with the channels already created) and polls until both are connected (or 50 rounds). */
bool tp_connect(tp_pair *p);
void tp_watch(emrtc_channel ch, tp_chlog *log);

#endif
