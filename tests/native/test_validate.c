/* Validation of outside input: UTF-8 (the classic edge cases), description types, channel options,
   configurations, candidate fields; each refusal names what is wrong in the last error message. */
#include "emrtc_internal.h"
#include "tst.h"

#define UTF8(lit) _emrtc_utf8_valid((const uint8_t *)(lit), sizeof(lit) - 1)

static void test_utf8_valid(void) {
    TST_CHECK(UTF8(""));
    TST_CHECK(UTF8("plain ASCII, long enough for the 8-byte fast path"));
    TST_CHECK(UTF8("\x00"));                 /* NUL is a character */
    TST_CHECK(UTF8("\x7F"));
    TST_CHECK(UTF8("\xC2\x80"));             /* U+0080, smallest 2-byte */
    TST_CHECK(UTF8("\xDF\xBF"));             /* U+07FF */
    TST_CHECK(UTF8("\xE0\xA0\x80"));         /* U+0800, smallest 3-byte */
    TST_CHECK(UTF8("\xED\x9F\xBF"));         /* U+D7FF, just below the surrogates */
    TST_CHECK(UTF8("\xEE\x80\x80"));         /* U+E000, just above */
    TST_CHECK(UTF8("\xEF\xBF\xBD"));         /* U+FFFD */
    TST_CHECK(UTF8("\xEF\xBF\xBF"));         /* U+FFFF (a noncharacter, still valid) */
    TST_CHECK(UTF8("\xF0\x90\x80\x80"));     /* U+10000, smallest 4-byte */
    TST_CHECK(UTF8("\xF4\x8F\xBF\xBF"));     /* U+10FFFF, the last */
    TST_CHECK(UTF8("h\xC3\xA9llo w\xC3\xB6rld \xE2\x82\xAC \xF0\x9F\x98\x80 and more ASCII after it"));
}

static void test_utf8_invalid(void) {
    TST_CHECK(!UTF8("\x80"));                /* lone continuation */
    TST_CHECK(!UTF8("\xBF"));
    TST_CHECK(!UTF8("\xC0\x80"));            /* overlong NUL */
    TST_CHECK(!UTF8("\xC1\xBF"));            /* overlong 2-byte */
    TST_CHECK(!UTF8("\xE0\x80\x80"));        /* overlong 3-byte */
    TST_CHECK(!UTF8("\xE0\x9F\xBF"));        /* overlong U+07FF */
    TST_CHECK(!UTF8("\xF0\x80\x80\x80"));    /* overlong 4-byte */
    TST_CHECK(!UTF8("\xF0\x8F\xBF\xBF"));    /* overlong U+FFFF */
    TST_CHECK(!UTF8("\xED\xA0\x80"));        /* U+D800, high surrogate */
    TST_CHECK(!UTF8("\xED\xBF\xBF"));        /* U+DFFF, low surrogate */
    TST_CHECK(!UTF8("\xED\xA0\xBD\xED\xB8\x80")); /* CESU-8 pair */
    TST_CHECK(!UTF8("\xF4\x90\x80\x80"));    /* U+110000 */
    TST_CHECK(!UTF8("\xF5\x80\x80\x80"));    /* lead over F4 */
    TST_CHECK(!UTF8("\xF8\x88\x80\x80\x80")); /* old 5-byte form */
    TST_CHECK(!UTF8("\xFE"));
    TST_CHECK(!UTF8("\xFF"));
    TST_CHECK(!UTF8("\xC3"));                /* truncated at the end */
    TST_CHECK(!UTF8("\xE2\x82"));
    TST_CHECK(!UTF8("\xF0\x9F\x98"));
    TST_CHECK(!UTF8("\xC3" "A"));            /* continuation missing */
    TST_CHECK(!UTF8("\xE2\x82" "A"));
    TST_CHECK(!UTF8("\xF0\x9F\x98" "A"));
    TST_CHECK(!UTF8("12345678\x80"));        /* after the fast path */
    TST_CHECK(!UTF8("1234567\xC3"));
    /* the length is respected: the valid prefix of an invalid buffer is valid */
    TST_CHECK(_emrtc_utf8_valid((const uint8_t *)"ok\xFF", 2));
    TST_CHECK(_emrtc_utf8_valid((const uint8_t *)"\xE2\x82\xAC", 3) && !_emrtc_utf8_valid((const uint8_t *)"\xE2\x82\xAC", 2));
}

