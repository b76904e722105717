/* Bad input: every refused argument gets its exact error code and a message naming it, does
   nothing, and leaves the peer usable (each scenario connects its pair afterwards). */
#include "helpers.h"

#include <stdlib.h>

typedef struct {
    scn_pair p;
    emrtc_channel ca, cb, out;
    emrtc_peer stale;
    emrtc_channel stale_ch;
    int live_channels;
    char big[EMRTC_MAX_LABEL_BYTES + 2];
} bad_ctx;

/* Fills c->big with `size` printable bytes and ends it there. */
static const char *big_text(bad_ctx *c, size_t size) {
    memset(c->big, 'x', size);
    c->big[size] = 0;
    return c->big;
}

/* create_data_channel refuses: the exact code, a message containing `part`, *out zeroed, no
   channel created. */
static void check_refused_channel(scn *s, bad_ctx *c, const char *label, const emrtc_channel_options *o,
                                  emrtc_error code, const char *part, int line) {
    c->out.id = 12345;
    emrtc_error err = emrtc_peer_create_data_channel(c->p.a.pc, label, o, &c->out);
    scn_check(s, err == code, __FILE__, line, "create_data_channel returned %s, expected %s (%s)", emrtc_error_name(err),
              emrtc_error_name(code), emrtc_last_error_message());
    scn_check(s, strstr(emrtc_last_error_message(), part) != NULL, __FILE__, line,
              "last error \"%.200s\" does not mention \"%s\"", emrtc_last_error_message(), part);
    scn_check(s, c->out.id == 0, __FILE__, line, "out_channel is %u after a refusal, expected 0", c->out.id);
    scn_check(s, emrtc_live_channel_count() == c->live_channels, __FILE__, line, "%d live channels, expected %d",
              emrtc_live_channel_count(), c->live_channels);
}
#define CHECK_REFUSED_CHANNEL(label, opts, code, part) check_refused_channel(s, c, label, opts, code, part, __LINE__)

/* initialize refuses `config` with `code` and a message containing `part`; the peer keeps its channel. */
static void check_refused_config(scn *s, bad_ctx *c, const emrtc_configuration *config, emrtc_error code,
                                 const char *part, int line) {
    emrtc_error err = emrtc_peer_initialize(c->p.a.pc, config);
    scn_check(s, err == code, __FILE__, line, "initialize returned %s, expected %s (%s)", emrtc_error_name(err),
              emrtc_error_name(code), emrtc_last_error_message());
    scn_check(s, strstr(emrtc_last_error_message(), part) != NULL, __FILE__, line,
              "last error \"%.200s\" does not mention \"%s\"", emrtc_last_error_message(), part);
    scn_check(s, strcmp(emrtc_channel_get_label(c->ca), "good") == 0, __FILE__, line,
              "the peer lost its channel to a refused initialize");
}
#define CHECK_REFUSED_CONFIG(config, code, part) check_refused_config(s, c, config, code, part, __LINE__)

/* No network: these servers cannot be reached; initialize accepts them and host candidates connect. */
static const emrtc_ice_server unreachable_servers[] = {
    {.urls = {"stun:127.0.0.1:3478", "stun:127.0.0.1:3479"}},
    {.urls = {"turn:127.0.0.1:3478?transport=udp", "turns:127.0.0.1:5349"}, .username = "user", .credential = "secret"},
};
static const emrtc_configuration unreachable_config = {.ice_servers = unreachable_servers, .ice_server_count = 2};

/* Channel options, descriptions, candidates, configurations, write modes, packets: each refused with
   its code; then the pair (configured with valid but unreachable STUN/TURN servers) connects, and
   what needs an open channel or a connected peer is refused there too. */
