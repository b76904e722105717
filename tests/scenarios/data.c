/* Data on an open channel: text and binary packets, the size limit, a long ordered stream with
   back-pressure, a full send queue, and packets that outlive their channel's close. */
#include "helpers.h"

#include <stdint.h>
#include <stdlib.h>

typedef struct {
    scn_pair p;
    emrtc_channel ca, cb, ca2, cb2;
    scn_chlog la, lb;
    uint8_t *buf;
    size_t max;
    uint32_t sent, received, busy_at;
    int i;
} data_ctx;

/* One packet of the text/binary table. */
typedef struct {
    emrtc_write_mode mode;
    const char *bytes;
    size_t size;
} packet_case;

static const packet_case text_binary_cases[] = {
    {EMRTC_WRITE_MODE_BINARY, "\x00\x01\x02\xff\x80\xc3", 6},                /* not UTF-8: fine as binary */
    {EMRTC_WRITE_MODE_TEXT, "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x8e\xae", 15}, /* 2-, 3- and 4-byte UTF-8 */
    {EMRTC_WRITE_MODE_TEXT, "a\0b\0", 4},                                    /* U+0000 is valid UTF-8 */
    {EMRTC_WRITE_MODE_TEXT, "", 0},
    {EMRTC_WRITE_MODE_BINARY, "", 0},
    {EMRTC_WRITE_MODE_BINARY, "h\xc3\xa9llo", 6},                            /* UTF-8 as binary stays binary */
    {EMRTC_WRITE_MODE_TEXT, "end", 3},
};
#define TEXT_BINARY_COUNT ((int)(sizeof text_binary_cases / sizeof text_binary_cases[0]))

/* Every packet of the table, both ways: exact bytes, exact was_string_packet, in order; the empty
   packets of both kinds arrive as empty packets. */
SCENARIO(data_text_and_binary, data_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "data", NULL, &c->ca));
    CHECK_INT(emrtc_channel_get_write_mode(c->ca), EMRTC_WRITE_MODE_BINARY);
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb), 10000);
    CHECK_INT(emrtc_channel_get_write_mode(c->cb), EMRTC_WRITE_MODE_BINARY);
    for (int i = 0; i < TEXT_BINARY_COUNT; i++) {
        const packet_case *k = &text_binary_cases[i];
        CHECK_OK(scn_send(c->ca, k->mode, k->bytes, k->size));
        CHECK_INT(emrtc_channel_get_write_mode(c->ca), k->mode);
        CHECK_OK(scn_send(c->cb, k->mode, k->bytes, k->size));
    }
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->ca) == TEXT_BINARY_COUNT &&
                       emrtc_channel_get_available_packet_count(c->cb) == TEXT_BINARY_COUNT,
                   10000);
    for (int i = 0; i < TEXT_BINARY_COUNT; i++) {
        const packet_case *k = &text_binary_cases[i];
        bool text = k->mode == EMRTC_WRITE_MODE_TEXT;
        CHECK_PACKET(c->cb, k->bytes, k->size, text);
        CHECK_PACKET(c->ca, k->bytes, k->size, text);
        CHECK_INT(emrtc_channel_get_available_packet_count(c->cb), TEXT_BINARY_COUNT - 1 - i);
    }
    {
        const uint8_t *d = (const uint8_t *)"x";
        size_t n = 9;
        CHECK_ERR(emrtc_channel_get_packet(c->cb, &d, &n), EMRTC_ERR_UNAVAILABLE);
        CHECK(d == NULL);
        CHECK_INT(n, 0);
    }
    CHECK_INT(c->p.a.errors, 0);
    CHECK_INT(c->p.b.errors, 0);
    scn_pair_destroy(&c->p);
    SCN_END();
}

/* get_max_packet_size: 65536 before the transport exists, the transport's limit once connected
   (Chromium: 262144). A packet of exactly that size goes through intact, as binary and as text; one
   byte more is refused with EMRTC_ERR_PARAMETER_RANGE_ERROR and nothing is sent. */
