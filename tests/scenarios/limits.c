/* The receive backlog limit on both backends: a side that polls but does not read keeps what fits
   its channel's limit, drops and counts the rest, is told once, and reads normally afterwards. */
#include "helpers.h"

#include <stdint.h>
#include <string.h>

enum { LIMIT = 64 * 1024, SIZE = 4000, FLOOD = 40, AFTER = 5 };

typedef struct {
    scn_pair p;
    emrtc_channel ca, cb;
    uint8_t buf[SIZE];
    int kept;
} limits_ctx;

static void numbered(uint8_t *buf, uint32_t n) {
    scn_pattern(buf, SIZE, n);
    memcpy(buf, &n, 4);
}

SCENARIO(limits_receive_backlog, limits_ctx) {
    SCN_BEGIN();
    static const emrtc_configuration small = {.max_backlog_bytes = LIMIT};
    scn_pair_create(s, &c->p, &(scn_pair_options){.config = &small});
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "limited", NULL, &c->ca));
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb), 10000);
    for (uint32_t i = 0; i < FLOOD; i++) {
        numbered(c->buf, i);
        CHECK_OK(emrtc_channel_put_packet(c->ca, c->buf, SIZE));
    }
    /* every packet is accounted for: readable, or dropped at the limit */
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb) + (int)emrtc_channel_get_dropped_count(c->cb) == FLOOD,
                   10000);
    c->kept = LIMIT / (SIZE + (int)EMRTC_PACKET_OVERHEAD_BYTES);
    CHECK_INT(emrtc_channel_get_available_packet_count(c->cb), c->kept);
    CHECK_INT(emrtc_channel_get_dropped_count(c->cb), FLOOD - c->kept);
    CHECK_INT(emrtc_channel_get_backlog_bytes(c->cb), (size_t)c->kept * (SIZE + EMRTC_PACKET_OVERHEAD_BYTES));
    CHECK_INT(emrtc_channel_get_ready_state(c->cb), EMRTC_CHANNEL_STATE_OPEN);
    CHECK_INT(c->p.b.errors, 1);
    CHECK_INT(c->p.b.last_error, EMRTC_ERR_OUT_OF_MEMORY);
    CHECK_PREFIX(c->p.b.last_error_message, "receive: channel \"limited\" drops packets");
    /* the oldest were kept, in order */
    for (uint32_t i = 0; i < (uint32_t)c->kept; i++) {
        numbered(c->buf, i);
        CHECK_PACKET(c->cb, c->buf, SIZE, false);
    }
    CHECK_INT(emrtc_channel_get_backlog_bytes(c->cb), 0);
    /* and it reads normally afterwards, without another report */
    for (uint32_t i = 0; i < AFTER; i++) {
        numbered(c->buf, 100 + i);
        CHECK_OK(emrtc_channel_put_packet(c->ca, c->buf, SIZE));
    }
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb) == AFTER, 10000);
    for (uint32_t i = 0; i < AFTER; i++) {
        numbered(c->buf, 100 + i);
        CHECK_PACKET(c->cb, c->buf, SIZE, false);
    }
    CHECK_INT(emrtc_channel_get_dropped_count(c->cb), FLOOD - c->kept);
    CHECK_INT(c->p.b.errors, 1);
    CHECK_INT(c->p.a.errors, 0);
    scn_pair_destroy(&c->p);
    SCN_END();
}