SCENARIO(bad_input_arguments, bad_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, &(scn_pair_options){.config = &unreachable_config});
    c->live_channels = emrtc_live_channel_count();
    CHECK_INT(c->live_channels, 0);

    /* create_offer needs a channel */
    CHECK_ERR(emrtc_peer_create_offer(c->p.a.pc), EMRTC_ERR_UNCONFIGURED);
    CHECK_HAS(emrtc_last_error_message(), "data channel");

    /* channel options */
    CHECK_REFUSED_CHANNEL("x", (&(emrtc_channel_options){.has_max_retransmits = true, .has_max_packet_life_time = true}),
                          EMRTC_ERR_INVALID_PARAMETER, "maxPacketLifeTime");
    CHECK_REFUSED_CHANNEL("x", (&(emrtc_channel_options){.negotiated = true}), EMRTC_ERR_UNCONFIGURED, "id");
    CHECK_REFUSED_CHANNEL("x", (&(emrtc_channel_options){.has_id = true, .id = 3}), EMRTC_ERR_INVALID_PARAMETER,
                          "negotiated");
    CHECK_REFUSED_CHANNEL("x", (&(emrtc_channel_options){.negotiated = true, .has_id = true, .id = 65535}),
                          EMRTC_ERR_PARAMETER_RANGE_ERROR, "65535");
    CHECK_REFUSED_CHANNEL("x", (&(emrtc_channel_options){.has_max_retransmits = true, .max_retransmits = 65536}),
                          EMRTC_ERR_PARAMETER_RANGE_ERROR, "65536");
    CHECK_REFUSED_CHANNEL("x", (&(emrtc_channel_options){.has_max_packet_life_time = true, .max_packet_life_time = 65536}),
                          EMRTC_ERR_PARAMETER_RANGE_ERROR, "65536");
    CHECK_REFUSED_CHANNEL(big_text(c, EMRTC_MAX_LABEL_BYTES + 1), NULL, EMRTC_ERR_PARAMETER_RANGE_ERROR, "label");
    CHECK_REFUSED_CHANNEL("x", (&(emrtc_channel_options){.protocol = big_text(c, EMRTC_MAX_LABEL_BYTES + 1)}),
                          EMRTC_ERR_PARAMETER_RANGE_ERROR, "protocol");
    CHECK_HAS(emrtc_last_error_message(), "65536");
    CHECK_REFUSED_CHANNEL("bad \xc3\x28", NULL, EMRTC_ERR_INVALID_DATA, "label");
    CHECK_REFUSED_CHANNEL("x", (&(emrtc_channel_options){.protocol = "\xed\xa0\x80"}), EMRTC_ERR_INVALID_DATA, "protocol");
    CHECK_ERR(emrtc_peer_create_data_channel(c->p.a.pc, "x", NULL, NULL), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_HAS(emrtc_last_error_message(), "out_channel");
    CHECK_INT(emrtc_live_channel_count(), 0);

    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "good", NULL, &c->ca));
    CHECK_ERR(emrtc_peer_create_data_channel(c->p.a.pc, "x", NULL, NULL), EMRTC_ERR_INVALID_PARAMETER);

    /* descriptions */
    CHECK_ERR(emrtc_peer_set_remote_description(c->p.a.pc, "bogus", "v=0\r\n"), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_HAS(emrtc_last_error_message(), "bogus");
    CHECK_ERR(emrtc_peer_set_local_description(c->p.a.pc, "Offer", "v=0\r\n"), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_ERR(emrtc_peer_set_remote_description(c->p.a.pc, "", "v=0\r\n"), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_ERR(emrtc_peer_set_remote_description(c->p.a.pc, NULL, "v=0\r\n"), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_HAS(emrtc_last_error_message(), "type");
    CHECK_ERR(emrtc_peer_set_remote_description(c->p.a.pc, "offer", NULL), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_HAS(emrtc_last_error_message(), "sdp");
    CHECK_ERR(emrtc_peer_set_local_description(c->p.a.pc, NULL, "v=0\r\n"), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_ERR(emrtc_peer_set_local_description(c->p.a.pc, "answer", NULL), EMRTC_ERR_INVALID_PARAMETER);

    /* candidates (held ones would be applied later: a refused one must not be among them) */
    CHECK_ERR(emrtc_peer_add_ice_candidate(c->p.a.pc, NULL, 0, "candidate:1 1 udp 1 127.0.0.1 9 typ host"),
              EMRTC_ERR_INVALID_PARAMETER);
    CHECK_HAS(emrtc_last_error_message(), "media");
    CHECK_ERR(emrtc_peer_add_ice_candidate(c->p.a.pc, "0", 0, NULL), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_HAS(emrtc_last_error_message(), "name");
    CHECK_ERR(emrtc_peer_add_ice_candidate(c->p.a.pc, "0", -1, ""), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    CHECK_HAS(emrtc_last_error_message(), "-1");
    CHECK_ERR(emrtc_peer_add_ice_candidate(c->p.a.pc, "0", 65536, ""), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    CHECK_ERR(emrtc_peer_add_ice_candidate(c->p.a.pc, "0", 0, "candidate:\xff"), EMRTC_ERR_INVALID_DATA);

    /* configurations: refused without touching the peer */
    CHECK_REFUSED_CONFIG((&(emrtc_configuration){.ice_servers = (const emrtc_ice_server[]){{.urls = {"http://127.0.0.1:3478"}}}, .ice_server_count = 1}),
                         EMRTC_ERR_INVALID_PARAMETER, "http://127.0.0.1:3478");
    CHECK_REFUSED_CONFIG((&(emrtc_configuration){.ice_servers = (const emrtc_ice_server[]){{.urls = {"stun:127.0.0.1", "127.0.0.1"}}}, .ice_server_count = 1}),
                         EMRTC_ERR_INVALID_PARAMETER, "urls[1]");
    CHECK_REFUSED_CONFIG((&(emrtc_configuration){.ice_servers = (const emrtc_ice_server[]){{.urls = {NULL}}}, .ice_server_count = 1}), EMRTC_ERR_UNCONFIGURED,
                         "no urls");
    CHECK_REFUSED_CONFIG((&(emrtc_configuration){.ice_servers = NULL, .ice_server_count = 1}), EMRTC_ERR_INVALID_PARAMETER, "ice_servers");
    CHECK_REFUSED_CONFIG((&(emrtc_configuration){.ice_servers = unreachable_servers, .ice_server_count = -1}), EMRTC_ERR_PARAMETER_RANGE_ERROR,
                         "ice_server_count");
    CHECK_REFUSED_CONFIG((&(emrtc_configuration){.ice_servers = unreachable_servers, .ice_server_count = EMRTC_MAX_ICE_SERVERS + 1}),
                         EMRTC_ERR_PARAMETER_RANGE_ERROR, "ice_server_count");
    CHECK_REFUSED_CONFIG((&(emrtc_configuration){.ice_servers = (const emrtc_ice_server[]){{.urls = {"turn:127.0.0.1"}, .username = "\xc0\x80"}}, .ice_server_count = 1}),
                         EMRTC_ERR_INVALID_DATA, "username");

    /* write modes and packets before the channel is open */
    CHECK_ERR(emrtc_channel_set_write_mode(c->ca, (emrtc_write_mode)2), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_INT(emrtc_channel_get_write_mode(c->ca), EMRTC_WRITE_MODE_BINARY);
    CHECK_ERR(emrtc_channel_put_packet(c->ca, "early", 5), EMRTC_ERR_UNAVAILABLE);
    CHECK_HAS(emrtc_last_error_message(), "not open");
    CHECK_ERR(emrtc_channel_put_packet(c->ca, NULL, 5), EMRTC_ERR_INVALID_PARAMETER);
    {
        const uint8_t *d;
        size_t n;
        CHECK_ERR(emrtc_channel_get_packet(c->ca, NULL, &n), EMRTC_ERR_INVALID_PARAMETER);
        CHECK_ERR(emrtc_channel_get_packet(c->ca, &d, NULL), EMRTC_ERR_INVALID_PARAMETER);
    }

    /* an extension table with a hole is refused; the default stays the built-in one */
    {
        emrtc_extension holed = *emrtc_builtin_extension();
        holed.channel_get_id = NULL;
        CHECK_ERR(emrtc_set_default_extension(&holed), EMRTC_ERR_INVALID_PARAMETER);
        CHECK_HAS(emrtc_last_error_message(), "channel_get_id");
        CHECK(emrtc_peer_get_extension(c->p.a.pc)->channel_get_id == emrtc_builtin_extension()->channel_get_id);
    }

    /* connect: a second create_offer while the first is under way is refused */
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    CHECK_ERR(emrtc_peer_create_offer(c->p.a.pc), EMRTC_ERR_UNAVAILABLE);
    CHECK_HAS(emrtc_last_error_message(), "offer");
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb), 10000);
    CHECK_ERR(emrtc_peer_create_data_channel(c->p.a.pc, "late", NULL, &c->out), EMRTC_ERR_UNAVAILABLE);
    CHECK_INT(c->out.id, 0);
    CHECK_ERR(emrtc_peer_create_data_channel(c->p.b.pc, "late", NULL, &c->out), EMRTC_ERR_UNAVAILABLE);

    /* text that is not UTF-8: a lone continuation byte, a truncated sequence, an overlong NUL, a
       surrogate, a code point over U+10FFFF */
    CHECK_OK(emrtc_channel_set_write_mode(c->ca, EMRTC_WRITE_MODE_TEXT));
    CHECK_ERR(emrtc_channel_put_packet(c->ca, "\x80", 1), EMRTC_ERR_INVALID_DATA);
    CHECK_HAS(emrtc_last_error_message(), "UTF-8");
    CHECK_ERR(emrtc_channel_put_packet(c->ca, "ok\xe2\x9c", 4), EMRTC_ERR_INVALID_DATA);
    CHECK_ERR(emrtc_channel_put_packet(c->ca, "\xc0\x80", 2), EMRTC_ERR_INVALID_DATA);
    CHECK_ERR(emrtc_channel_put_packet(c->ca, "\xed\xa0\x80", 3), EMRTC_ERR_INVALID_DATA);
    CHECK_ERR(emrtc_channel_put_packet(c->ca, "\xf4\x90\x80\x80", 4), EMRTC_ERR_INVALID_DATA);
    /* larger than the transport allows, in both modes */
    {
        size_t max = emrtc_channel_get_max_packet_size(c->ca);
        char *too_big = calloc(1, max + 1);
        REQUIRE(too_big != NULL);
        memset(too_big, 'a', max + 1);
        CHECK_ERR(emrtc_channel_put_packet(c->ca, too_big, max + 1), EMRTC_ERR_PARAMETER_RANGE_ERROR);
        CHECK_ERR(scn_send(c->cb, EMRTC_WRITE_MODE_BINARY, too_big, max + 1), EMRTC_ERR_PARAMETER_RANGE_ERROR);
        free(too_big);
    }
    CHECK_HAS(emrtc_last_error_message(), "at most");

    /* none of it left a trace: the first packets through are the good ones */
    CHECK_OK(emrtc_channel_put_packet(c->ca, "fine \xe2\x9c\x93", 8));
    CHECK_OK(emrtc_channel_put_packet(c->cb, "fine", 4));
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb) == 1 &&
                       emrtc_channel_get_available_packet_count(c->ca) == 1,
                   10000);
    CHECK_PACKET(c->cb, "fine \xe2\x9c\x93", 8, true);
    CHECK_PACKET(c->ca, "fine", 4, false);
    CHECK_INT(c->p.a.errors + c->p.b.errors, 0);
    CHECK_INT(emrtc_live_channel_count(), 2);
    scn_pair_destroy(&c->p);
    SCN_END();
}

/* Every peer function refuses `pc` (zero or stale) with EMRTC_ERR_INVALID_PARAMETER, the getters give
   their neutral values, close and destroy do nothing. */
static void check_dead_peer(scn *s, emrtc_peer pc) {
    emrtc_channel out = {777};
    int peers = emrtc_live_peer_count();
    CHECK_ERR(emrtc_peer_set_callbacks(pc, &(emrtc_peer_callbacks){0}), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_HAS(emrtc_last_error_message(), "not a live peer");
    CHECK_ERR(emrtc_peer_set_callbacks(pc, NULL), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_ERR(emrtc_peer_initialize(pc, NULL), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_ERR(emrtc_peer_create_data_channel(pc, "x", NULL, &out), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_INT(out.id, 0);
    CHECK_ERR(emrtc_peer_create_offer(pc), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_ERR(emrtc_peer_set_local_description(pc, "offer", "v=0\r\n"), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_ERR(emrtc_peer_set_remote_description(pc, "offer", "v=0\r\n"), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_ERR(emrtc_peer_add_ice_candidate(pc, "0", 0, ""), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_ERR(emrtc_peer_poll(pc), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_INT(emrtc_peer_get_connection_state(pc), EMRTC_STATE_CLOSED);
    CHECK_INT(emrtc_peer_get_gathering_state(pc), EMRTC_GATHERING_STATE_NEW);
    CHECK_INT(emrtc_peer_get_signaling_state(pc), EMRTC_SIGNALING_STATE_CLOSED);
    CHECK(emrtc_peer_get_extension(pc) == NULL);
    emrtc_peer_close(pc);
    emrtc_peer_destroy(pc);
    CHECK_INT(emrtc_live_peer_count(), peers);
}

/* The same for channel functions. */
static void check_dead_channel(scn *s, emrtc_channel ch) {
    const uint8_t *d = NULL;
    size_t n = 0;
    int channels = emrtc_live_channel_count();
    CHECK_ERR(emrtc_channel_set_callbacks(ch, &(emrtc_channel_callbacks){0}), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_HAS(emrtc_last_error_message(), "not a live channel");
    CHECK_ERR(emrtc_channel_set_callbacks(ch, NULL), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_ERR(emrtc_channel_poll(ch), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_ERR(emrtc_channel_put_packet(ch, "x", 1), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_ERR(emrtc_channel_get_packet(ch, &d, &n), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_ERR(emrtc_channel_set_write_mode(ch, EMRTC_WRITE_MODE_TEXT), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_ERR(emrtc_channel_set_buffered_amount_low_threshold(ch, 1), EMRTC_ERR_INVALID_PARAMETER);
    CHECK_INT(emrtc_channel_get_available_packet_count(ch), 0);
    CHECK_INT(emrtc_channel_was_string_packet(ch), 0);
    CHECK_INT(emrtc_channel_get_write_mode(ch), EMRTC_WRITE_MODE_BINARY);
    CHECK_INT(emrtc_channel_get_ready_state(ch), EMRTC_CHANNEL_STATE_CLOSED);
    CHECK_STR(emrtc_channel_get_label(ch), "");
    CHECK_STR(emrtc_channel_get_protocol(ch), "");
    CHECK_INT(emrtc_channel_is_ordered(ch), 0);
    CHECK_INT(emrtc_channel_get_id(ch), EMRTC_ID_UNSET);
    CHECK_INT(emrtc_channel_get_max_packet_life_time(ch), EMRTC_ID_UNSET);
    CHECK_INT(emrtc_channel_get_max_retransmits(ch), EMRTC_ID_UNSET);
    CHECK_INT(emrtc_channel_is_negotiated(ch), 0);
    CHECK_INT(emrtc_channel_get_buffered_amount(ch), 0);
    CHECK_INT(emrtc_channel_get_max_packet_size(ch), 0);
    CHECK_INT(emrtc_channel_get_peer(ch).id, 0);
    emrtc_channel_close(ch);
    emrtc_channel_destroy(ch);
    CHECK_INT(emrtc_live_channel_count(), channels);
}

/* Zeroed handles, handles of destroyed objects, and handles whose slot a new object reuses (the
   generation tells them apart): refused everywhere, never mistaken for the new object, which then
   connects and carries data as if nothing happened. */
SCENARIO(bad_input_handles, bad_ctx) {
    SCN_BEGIN();
    check_dead_peer(s, (emrtc_peer){0});
    check_dead_channel(s, (emrtc_channel){0});
    check_dead_peer(s, (emrtc_peer){0xFFFFFFFFu});
    check_dead_channel(s, (emrtc_channel){0xFFFFFFFFu});

    /* a destroyed peer and the channel it had */
    c->stale = emrtc_peer_create();
    REQUIRE(c->stale.id != 0);
    CHECK_OK(emrtc_peer_create_data_channel(c->stale, "gone", NULL, &c->stale_ch));
    emrtc_peer_destroy(c->stale);
    CHECK_INT(emrtc_live_peer_count(), 0);
    CHECK_INT(emrtc_live_channel_count(), 0);
    CHECK_INT(emrtc_backend_live_object_count(), 0);
    check_dead_peer(s, c->stale);
    check_dead_channel(s, c->stale_ch);

    /* freed slots wait behind a reserve of 1024 (FIFO): the pair's peers get other slots */
    scn_pair_create(s, &c->p, NULL);
    CHECK((c->p.a.pc.id & 0xFFFFu) != (c->stale.id & 0xFFFFu));
    CHECK(c->p.a.pc.id != c->stale.id);
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "fresh", NULL, &c->ca));
    CHECK(c->ca.id != c->stale_ch.id);
    check_dead_peer(s, c->stale);
    check_dead_channel(s, c->stale_ch);
    /* a channel destroyed on a live peer: its slot comes back, with a new generation, only after
       more than 1024 others were destroyed */
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "short", NULL, &c->out));
    emrtc_channel_destroy(c->out);
    emrtc_channel_destroy(c->out);
    int churn = 0;
    for (;;) {
        CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "second", NULL, &c->stale_ch));
        if ((c->stale_ch.id & 0xFFFFu) == (c->out.id & 0xFFFFu) || churn > 3000) break;
        emrtc_channel_destroy(c->stale_ch);
        churn++;
    }
    CHECK_INT(c->stale_ch.id & 0xFFFFu, c->out.id & 0xFFFFu);
    CHECK(churn >= 1024);
    CHECK(c->stale_ch.id != c->out.id);
    check_dead_channel(s, c->out);
    CHECK_STR(emrtc_channel_get_label(c->stale_ch), "second");
    CHECK_INT(emrtc_live_peer_count(), 2);
    CHECK_INT(emrtc_live_channel_count(), 2);
    CHECK_INT(emrtc_peer_get_connection_state(c->p.a.pc), EMRTC_STATE_NEW);
    CHECK_INT(emrtc_channel_get_ready_state(c->ca), EMRTC_CHANNEL_STATE_CONNECTING);

    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb), 10000);
    check_dead_peer(s, c->stale);
    check_dead_channel(s, c->out);
    CHECK_OK(emrtc_channel_put_packet(c->ca, "alive", 5));
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb) == 1, 10000);
    CHECK_PACKET(c->cb, "alive", 5, false);
    CHECK_INT(c->p.a.errors + c->p.b.errors, 0);
    /* the error table */
    CHECK_STR(emrtc_error_name(EMRTC_ERR_BUSY), "EMRTC_ERR_BUSY");
    CHECK_STR(emrtc_error_name((emrtc_error)999), "EMRTC_UNKNOWN_ERROR");
    CHECK_STR(emrtc_error_string(EMRTC_OK), "no error");
    scn_pair_destroy(&c->p);
    check_dead_channel(s, c->ca);
    SCN_END();
}
