/* The packet buffer driven by an operation sequence from the bytes, against a FIFO model: every
   packet comes out once, in order, with its bytes, length and text flag; a held packet stays intact
   until the next get or release. */
#include "emrtc_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAXQ 512

typedef struct pkt {
    size_t len;
    uint8_t seed;
    bool text;
} pkt;

static void fill(uint8_t *p, size_t n, uint8_t seed) {
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(seed + i * 13u);
}

static bool intact(const uint8_t *p, size_t n, uint8_t seed) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)(seed + i * 13u)) return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    _emrtc_packetbuf pb = {0};
    pkt q[MAXQ];
    int head = 0, count = 0, available = 0;
    const uint8_t *held = NULL;
    pkt held_pkt = {0, 0, false};
    uint8_t seed = 0;
    for (size_t i = 0; i + 2 < size; i += 3) {
        uint8_t op = data[i] & 3;
        size_t len = (size_t)data[i + 1] * (1u + (data[i] >> 4)) + data[i + 2]; /* 0..4335: around the first ring */
        if (op == 0 && count < MAXQ) {
            size_t extra = data[i] & 8 ? data[i + 2] : 0;
            uint8_t *at = _emrtc_packetbuf_reserve(&pb, len + extra);
            if (!at) abort();
            fill(at, len, ++seed);
            bool text = data[i + 2] & 1;
            if (!_emrtc_packetbuf_commit(&pb, len, text)) abort();
            q[(head + count++) % MAXQ] = (pkt){len, seed, text};
        } else if (op == 1) {
            _emrtc_packetbuf_make_available(&pb);
            if (available < count) available++;
        } else if (op == 2) {
            const uint8_t *d;
            size_t n;
            bool t;
            bool got = _emrtc_packetbuf_get(&pb, &d, &n, &t);
            held = NULL;
            if (got != (available > 0)) abort();
            if (!got) continue;
            pkt m = q[head];
            head = (head + 1) % MAXQ;
            count--;
            available--;
            if (n != m.len || t != m.text || !intact(d, n, m.seed)) abort();
            held = d;
            held_pkt = m;
        } else {
            _emrtc_packetbuf_release(&pb);
            held = NULL;
        }
        if (held && !intact(held, held_pkt.len, held_pkt.seed)) abort();
        if ((int)pb.available != available) abort();
    }
    _emrtc_packetbuf_free(&pb);
    return 0;
}
