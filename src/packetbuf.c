/* Packet buffer: received packets, each contiguous, in a ring of bytes.
   Live bytes are the packet last handed out (until released) and the unread packets, in arrival
   order. A new packet goes after the newest one, or wraps to offset 0 when the end has no room and the
   front does, or (only when the backlog outgrows the ring) into a bigger ring. No byte is moved in
   steady state: every packet is written once, by the backend, where it will be read. */
#include "emrtc_internal.h"

#include <stdlib.h>
#include <string.h>

#define MIN_CAP 4096u

/* rec flag kept in the top bit of len: this packet was the first placed at offset 0 by a wrap */
#define WRAP_FLAG 0x80000000u
#define REC_LEN(r) ((r).len & ~WRAP_FLAG)

static _emrtc_packet_rec *live_first(_emrtc_packetbuf *pb) {
    if (pb->holding && !pb->retired) return &pb->held;
    if (pb->rec_count) return &pb->recs[pb->rec_head];
    return NULL;
}

/* Updates `wrapped` from where the reader is; returns the oldest live packet (NULL: none, and the
   ring starts over at 0). */
static _emrtc_packet_rec *normalize(_emrtc_packetbuf *pb) {
    _emrtc_packet_rec *first = live_first(pb);
    if (!first) {
        pb->tail = 0;
        pb->wrapped = false;
    } else if (first->len & WRAP_FLAG) {
        /* the reader has reached the packets placed after the wrap: the ring is linear again */
        first->len &= ~WRAP_FLAG;
        pb->wrapped = false;
    }
    return first;
}

static bool recs_push(_emrtc_packetbuf *pb, _emrtc_packet_rec rec) {
    if (pb->rec_count == pb->rec_cap) {
        uint32_t ncap = pb->rec_cap ? pb->rec_cap * 2u : 64u;
        _emrtc_packet_rec *n = malloc((size_t)ncap * sizeof(*n));
        if (!n) return false;
        for (uint32_t i = 0; i < pb->rec_count; i++) n[i] = pb->recs[(pb->rec_head + i) & (pb->rec_cap - 1u)];
        free(pb->recs);
        pb->recs = n;
        pb->rec_cap = ncap;
        pb->rec_head = 0;
    }
    pb->recs[(pb->rec_head + pb->rec_count) & (pb->rec_cap - 1u)] = rec;
    pb->rec_count++;
    return true;
}

/* Moves the unread packets into a new ring of at least `need` more bytes. */
static bool grow(_emrtc_packetbuf *pb, size_t need) {
    size_t unread = 0;
    for (uint32_t i = 0; i < pb->rec_count; i++) unread += REC_LEN(pb->recs[(pb->rec_head + i) & (pb->rec_cap - 1u)]);
    size_t ncap = pb->cap ? pb->cap * 2u : MIN_CAP;
    while (ncap < unread + need) {
        if (ncap > (SIZE_MAX >> 1)) return false;
        ncap *= 2u;
    }
    /* bounded: past max_cap only what the unread packets and this one need (then the same size
       again when only fragmentation stood in the way) */
    if (pb->max_cap && ncap > pb->max_cap) ncap = unread + need > pb->max_cap ? unread + need : pb->max_cap;
    if (ncap > 0xFFFFFFFFu) return false;
    uint8_t *n = malloc(ncap);
    if (!n) return false;
    size_t at = 0;
    for (uint32_t i = 0; i < pb->rec_count; i++) {
        _emrtc_packet_rec *r = &pb->recs[(pb->rec_head + i) & (pb->rec_cap - 1u)];
        size_t len = REC_LEN(*r);
        if (len) memcpy(n + at, pb->data + r->off, len);
        r->off = (uint32_t)at;
        r->len = (uint32_t)len;
        at += len;
    }
    if (pb->holding && !pb->retired) {
        pb->retired = pb->data; /* the held packet stays readable until released */
        pb->held.len &= ~WRAP_FLAG;
    } else {
        free(pb->data);
    }
    pb->data = n;
    pb->cap = ncap;
    pb->tail = at;
    pb->wrapped = false;
    return true;
}

