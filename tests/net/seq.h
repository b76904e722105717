/* seq.h -- the sequence-numbered stream of the network tests' page programs: packets of SEQ_PACKET
   bytes carrying a number (little endian, then filler); the receiving side counts what arrived and
   every gap and duplicate, never hiding one. */
#ifndef SEQ_H_INCLUDED
#define SEQ_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SEQ_PACKET 8

typedef struct seq_in {
    uint32_t next_expected, received, gaps, duplicates;
} seq_in;

/* The packet that carries number n. */
static inline void seq_make(uint8_t pkt[SEQ_PACKET], uint32_t n) {
    memset(pkt, 0, SEQ_PACKET);
    for (int k = 0; k < 4; k++) pkt[k] = (uint8_t)(n >> (8 * k));
}

/* One received packet: a wrong size counts as a gap. */
static inline void seq_take(seq_in *s, const uint8_t *d, size_t size) {
    if (size != SEQ_PACKET) {
        s->gaps++;
        return;
    }
    uint32_t seq = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
    s->received++;
    if (seq < s->next_expected) s->duplicates++;
    else if (seq > s->next_expected) s->gaps += seq - s->next_expected;
    if (seq >= s->next_expected) s->next_expected = seq + 1;
}

#endif
