/* The configuration beyond ICE servers: ice_transport_policy, bundle_policy, ice_candidate_pool_size.
   Bad values are refused by initialize with their own message; good ones reach the browser (read back
   with getConfiguration() in Chromium); relay without a TURN server gathers no candidate and the
   program is told so. */
#include "helpers.h"

#include <stdlib.h>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

typedef struct {
    scn_pair p;
    emrtc_channel ca, cb;
} config_ctx;

static void check_refused(scn *s, emrtc_peer pc, const emrtc_configuration *config, emrtc_error code,
                          const char *part, int line) {
    emrtc_error err = emrtc_peer_initialize(pc, config);
    scn_check(s, err == code, __FILE__, line, "initialize returned %s, expected %s (%s)", emrtc_error_name(err),
              emrtc_error_name(code), emrtc_last_error_message());
    scn_check(s, strstr(emrtc_last_error_message(), part) != NULL, __FILE__, line,
              "last error \"%.200s\" does not mention \"%s\"", emrtc_last_error_message(), part);
}
#define CHECK_REFUSED(pc, config, code, part) check_refused(s, pc, config, code, part, __LINE__)

#ifdef __EMSCRIPTEN__
/* "iceTransportPolicy bundlePolicy iceCandidatePoolSize" of the browser's RTCPeerConnection. */
EM_JS(char *, config_of, (uint32_t id), {
    var c = Module.emrtcJs.pcs.get(id).pc.getConfiguration();
    var text = c.iceTransportPolicy + " " + c.bundlePolicy + " " + c.iceCandidatePoolSize;
    var n = lengthBytesUTF8(text) + 1, p = _malloc(n);
    stringToUTF8(text, p, n);
    return p;
});
static void check_browser_config(scn *s, emrtc_peer pc, const char *expected, int line) {
    char *got = config_of(pc.id);
    scn_check(s, strcmp(got, expected) == 0, __FILE__, line, "getConfiguration() is \"%s\", expected \"%s\"", got,
              expected);
    free(got);
}
#define CHECK_BROWSER_CONFIG(pc, expected) check_browser_config(s, pc, expected, __LINE__)
#else
#define CHECK_BROWSER_CONFIG(pc, expected) ((void)0)
#endif

static const emrtc_configuration bundled = {
    .ice_transport_policy = EMRTC_ICE_TRANSPORT_POLICY_ALL,
    .bundle_policy = EMRTC_BUNDLE_POLICY_MAX_BUNDLE,
    .ice_candidate_pool_size = 4,
};
static const emrtc_configuration compat = {
    .bundle_policy = EMRTC_BUNDLE_POLICY_MAX_COMPAT,
    .ice_candidate_pool_size = EMRTC_MAX_ICE_CANDIDATE_POOL_SIZE,
};

/* Out-of-range values, each with its own message; the peer keeps working after every refusal. A
   pair configured with max-bundle, all and a pool of 4 (the other side max-compat, pool 255)
   connects and carries data; the browser reports exactly those values. */
SCENARIO(configuration_policies, config_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, NULL);
    CHECK_REFUSED(c->p.a.pc, (&(emrtc_configuration){.ice_transport_policy = (emrtc_ice_transport_policy)3}),
                  EMRTC_ERR_INVALID_PARAMETER, "ice_transport_policy 3");
    CHECK_REFUSED(c->p.a.pc, (&(emrtc_configuration){.ice_transport_policy = (emrtc_ice_transport_policy)-1}),
                  EMRTC_ERR_INVALID_PARAMETER, "ice_transport_policy -1");
    CHECK_REFUSED(c->p.a.pc, (&(emrtc_configuration){.bundle_policy = (emrtc_bundle_policy)4}),
                  EMRTC_ERR_INVALID_PARAMETER, "bundle_policy 4");
    CHECK_REFUSED(c->p.a.pc, (&(emrtc_configuration){.ice_candidate_pool_size = 256}), EMRTC_ERR_PARAMETER_RANGE_ERROR,
                  "ice_candidate_pool_size 256 is outside 0..255");
    CHECK_REFUSED(c->p.a.pc, (&(emrtc_configuration){.ice_candidate_pool_size = -1}), EMRTC_ERR_PARAMETER_RANGE_ERROR,
                  "ice_candidate_pool_size -1");
    CHECK_BROWSER_CONFIG(c->p.a.pc, "all balanced 0"); /* the zero configuration: the browser's defaults */

    CHECK_OK(emrtc_peer_initialize(c->p.a.pc, &bundled));
    CHECK_OK(emrtc_peer_initialize(c->p.b.pc, &compat));
    CHECK_BROWSER_CONFIG(c->p.a.pc, "all max-bundle 4");
    CHECK_BROWSER_CONFIG(c->p.b.pc, "all max-compat 255");
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "configured", NULL, &c->ca));
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb), 15000);
    CHECK_OK(emrtc_channel_put_packet(c->ca, "policy", 6));
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb) == 1, 10000);
    CHECK_PACKET(c->cb, "policy", 6, false);
    CHECK_INT(c->p.a.errors + c->p.b.errors, 0);
    scn_pair_destroy(&c->p);
    SCN_END();
}

/* ice_transport_policy relay and no TURN server, on both sides of a pair: offer and answer go
   through, gathering runs to its end without one candidate, end-of-candidates is still reported, and
   each side's error callback says why (EMRTC_ERR_CANT_CONNECT, "gathering: no local candidate"). */
SCENARIO(configuration_relay_without_turn, config_ctx) {
    SCN_BEGIN();
    scn_pair_create(s, &c->p, &(scn_pair_options){.config = &(const emrtc_configuration){
                                                      .ice_transport_policy = EMRTC_ICE_TRANSPORT_POLICY_RELAY}});
    CHECK_BROWSER_CONFIG(c->p.a.pc, "relay balanced 0");
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "relayed", NULL, &c->ca));
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(c->p.a.errors > 0 && c->p.b.errors > 0, 20000);
    for (int i = 0; i < 2; i++) {
        scn_side *side = i ? &c->p.b : &c->p.a;
        CHECK_INT(side->candidates, 0);
        CHECK_INT(side->end_of_candidates, 1);
        CHECK_LOG(side->gather, side->ngather, 2, EMRTC_GATHERING_STATE_GATHERING, EMRTC_GATHERING_STATE_COMPLETE);
        CHECK_INT(side->errors, 1);
        CHECK_INT(side->last_error, EMRTC_ERR_CANT_CONNECT);
        CHECK_PREFIX(side->last_error_message, "gathering: no local candidate");
        CHECK_HAS(side->last_error_message, "relay");
        CHECK(emrtc_peer_get_connection_state(side->pc) != EMRTC_STATE_CONNECTED);
    }
    CHECK_INT(emrtc_channel_get_ready_state(c->ca), EMRTC_CHANNEL_STATE_CONNECTING);
    scn_pair_destroy(&c->p);
    SCN_END();
}
