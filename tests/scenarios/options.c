/* Channel options: what create_data_channel is given comes back from the getters on both sides. */
#include "helpers.h"

#define OPTION_CHANNELS 4
#define LONG_PROTOCOL_BYTES 1000

typedef struct {
    scn_pair p;
    emrtc_channel ca[OPTION_CHANNELS], cb[OPTION_CHANNELS];
    char long_protocol[LONG_PROTOCOL_BYTES + 1];
    int ids[OPTION_CHANNELS];
} options_ctx;

/* What one channel was created with and must report on both sides. */
typedef struct {
    const char *label;
    emrtc_channel_options o;
    bool ordered;
    int max_retransmits, max_packet_life_time;
} option_case;

static const option_case unreliable_cases[OPTION_CHANNELS] = {
    {"rt0", {.has_max_retransmits = true, .max_retransmits = 0}, true, 0, 65535},
    {"life", {.has_max_packet_life_time = true, .max_packet_life_time = 100}, true, 65535, 100},
    {"unordered", {.unordered = true}, false, 65535, 65535},
    {"both", {.unordered = true, .has_max_retransmits = true, .max_retransmits = 3, .protocol = "p"}, false, 3, 65535},
};

static void check_options(scn *s, emrtc_channel ch, const option_case *k) {
    CHECK_STR(emrtc_channel_get_label(ch), k->label);
    CHECK_INT(emrtc_channel_is_ordered(ch), k->ordered);
    CHECK_INT(emrtc_channel_get_max_retransmits(ch), k->max_retransmits);
    CHECK_INT(emrtc_channel_get_max_packet_life_time(ch), k->max_packet_life_time);
    CHECK_STR(emrtc_channel_get_protocol(ch), k->o.protocol ? k->o.protocol : "");
    CHECK_INT(emrtc_channel_is_negotiated(ch), 0);
}

/* maxRetransmits 0, maxPacketLifeTime 100, unordered, unordered with retransmits: the getters give
   what was asked on the creating side before and after connecting, the receiving side gives the
   same (65535 for what was not set), and a packet goes each way on each channel. */
SCENARIO(options_unreliable, options_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    for (int i = 0; i < OPTION_CHANNELS; i++) {
        CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, unreliable_cases[i].label, &unreliable_cases[i].o, &c->ca[i]));
        check_options(s, c->ca[i], &unreliable_cases[i]);
    }
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca[0], &c->cb[0]) && scn_channels_open(&c->p, c->ca[1], &c->cb[1]) &&
                       scn_channels_open(&c->p, c->ca[2], &c->cb[2]) && scn_channels_open(&c->p, c->ca[3], &c->cb[3]),
                   10000);
    CHECK_INT(c->p.b.nreceived, OPTION_CHANNELS);
    for (int i = 0; i < OPTION_CHANNELS; i++) {
        check_options(s, c->ca[i], &unreliable_cases[i]);
        check_options(s, c->cb[i], &unreliable_cases[i]);
        const char *label = unreliable_cases[i].label;
        CHECK_OK(emrtc_channel_put_packet(c->ca[i], label, strlen(label)));
        CHECK_OK(emrtc_channel_put_packet(c->cb[i], label, strlen(label)));
    }
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->ca[0]) && emrtc_channel_get_available_packet_count(c->cb[0]) &&
                       emrtc_channel_get_available_packet_count(c->ca[1]) && emrtc_channel_get_available_packet_count(c->cb[1]) &&
                       emrtc_channel_get_available_packet_count(c->ca[2]) && emrtc_channel_get_available_packet_count(c->cb[2]) &&
                       emrtc_channel_get_available_packet_count(c->ca[3]) && emrtc_channel_get_available_packet_count(c->cb[3]),
                   10000);
    for (int i = 0; i < OPTION_CHANNELS; i++) {
        const char *label = unreliable_cases[i].label;
        CHECK_PACKET(c->ca[i], label, strlen(label), false);
        CHECK_PACKET(c->cb[i], label, strlen(label), false);
    }
    CHECK_INT(c->p.a.errors + c->p.b.errors, 0);
    scn_pair_destroy(&c->p);
    SCN_END();
}

/* "héllo wörld ✓ 🎮" and "prötocol 🎮" */
#define UTF8_LABEL "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x8e\xae"
#define UTF8_PROTOCOL "pr\xc3\xb6tocol \xf0\x9f\x8e\xae"