SCENARIO(data_max_packet_size, data_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "max", NULL, &c->ca));
    CHECK_INT(emrtc_channel_get_max_packet_size(c->ca), 65536);
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb), 10000);
    c->max = emrtc_channel_get_max_packet_size(c->ca);
    CHECK_INT(emrtc_channel_get_max_packet_size(c->cb), c->max);
#ifdef __EMSCRIPTEN__
    CHECK_INT(c->max, 262144);
#endif
    REQUIRE(c->max >= 65536);
    REQUIRE((c->buf = malloc(c->max + 1)) != NULL);
    scn_pattern(c->buf, c->max + 1, 1);
    CHECK_OK(emrtc_channel_put_packet(c->ca, c->buf, c->max));
    CHECK_ERR(emrtc_channel_put_packet(c->ca, c->buf, c->max + 1), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    CHECK_HAS(emrtc_last_error_message(), "at most");
    /* text: ASCII, so max characters are max bytes */
    for (size_t i = 0; i <= c->max; i++) c->buf[i] = (uint8_t)('a' + i % 26);
    CHECK_OK(scn_send(c->cb, EMRTC_WRITE_MODE_TEXT, c->buf, c->max));
    CHECK_ERR(emrtc_channel_put_packet(c->cb, c->buf, c->max + 1), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb) == 1 &&
                       emrtc_channel_get_available_packet_count(c->ca) == 1,
                   10000);
    CHECK_PACKET(c->ca, c->buf, c->max, true);
    scn_pattern(c->buf, c->max, 1);
    CHECK_PACKET(c->cb, c->buf, c->max, false);
    /* nothing else arrives: the refused packets were not sent */
    SCN_SLEEP(200);
    CHECK_INT(emrtc_channel_get_available_packet_count(c->ca), 0);
    CHECK_INT(emrtc_channel_get_available_packet_count(c->cb), 0);
    CHECK_INT(c->p.a.errors + c->p.b.errors, 0);
    free(c->buf);
    c->buf = NULL;
    scn_pair_destroy(&c->p);
    SCN_END();
}

#define STREAM_COUNT 10000u
#define STREAM_HIGH_WATER (256u * 1024u)
#define STREAM_LOW_WATER (64u * 1024u)
#define STREAM_MAX_SIZE 1000u
#define FILL_SIZE (64u * 1024u)
#define FILL_MAX_PACKETS 1024u /* 64 MiB: more than any send queue should take */

/* Packet `seq` of the stream: 4 bytes of sequence number, then seq-dependent bytes, 4..1000 long. */
static size_t stream_packet(uint8_t *buf, uint32_t seq) {
    size_t size = 4 + (seq * 7919u) % (STREAM_MAX_SIZE - 3);
    memcpy(buf, &seq, 4);
    scn_pattern(buf + 4, size - 4, seq);
    return size;
}

/* Reads every available packet of the stream, checking each is the next one in order. */
static void stream_read(scn *s, data_ctx *c) {
    uint8_t want[STREAM_MAX_SIZE];
    while (emrtc_channel_get_available_packet_count(c->cb) > 0 && c->received < STREAM_COUNT) {
        size_t size = stream_packet(want, c->received);
        if (!CHECK_PACKET(c->cb, want, size, false)) {
            c->received = STREAM_COUNT; /* out of step: the rest would only repeat the failure */
            return;
        }
        c->received++;
    }
}

/* Reads the fill packets that have arrived (each FILL_SIZE bytes, numbered); true once all are in. */
static bool fill_read(scn *s, data_ctx *c) {
    while (emrtc_channel_get_available_packet_count(c->cb) > 0 && c->received < c->busy_at) {
        memcpy(c->buf, &c->received, 4);
        if (!CHECK_PACKET(c->cb, c->buf, FILL_SIZE, false)) return true;
        c->received++;
    }
    return c->received == c->busy_at;
}

