/* emrtc_set_default_extension: an extension written here counts every call (one counter per member,
   generated from EMRTC_EXTENSION_MEMBERS) and forwards to the built-in backend. A whole connect,
   send, receive, close runs through it and every member is called; peers keep the extension they
   were created with; NULL restores the built-in one; a table with a NULL member is refused. */
#include "pair.h"
#include "tst.h"

#include <stddef.h>
#include <stdlib.h>

/* ---- the counting extension ---- */

#define COUNTER(member) int member;
static struct { EMRTC_EXTENSION_MEMBERS(COUNTER) } calls;
#undef COUNTER

static const emrtc_extension *builtin;

static emrtc_error c_peer_create(emrtc_peer pc, const emrtc_configuration *config) {
    calls.peer_create++;
    return builtin->peer_create(pc, config);
}
static void c_peer_destroy(emrtc_peer pc) {
    calls.peer_destroy++;
    builtin->peer_destroy(pc);
}
static emrtc_error c_peer_create_data_channel(emrtc_peer pc, emrtc_channel ch, const char *label,
                                              const emrtc_channel_options *o) {
    calls.peer_create_data_channel++;
    return builtin->peer_create_data_channel(pc, ch, label, o);
}
static emrtc_error c_peer_create_offer(emrtc_peer pc) {
    calls.peer_create_offer++;
    return builtin->peer_create_offer(pc);
}
static emrtc_error c_peer_set_local_description(emrtc_peer pc, const char *type, const char *sdp) {
    calls.peer_set_local_description++;
    return builtin->peer_set_local_description(pc, type, sdp);
}
static emrtc_error c_peer_set_remote_description(emrtc_peer pc, const char *type, const char *sdp) {
    calls.peer_set_remote_description++;
    return builtin->peer_set_remote_description(pc, type, sdp);
}
static emrtc_error c_peer_add_ice_candidate(emrtc_peer pc, const char *media, int index, const char *name) {
    calls.peer_add_ice_candidate++;
    return builtin->peer_add_ice_candidate(pc, media, index, name);
}
static void c_peer_close(emrtc_peer pc) {
    calls.peer_close++;
    builtin->peer_close(pc);
}
static void c_peer_poll(emrtc_peer pc) {
    calls.peer_poll++;
    builtin->peer_poll(pc);
}
static emrtc_error c_peer_get_stats(emrtc_peer pc) {
    calls.peer_get_stats++;
    return builtin->peer_get_stats(pc);
}
static emrtc_error c_peer_restart_ice(emrtc_peer pc) {
    calls.peer_restart_ice++;
    return builtin->peer_restart_ice(pc);
}
static emrtc_error c_channel_send(emrtc_channel ch, const void *data, size_t size, bool is_text) {
    calls.channel_send++;
    return builtin->channel_send(ch, data, size, is_text);
}
static void c_channel_close(emrtc_channel ch) {
    calls.channel_close++;
    builtin->channel_close(ch);
}
static void c_channel_destroy(emrtc_channel ch) {
    calls.channel_destroy++;
    builtin->channel_destroy(ch);
}
static size_t c_channel_get_buffered_amount(emrtc_channel ch) {
    calls.channel_get_buffered_amount++;
    return builtin->channel_get_buffered_amount(ch);
}
static void c_channel_set_buffered_amount_low_threshold(emrtc_channel ch, size_t t) {
    calls.channel_set_buffered_amount_low_threshold++;
    builtin->channel_set_buffered_amount_low_threshold(ch, t);
}
static int c_channel_get_id(emrtc_channel ch) {
    calls.channel_get_id++;
    return builtin->channel_get_id(ch);
}
static size_t c_channel_get_max_message_size(emrtc_channel ch) {
    calls.channel_get_max_message_size++;
    return builtin->channel_get_max_message_size(ch);
}

static int marker;
#define MEMBER(member) .member = c_##member,
static const emrtc_extension counting = {.user_data = &marker, EMRTC_EXTENSION_MEMBERS(MEMBER)};
#undef MEMBER

/* ---- tests ---- */