/* Label and protocol of channel i as created (NULL: the long protocol); both read back as given. */
static const struct {
    const char *label, *protocol;
} names_cases[OPTION_CHANNELS] = {{UTF8_LABEL, UTF8_PROTOCOL}, {"", "only-protocol"}, {"long", NULL}, {"", ""}};

static const char *case_protocol(options_ctx *c, int i) {
    return names_cases[i].protocol ? names_cases[i].protocol : c->long_protocol;
}

static void check_names(scn *s, options_ctx *c, emrtc_channel ch, int i) {
    CHECK_STR(emrtc_channel_get_label(ch), names_cases[i].label);
    CHECK_STR(emrtc_channel_get_protocol(ch), case_protocol(c, i));
}

/* Labels and protocols byte for byte on both sides: non-ASCII UTF-8, empty (and NULL, which counts
   as empty), a 1000-byte protocol. In-band ids are 65535 until the transport assigns them, then the
   same number on both sides, different for every channel. */
SCENARIO(options_label_protocol_id, options_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    for (int i = 0; i < LONG_PROTOCOL_BYTES; i++) c->long_protocol[i] = (char)('A' + i % 26);
    for (int i = 0; i < OPTION_CHANNELS; i++) {
        emrtc_channel_options o = {.protocol = case_protocol(c, i)};
        bool defaults = i == OPTION_CHANNELS - 1; /* NULL label and NULL options */
        CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, defaults ? NULL : names_cases[i].label, defaults ? NULL : &o,
                                                &c->ca[i]));
        check_names(s, c, c->ca[i], i);
        CHECK_INT(emrtc_channel_get_id(c->ca[i]), EMRTC_ID_UNSET);
        CHECK_INT(emrtc_channel_get_peer(c->ca[i]).id, c->p.a.pc.id);
    }
    CHECK_INT(strlen(emrtc_channel_get_protocol(c->ca[2])), LONG_PROTOCOL_BYTES);
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    /* two channels have the empty label: they are told apart by protocol */
    SCN_WAIT_UNTIL(c->p.b.nreceived == OPTION_CHANNELS && scn_pair_connected(&c->p), 10000);
    for (int i = 0; i < OPTION_CHANNELS; i++) {
        for (int k = 0; k < OPTION_CHANNELS; k++) {
            emrtc_channel r = c->p.b.received[k];
            if (strcmp(emrtc_channel_get_protocol(r), case_protocol(c, i)) == 0) c->cb[i] = r;
        }
        check_names(s, c, c->cb[i], i);
    }
    SCN_WAIT_UNTIL(emrtc_channel_get_ready_state(c->ca[0]) == EMRTC_CHANNEL_STATE_OPEN &&
                       emrtc_channel_get_ready_state(c->ca[1]) == EMRTC_CHANNEL_STATE_OPEN &&
                       emrtc_channel_get_ready_state(c->ca[2]) == EMRTC_CHANNEL_STATE_OPEN &&
                       emrtc_channel_get_ready_state(c->ca[3]) == EMRTC_CHANNEL_STATE_OPEN &&
                       emrtc_channel_get_ready_state(c->cb[0]) == EMRTC_CHANNEL_STATE_OPEN &&
                       emrtc_channel_get_ready_state(c->cb[1]) == EMRTC_CHANNEL_STATE_OPEN &&
                       emrtc_channel_get_ready_state(c->cb[2]) == EMRTC_CHANNEL_STATE_OPEN &&
                       emrtc_channel_get_ready_state(c->cb[3]) == EMRTC_CHANNEL_STATE_OPEN,
                   10000);
    for (int i = 0; i < OPTION_CHANNELS; i++) {
        c->ids[i] = emrtc_channel_get_id(c->ca[i]);
        CHECK(c->ids[i] >= 0 && c->ids[i] <= (int)EMRTC_MAX_CHANNEL_ID);
        CHECK_INT(emrtc_channel_get_id(c->cb[i]), c->ids[i]);
        CHECK_INT(emrtc_channel_get_peer(c->cb[i]).id, c->p.b.pc.id);
        for (int k = 0; k < i; k++) CHECK(c->ids[k] != c->ids[i]);
    }
    CHECK_INT(c->p.a.errors + c->p.b.errors, 0);
    scn_pair_destroy(&c->p);
    SCN_END();
}