/* 10,000 packets on a reliable ordered channel arrive complete and in order, sent under flow control
   (stop at a high-water mark, resume from buffered_amount_low). Then the send queue is filled until
   put_packet says EMRTC_ERR_BUSY (Chromium: 16 MiB); every accepted packet still arrives, and once
   drained the channel sends again. */
SCENARIO(data_many_messages, data_ctx) {
    SCN_BEGIN();
    /* the receiver may hold the whole 16 MiB send queue unread (the loopback delivers at once) */
    static const emrtc_configuration roomy = {.max_backlog_bytes = 17u * 1024u * 1024u};
    CHECK_OK(emrtc_set_total_backlog_limit(18u * 1024u * 1024u));
    scn_pair_create(s, &c->p, &(scn_pair_options){.config = &roomy});
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "stream", NULL, &c->ca));
    scn_watch_channel(s, c->ca, &c->la);
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb), 10000);
    CHECK_OK(emrtc_channel_set_buffered_amount_low_threshold(c->ca, STREAM_LOW_WATER));
    CHECK_INT(emrtc_channel_get_buffered_amount(c->ca), 0);
    while (c->sent < STREAM_COUNT) {
        {
            uint8_t buf[STREAM_MAX_SIZE];
            while (c->sent < STREAM_COUNT && emrtc_channel_get_buffered_amount(c->ca) < STREAM_HIGH_WATER) {
                size_t size = stream_packet(buf, c->sent);
                emrtc_error err = emrtc_channel_put_packet(c->ca, buf, size);
                if (err != EMRTC_OK) {
                    CHECK_ERR(err, EMRTC_OK);
                    c->sent = STREAM_COUNT;
                }
                c->sent++;
            }
        }
        stream_read(s, c);
        if (c->sent < STREAM_COUNT) {
            c->i = c->la.low;
            SCN_WAIT_UNTIL((stream_read(s, c), c->la.low > c->i), 10000);
            CHECK(emrtc_channel_get_buffered_amount(c->ca) <= STREAM_LOW_WATER);
        }
    }
    SCN_WAIT_UNTIL((stream_read(s, c), c->received == STREAM_COUNT), 20000);
    CHECK(c->la.low > 0);
    CHECK_INT(emrtc_channel_get_available_packet_count(c->cb), 0);
    SCN_WAIT_UNTIL(emrtc_channel_get_buffered_amount(c->ca) == 0, 10000);

    /* fill the send queue until it refuses */
    REQUIRE((c->buf = malloc(FILL_SIZE)) != NULL);
    scn_pattern(c->buf, FILL_SIZE, 7);
    for (uint32_t i = 0; i < FILL_MAX_PACKETS && !c->busy_at; i++) {
        memcpy(c->buf, &i, 4);
        emrtc_error err = emrtc_channel_put_packet(c->ca, c->buf, FILL_SIZE);
        if (err == EMRTC_ERR_BUSY) c->busy_at = i;
        else CHECK_OK(err);
    }
    REQUIRE(c->busy_at > 0);
    CHECK_HAS(emrtc_last_error_message(), "full");
    CHECK(emrtc_channel_get_buffered_amount(c->ca) > 0);
#ifdef __EMSCRIPTEN__
    CHECK_HAS(emrtc_last_error_message(), "OperationError"); /* the browser's own exception */
    CHECK_INT(c->busy_at, 16u * 1024u * 1024u / FILL_SIZE);
    CHECK_INT(emrtc_channel_get_buffered_amount(c->ca), 16u * 1024u * 1024u);
#endif
    CHECK_INT(emrtc_channel_get_ready_state(c->ca), EMRTC_CHANNEL_STATE_OPEN);
    /* everything accepted arrives, in order; then the channel works as before */
    c->received = 0;
    SCN_WAIT_UNTIL(fill_read(s, c), 30000);
    SCN_WAIT_UNTIL(emrtc_channel_get_buffered_amount(c->ca) == 0, 10000);
    CHECK_OK(emrtc_channel_put_packet(c->ca, "after", 5));
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb) == 1, 10000);
    CHECK_PACKET(c->cb, "after", 5, false);
    CHECK_INT(c->p.a.errors + c->p.b.errors, 0);
    free(c->buf);
    c->buf = NULL;
    CHECK_OK(emrtc_set_total_backlog_limit(0));
    scn_pair_destroy(&c->p);
    SCN_END();
}