static void test_sdp_type(void) {
    TST_EQ_INT(_emrtc_sdp_type_parse("offer"), _EMRTC_SDP_OFFER);
    TST_EQ_INT(_emrtc_sdp_type_parse("answer"), _EMRTC_SDP_ANSWER);
    TST_EQ_INT(_emrtc_sdp_type_parse("pranswer"), _EMRTC_SDP_PRANSWER);
    TST_EQ_INT(_emrtc_sdp_type_parse("rollback"), _EMRTC_SDP_ROLLBACK);
    TST_EQ_INT(_emrtc_sdp_type_parse(NULL), -1);
    TST_EQ_INT(_emrtc_sdp_type_parse(""), -1);
    TST_EQ_INT(_emrtc_sdp_type_parse("Offer"), -1);
    TST_EQ_INT(_emrtc_sdp_type_parse("offer "), -1);
    TST_EQ_INT(_emrtc_sdp_type_parse("offe"), -1);
    for (int i = 0; i < _EMRTC_SDP_TYPE_COUNT; i++) TST_EQ_INT(_emrtc_sdp_type_parse(_emrtc_sdp_type_names[i]), i);
}

static void test_channel_options(void) {
    static char long_label[EMRTC_MAX_LABEL_BYTES + 2];
    TST_OK(_emrtc_validate_channel(NULL, NULL));
    TST_OK(_emrtc_validate_channel("game", &(emrtc_channel_options){0}));
    TST_OK(_emrtc_validate_channel("neg", &(emrtc_channel_options){.negotiated = true, .has_id = true, .id = 0}));
    TST_OK(_emrtc_validate_channel("neg", &(emrtc_channel_options){.negotiated = true, .has_id = true, .id = EMRTC_MAX_CHANNEL_ID}));
    TST_OK(_emrtc_validate_channel("u", &(emrtc_channel_options){.has_max_retransmits = true, .max_retransmits = 0}));
    TST_OK(_emrtc_validate_channel("u", &(emrtc_channel_options){.has_max_packet_life_time = true, .max_packet_life_time = 65535}));
    TST_OK(_emrtc_validate_channel("p", &(emrtc_channel_options){.protocol = "\xC3\xA9"}));
    TST_EQ_ERR(_emrtc_validate_channel("x", &(emrtc_channel_options){.has_max_retransmits = true, .has_max_packet_life_time = true}),
               EMRTC_ERR_INVALID_PARAMETER);
    TST_CHECK(strstr(emrtc_last_error_message(), "maxRetransmits") != NULL);
    TST_EQ_ERR(_emrtc_validate_channel("x", &(emrtc_channel_options){.negotiated = true}), EMRTC_ERR_UNCONFIGURED);
    TST_EQ_ERR(_emrtc_validate_channel("x", &(emrtc_channel_options){.has_id = true, .id = 3}), EMRTC_ERR_INVALID_PARAMETER);
    TST_EQ_ERR(_emrtc_validate_channel("x", &(emrtc_channel_options){.negotiated = true, .has_id = true, .id = 65535}),
               EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_CHECK(strstr(emrtc_last_error_message(), "65535") != NULL);
    TST_EQ_ERR(_emrtc_validate_channel("x", &(emrtc_channel_options){.has_max_retransmits = true, .max_retransmits = 65536}),
               EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_EQ_ERR(_emrtc_validate_channel("x", &(emrtc_channel_options){.has_max_packet_life_time = true, .max_packet_life_time = 70000}),
               EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_EQ_ERR(_emrtc_validate_channel("\xC0\x80", NULL), EMRTC_ERR_INVALID_DATA);
    TST_CHECK(strstr(emrtc_last_error_message(), "label") != NULL);
    TST_EQ_ERR(_emrtc_validate_channel("x", &(emrtc_channel_options){.protocol = "\xED\xA0\x80"}), EMRTC_ERR_INVALID_DATA);
    TST_CHECK(strstr(emrtc_last_error_message(), "protocol") != NULL);
    memset(long_label, 'a', EMRTC_MAX_LABEL_BYTES);
    TST_OK(_emrtc_validate_channel(long_label, NULL)); /* exactly the limit */
    long_label[EMRTC_MAX_LABEL_BYTES] = 'a';
    TST_EQ_ERR(_emrtc_validate_channel(long_label, NULL), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_CHECK(strstr(emrtc_last_error_message(), "65536 bytes") != NULL);
}

static void test_configuration(void) {
    emrtc_ice_server servers[2] = {{.urls = {"stun:stun.example.org:3478"}},
                                   {.urls = {"turn:t.example.org", "turns:t.example.org:443"}, .username = "u", .credential = "c"}};
    TST_OK(_emrtc_validate_configuration(NULL));
    TST_OK(_emrtc_validate_configuration(&(emrtc_configuration){0}));
    TST_OK(_emrtc_validate_configuration(&(emrtc_configuration){.ice_servers = servers, .ice_server_count = 2}));
    TST_EQ_ERR(_emrtc_validate_configuration(&(emrtc_configuration){.ice_servers = servers, .ice_server_count = -1}), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_EQ_ERR(_emrtc_validate_configuration(&(emrtc_configuration){.ice_servers = servers, .ice_server_count = EMRTC_MAX_ICE_SERVERS + 1}),
               EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_EQ_ERR(_emrtc_validate_configuration(&(emrtc_configuration){.ice_servers = NULL, .ice_server_count = 1}), EMRTC_ERR_INVALID_PARAMETER);
    emrtc_ice_server bad = {.urls = {"http://example.org"}};
    TST_EQ_ERR(_emrtc_validate_configuration(&(emrtc_configuration){.ice_servers = &bad, .ice_server_count = 1}), EMRTC_ERR_INVALID_PARAMETER);
    TST_CHECK(strstr(emrtc_last_error_message(), "http://example.org") != NULL);
    emrtc_ice_server none = {.urls = {NULL}};
    TST_EQ_ERR(_emrtc_validate_configuration(&(emrtc_configuration){.ice_servers = &none, .ice_server_count = 1}), EMRTC_ERR_UNCONFIGURED);
    emrtc_ice_server bad_user = {.urls = {"turn:x"}, .username = "\xFF"};
    TST_EQ_ERR(_emrtc_validate_configuration(&(emrtc_configuration){.ice_servers = &bad_user, .ice_server_count = 1}), EMRTC_ERR_INVALID_DATA);
}

static void test_configuration_policies(void) {
    /* every value of each enum, and the pool size at both ends of its range */
    for (int t = EMRTC_ICE_TRANSPORT_POLICY_DEFAULT; t <= EMRTC_ICE_TRANSPORT_POLICY_RELAY; t++)
        for (int b = EMRTC_BUNDLE_POLICY_DEFAULT; b <= EMRTC_BUNDLE_POLICY_MAX_BUNDLE; b++)
            TST_OK(_emrtc_validate_configuration(&(emrtc_configuration){
                .ice_transport_policy = (emrtc_ice_transport_policy)t, .bundle_policy = (emrtc_bundle_policy)b}));
    TST_OK(_emrtc_validate_configuration(&(emrtc_configuration){.ice_candidate_pool_size = 0}));
    TST_OK(_emrtc_validate_configuration(&(emrtc_configuration){.ice_candidate_pool_size = EMRTC_MAX_ICE_CANDIDATE_POOL_SIZE}));
    /* each bad value: its own code, a message naming the field and the value */
    TST_EQ_ERR(_emrtc_validate_configuration(&(emrtc_configuration){.ice_transport_policy = (emrtc_ice_transport_policy)3}),
               EMRTC_ERR_INVALID_PARAMETER);
    TST_CHECK(strstr(emrtc_last_error_message(), "ice_transport_policy 3 is not") != NULL);
    TST_EQ_ERR(_emrtc_validate_configuration(&(emrtc_configuration){.ice_transport_policy = (emrtc_ice_transport_policy)-5}),
               EMRTC_ERR_INVALID_PARAMETER);
    TST_CHECK(strstr(emrtc_last_error_message(), "ice_transport_policy -5") != NULL);
    TST_EQ_ERR(_emrtc_validate_configuration(&(emrtc_configuration){.bundle_policy = (emrtc_bundle_policy)4}),
               EMRTC_ERR_INVALID_PARAMETER);
    TST_CHECK(strstr(emrtc_last_error_message(), "bundle_policy 4 is not") != NULL);
    TST_EQ_ERR(_emrtc_validate_configuration(&(emrtc_configuration){.bundle_policy = (emrtc_bundle_policy)-1}),
               EMRTC_ERR_INVALID_PARAMETER);
    TST_EQ_ERR(_emrtc_validate_configuration(&(emrtc_configuration){.ice_candidate_pool_size = 256}),
               EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_CHECK(strstr(emrtc_last_error_message(), "ice_candidate_pool_size 256 is outside 0..255") != NULL);
    TST_EQ_ERR(_emrtc_validate_configuration(&(emrtc_configuration){.ice_candidate_pool_size = -1}),
               EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_CHECK(strstr(emrtc_last_error_message(), "-1") != NULL);
}

static void test_candidate_fields(void) {
    TST_OK(_emrtc_validate_candidate("0", 0, "candidate:1 1 udp 1 127.0.0.1 5000 typ host"));
    TST_OK(_emrtc_validate_candidate("", 65535, "")); /* end-of-candidates */
    TST_EQ_ERR(_emrtc_validate_candidate(NULL, 0, ""), EMRTC_ERR_INVALID_PARAMETER);
    TST_EQ_ERR(_emrtc_validate_candidate("0", 0, NULL), EMRTC_ERR_INVALID_PARAMETER);
    TST_EQ_ERR(_emrtc_validate_candidate("0", -1, ""), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_EQ_ERR(_emrtc_validate_candidate("0", 65536, ""), EMRTC_ERR_PARAMETER_RANGE_ERROR);
    TST_EQ_ERR(_emrtc_validate_candidate("\xC3", 0, ""), EMRTC_ERR_INVALID_DATA);
    TST_EQ_ERR(_emrtc_validate_candidate("0", 0, "candidate:\xF4\x90\x80\x80"), EMRTC_ERR_INVALID_DATA);
}

static void test_error_table(void) {
    TST_EQ_STR(emrtc_error_name(EMRTC_OK), "EMRTC_OK");
    TST_EQ_STR(emrtc_error_name(EMRTC_ERR_BUSY), "EMRTC_ERR_BUSY");
    TST_EQ_STR(emrtc_error_name((emrtc_error)12345), "EMRTC_UNKNOWN_ERROR");
    TST_EQ_INT(EMRTC_ERR_INVALID_PARAMETER, 31); /* Godot's numbers */
    TST_EQ_INT(EMRTC_ERR_INVALID_DATA, 30);
    TST_EQ_INT(EMRTC_ERR_BUSY, 44);
    TST_CHECK(strlen(emrtc_error_string(EMRTC_ERR_UNAVAILABLE)) > 0);
}

int main(void) {
    TST_RUN(test_utf8_valid);
    TST_RUN(test_utf8_invalid);
    TST_RUN(test_sdp_type);
    TST_RUN(test_channel_options);
    TST_RUN(test_configuration);
    TST_RUN(test_configuration_policies);
    TST_RUN(test_candidate_fields);
    TST_RUN(test_error_table);
    return tst_summary("validate");
}