uint8_t *_emrtc_packetbuf_reserve(_emrtc_packetbuf *pb, size_t len) {
    if (len > 0x7FFFFFFFu) return NULL;
    _emrtc_packet_rec *first = normalize(pb);
    size_t off = 0;
    bool wraps = false;
    if (!pb->data) {
        if (!grow(pb, len)) return NULL;
        off = pb->tail;
    } else if (!first) {
        if (len <= pb->cap) off = 0;
        else if (grow(pb, len)) off = pb->tail;
        else return NULL;
    } else {
        size_t start = first->off;
        if (!pb->wrapped && pb->cap - pb->tail >= len) {
            off = pb->tail;
        } else if (!pb->wrapped && start >= len) {
            off = 0;
            wraps = true;
        } else if (pb->wrapped && start - pb->tail >= len) {
            off = pb->tail;
        } else if (grow(pb, len)) {
            off = pb->tail;
        } else {
            return NULL;
        }
    }
    pb->reserving = true;
    pb->reserved_off = off;
    pb->reserved_len = len | (wraps ? (size_t)WRAP_FLAG : 0u);
    return pb->data + off;
}

bool _emrtc_packetbuf_commit(_emrtc_packetbuf *pb, size_t len, bool is_text) {
    if (!pb->reserving) return false;
    bool wraps = (pb->reserved_len & WRAP_FLAG) != 0;
    size_t max = pb->reserved_len & ~(size_t)WRAP_FLAG;
    if (len > max) return false;
    _emrtc_packet_rec rec = {(uint32_t)pb->reserved_off, (uint32_t)len | (wraps ? WRAP_FLAG : 0u), is_text};
    if (!recs_push(pb, rec)) return false;
    pb->reserving = false;
    pb->unread += len;
    if (wraps) pb->wrapped = true;
    pb->tail = pb->reserved_off + len;
    return true;
}

void _emrtc_packetbuf_make_available(_emrtc_packetbuf *pb) {
    if (pb->available < pb->rec_count) pb->available++;
}

void _emrtc_packetbuf_release(_emrtc_packetbuf *pb) {
    pb->holding = false;
    free(pb->retired);
    pb->retired = NULL;
}

bool _emrtc_packetbuf_get(_emrtc_packetbuf *pb, const uint8_t **data, size_t *len, bool *is_text) {
    _emrtc_packetbuf_release(pb);
    if (pb->available == 0) return false;
    _emrtc_packet_rec r = pb->recs[pb->rec_head];
    pb->rec_head = (pb->rec_head + 1u) & (pb->rec_cap - 1u);
    pb->rec_count--;
    pb->available--;
    pb->unread -= REC_LEN(r);
    if (r.len & WRAP_FLAG) {
        /* the reader has reached the packets placed after the wrap: the ring is linear again */
        r.len &= ~WRAP_FLAG;
        pb->wrapped = false;
    }
    pb->holding = true;
    pb->held = r;
    *data = pb->data + r.off;
    *len = REC_LEN(r);
    *is_text = r.is_text;
    return true;
}

void _emrtc_packetbuf_free(_emrtc_packetbuf *pb) {
    size_t max_cap = pb->max_cap;
    free(pb->data);
    free(pb->retired);
    free(pb->recs);
    memset(pb, 0, sizeof(*pb));
    pb->max_cap = max_cap;
}

void _emrtc_packetbuf_trim(_emrtc_packetbuf *pb, size_t keep, uint32_t polls, uint32_t max_polls) {
    uint32_t wait = pb->trim_wait ? pb->trim_wait : polls;
    if (pb->trimmed && pb->cap > keep) {
        /* big again after going back: a stream that needs it; wait twice as long from now on */
        wait = pb->trim_wait = wait <= max_polls / 2u ? wait * 2u : max_polls;
        pb->trimmed = false;
    }
    if (pb->rec_count || pb->holding || pb->reserving || pb->cap <= keep) {
        pb->idle = 0;
        return;
    }
    if (++pb->idle < wait) return;
    _emrtc_packetbuf_free(pb); /* idle is 0 again */
    pb->trim_wait = wait;
    pb->trimmed = true;
}