/* Packets that arrived stay readable after their channel closes, until it is destroyed: closed from
   the far side (3 packets sent just before the close), and closed by this side's emrtc_peer_close. */
SCENARIO(data_unread_after_close, data_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "far", NULL, &c->ca));
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "near", NULL, &c->ca2));
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb) && scn_channels_open(&c->p, c->ca2, &c->cb2), 10000);
    scn_watch_channel(s, c->cb, &c->lb);
    CHECK_OK(scn_send(c->ca, EMRTC_WRITE_MODE_BINARY, "one", 3));
    CHECK_OK(scn_send(c->ca, EMRTC_WRITE_MODE_TEXT, "two", 3));
    CHECK_OK(scn_send(c->ca, EMRTC_WRITE_MODE_BINARY, "three", 5));
    /* (Chromium may drop packets sent just before close(): let them arrive first) */
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb) == 3, 10000);
    emrtc_channel_close(c->ca);
    SCN_WAIT_UNTIL(emrtc_channel_get_ready_state(c->cb) == EMRTC_CHANNEL_STATE_CLOSED, 10000);
    CHECK(c->lb.n >= 1 && c->lb.states[c->lb.n - 1] == EMRTC_CHANNEL_STATE_CLOSED);
    CHECK_INT(emrtc_channel_get_available_packet_count(c->cb), 3);
    CHECK_INT(emrtc_channel_get_available_packet_count(c->cb), 3);
    CHECK_ERR(emrtc_channel_put_packet(c->cb, "x", 1), EMRTC_ERR_UNAVAILABLE);
    CHECK_PACKET(c->cb, "one", 3, false);
    CHECK_PACKET(c->cb, "two", 3, true);
    CHECK_PACKET(c->cb, "three", 5, false);
    CHECK_INT(emrtc_channel_get_available_packet_count(c->cb), 0);
    {
        const uint8_t *d;
        size_t n;
        CHECK_ERR(emrtc_channel_get_packet(c->cb, &d, &n), EMRTC_ERR_UNAVAILABLE);
    }

    CHECK_INT(c->p.a.errors + c->p.b.errors, 0);

    /* arrived, unread, then this side closes its whole peer */
    CHECK_OK(emrtc_channel_put_packet(c->ca2, "four", 4));
    CHECK_OK(emrtc_channel_put_packet(c->ca2, "five", 4));
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb2) == 2, 10000);
    emrtc_peer_close(c->p.b.pc);
    SCN_WAIT_UNTIL(emrtc_channel_get_ready_state(c->cb2) == EMRTC_CHANNEL_STATE_CLOSED, 5000);
    CHECK_INT(emrtc_peer_get_connection_state(c->p.b.pc), EMRTC_STATE_CLOSED);
    CHECK_INT(emrtc_channel_get_available_packet_count(c->cb2), 2);
    CHECK_PACKET(c->cb2, "four", 4, false);
    /* destroy ends it: the unread packet goes with the channel */
    emrtc_channel_destroy(c->cb2);
    CHECK_INT(emrtc_channel_get_available_packet_count(c->cb2), 0);
    {
        const uint8_t *d;
        size_t n;
        CHECK_ERR(emrtc_channel_get_packet(c->cb2, &d, &n), EMRTC_ERR_INVALID_PARAMETER);
    }
    /* (A may be told its channel was aborted: Chromium reports "User-Initiated Abort" as an error) */
    CHECK_INT(c->p.b.errors, 0);
    scn_pair_destroy(&c->p);
    SCN_END();
}
