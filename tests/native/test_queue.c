/* The event ring: FIFO order across growth and wrap-around, owned strings freed. */
#include "emrtc_internal.h"
#include "tst.h"

#include <stdlib.h>

static char *str(const char *s) {
    char *d = malloc(strlen(s) + 1);
    if (d) strcpy(d, s);
    return d;
}

static void test_fifo_across_growth_and_wrap(void) {
    _emrtc_queue q = {0};
    _emrtc_event ev;
    int next_in = 0, next_out = 0, wrong = 0;
    /* interleave pushes and pops so the head moves around the ring while it doubles */
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < round + 3; i++) {
            _emrtc_event e = {_EMRTC_EV_CONNECTION_STATE, next_in++, 7, NULL, NULL};
            TST_CHECK(_emrtc_queue_push(&q, &e));
        }
        for (int i = 0; i < round + 1; i++) {
            TST_CHECK(_emrtc_queue_pop(&q, &ev));
            wrong += ev.a != next_out++ || ev.handle != 7;
        }
    }
    while (_emrtc_queue_pop(&q, &ev)) wrong += ev.a != next_out++;
    TST_EQ_INT(wrong, 0);
    TST_EQ_INT(next_out, next_in);
    TST_EQ_INT(q.count, 0);
    TST_CHECK(q.cap > 0 && (q.cap & (q.cap - 1)) == 0); /* a power of two */
    TST_CHECK(!_emrtc_queue_pop(&q, &ev));
    _emrtc_queue_free(&q);
    TST_CHECK(q.items == NULL && q.cap == 0);
}

static void test_strings_travel_and_are_freed(void) {
    _emrtc_queue q = {0};
    for (int i = 0; i < 40; i++) {
        _emrtc_event e = {_EMRTC_EV_SESSION_DESCRIPTION, i, 0, str("offer"), str("v=0")};
        TST_CHECK(_emrtc_queue_push(&q, &e));
    }
    _emrtc_event ev;
    TST_CHECK(_emrtc_queue_pop(&q, &ev));
    TST_EQ_STR(ev.s1, "offer");
    TST_EQ_STR(ev.s2, "v=0");
    _emrtc_event_free_strings(&ev);
    TST_CHECK(ev.s1 == NULL && ev.s2 == NULL);
    _emrtc_event_free_strings(&ev); /* twice is harmless */
    _emrtc_queue_free(&q);          /* frees the 39 left (leak checkers watch) */
    TST_EQ_INT(q.count, 0);
}

/* _emrtc_queue_last: the newest event (what received packets merge into), across a wrap. */
static void test_last_is_the_newest(void) {
    _emrtc_queue q = {0};
    TST_CHECK(_emrtc_queue_last(&q) == NULL);
    _emrtc_event ev = {0}, out;
    for (int i = 0; i < 40; i++) {
        ev.a = i;
        TST_CHECK(_emrtc_queue_push(&q, &ev));
        TST_EQ_INT(_emrtc_queue_last(&q)->a, i);
        if (i % 3 == 0) TST_CHECK(_emrtc_queue_pop(&q, &out));
    }
    _emrtc_queue_last(&q)->a = 1000; /* merged into in place */
    int last = -1;
    while (_emrtc_queue_pop(&q, &out)) last = out.a;
    TST_EQ_INT(last, 1000);
    TST_CHECK(_emrtc_queue_last(&q) == NULL);
    _emrtc_queue_free(&q);
}

int main(void) {
    TST_RUN(test_fifo_across_growth_and_wrap);
    TST_RUN(test_strings_travel_and_are_freed);
    TST_RUN(test_last_is_the_newest);
    return tst_summary("queue");
}
