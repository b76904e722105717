/* Event ring: a FIFO of fixed-size events that grows by doubling and never shrinks, so steady-state
   traffic allocates nothing. */
#include "emrtc_internal.h"

#include <stdlib.h>
#include <string.h>

bool _emrtc_queue_push(_emrtc_queue *q, const _emrtc_event *ev) {
    if (q->count == q->cap) {
        uint32_t ncap = q->cap ? q->cap * 2u : 16u;
        if (ncap < q->cap) return false;
        _emrtc_event *items = malloc((size_t)ncap * sizeof(*items));
        if (!items) return false;
        /* unwrap into the new ring */
        uint32_t first = q->cap - q->head < q->count ? q->cap - q->head : q->count;
        if (q->count) {
            memcpy(items, q->items + q->head, first * sizeof(*items));
            memcpy(items + first, q->items, (q->count - first) * sizeof(*items));
        }
        free(q->items);
        q->items = items;
        q->cap = ncap;
        q->head = 0;
    }
    q->items[(q->head + q->count) & (q->cap - 1u)] = *ev;
    q->count++;
    return true;
}

bool _emrtc_queue_pop(_emrtc_queue *q, _emrtc_event *out) {
    if (q->count == 0) return false;
    *out = q->items[q->head];
    q->head = (q->head + 1u) & (q->cap - 1u);
    q->count--;
    return true;
}

_emrtc_event *_emrtc_queue_last(_emrtc_queue *q) {
    return q->count ? &q->items[(q->head + q->count - 1u) & (q->cap - 1u)] : NULL;
}

void _emrtc_event_free_strings(_emrtc_event *ev) {
    free(ev->s1);
    free(ev->s2);
    ev->s1 = ev->s2 = NULL;
}

void _emrtc_queue_free(_emrtc_queue *q) {
    _emrtc_event ev;
    while (_emrtc_queue_pop(q, &ev)) _emrtc_event_free_strings(&ev);
    free(q->items);
    memset(q, 0, sizeof(*q));
}