static void test_a_whole_session_calls_every_member(void) {
    builtin = emrtc_builtin_extension();
    TST_REQUIRE(builtin != NULL);
    emrtc_peer before = emrtc_peer_create(); /* keeps the built-in backend */
    TST_OK(emrtc_set_default_extension(&counting));
    tp_pair p;
    tp_init(&p);
    TST_CHECK(emrtc_peer_get_extension(p.a.pc)->user_data == &marker);
    TST_CHECK(emrtc_peer_get_extension(before)->peer_create == builtin->peer_create);
    TST_EQ_INT(calls.peer_create, 2);

    emrtc_channel ca;
    TST_OK(emrtc_peer_create_data_channel(p.a.pc, "ext", NULL, &ca));
    TST_EQ_INT(emrtc_channel_get_id(ca), EMRTC_ID_UNSET);
    TST_REQUIRE(tp_connect(&p));
    tp_poll(&p, 1);
    TST_REQUIRE(p.b.nreceived == 1);
    emrtc_channel cb = p.b.received[0];
    TST_OK(emrtc_channel_set_buffered_amount_low_threshold(ca, 10));
    TST_OK(emrtc_channel_put_packet(ca, "through the extension", 21));
    (void)emrtc_channel_get_buffered_amount(ca);
    tp_poll(&p, 1);
    const uint8_t *d;
    size_t n;
    TST_OK(emrtc_channel_get_packet(cb, &d, &n));
    TST_CHECK(n == 21 && memcmp(d, "through the extension", 21) == 0);
    TST_OK(emrtc_peer_get_stats(p.a.pc));
    TST_OK(emrtc_peer_restart_ice(p.a.pc));
    tp_poll(&p, 2);
    TST_EQ_INT(p.a.descriptions, 2); /* the restart's offer */
    emrtc_channel_close(ca);
    emrtc_channel_destroy(cb);
    emrtc_peer_close(p.a.pc);
    tp_destroy(&p);

#define CHECK_CALLED(member) tst_check_(calls.member > 0, __FILE__, __LINE__, "extension member %s never called", #member);
    EMRTC_EXTENSION_MEMBERS(CHECK_CALLED)
#undef CHECK_CALLED
    TST_EQ_INT(calls.peer_destroy, 2);

    /* NULL restores the built-in backend for peers created afterwards */
    TST_OK(emrtc_set_default_extension(NULL));
    emrtc_peer after = emrtc_peer_create();
    TST_CHECK(emrtc_peer_get_extension(after)->peer_create == builtin->peer_create);
    TST_EQ_INT(calls.peer_create, 2);
    emrtc_peer_destroy(after);
    emrtc_peer_destroy(before);
    TST_EQ_INT(emrtc_live_peer_count(), 0);
    TST_EQ_INT(emrtc_backend_live_object_count(), 0);
}

static void test_a_table_with_a_null_member_is_refused(void) {
    int refused = 0, members = 0;
#define TRY_WITHOUT(member)                                                                           \
    {                                                                                               \
        emrtc_extension broken = counting;                                                          \
        broken.member = NULL;                                                                       \
        members++;                                                                                  \
        if (emrtc_set_default_extension(&broken) == EMRTC_ERR_INVALID_PARAMETER &&                  \
            strstr(emrtc_last_error_message(), #member))                                            \
            refused++;                                                                              \
    }
    EMRTC_EXTENSION_MEMBERS(TRY_WITHOUT)
#undef TRY_WITHOUT
    TST_EQ_INT(refused, members);
    /* the X-list names every function member of the table: all members after user_data */
    TST_EQ_INT(members, (sizeof(emrtc_extension) - offsetof(emrtc_extension, peer_create)) / sizeof(void (*)(void)));
    /* a refused table changes nothing: the built-in backend is still the default */
    emrtc_peer pc = emrtc_peer_create();
    TST_CHECK(emrtc_peer_get_extension(pc)->peer_create == emrtc_builtin_extension()->peer_create);
    emrtc_peer_destroy(pc);
}

/* A failing peer_create: emrtc_peer_create gives {0} and leaves nothing behind. */
static emrtc_error refuse_create(emrtc_peer pc, const emrtc_configuration *config) {
    (void)pc, (void)config;
    return EMRTC_ERR_OUT_OF_MEMORY;
}

static void test_a_failing_backend_create(void) {
    emrtc_extension failing = counting;
    failing.peer_create = refuse_create;
    TST_OK(emrtc_set_default_extension(&failing));
    emrtc_peer pc = emrtc_peer_create();
    TST_EQ_INT(pc.id, 0);
    TST_EQ_INT(emrtc_live_peer_count(), 0);
    TST_OK(emrtc_set_default_extension(NULL));
}

int main(void) {
    TST_RUN(test_a_whole_session_calls_every_member);
    TST_RUN(test_a_table_with_a_null_member_is_refused);
    TST_RUN(test_a_failing_backend_create);
    return tst_summary("extension");
}
