/* Validation of everything that comes from outside: text, description types, channel options,
   configurations, candidate fields. Each check names the offending argument in the last error. */
#include "emrtc_internal.h"

#include <string.h>

bool _emrtc_utf8_valid(const uint8_t *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        /* fast path: 8 ASCII bytes at a time */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull) break;
            i += 8;
        }
        if (i >= len) break;
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1Fu; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0Fu; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07u; }
        else return false; /* continuation byte, overlong lead 0xC0/0xC1, or > U+10FFFF lead */
        if (len - i - 1 < n) return false;
        for (size_t k = 1; k <= n; k++) {
            uint8_t cc = s[i + k];
            if ((cc & 0xC0u) != 0x80u) return false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if (n == 2 && (cp < 0x800u || (cp >= 0xD800u && cp <= 0xDFFFu))) return false;
        if (n == 3 && (cp < 0x10000u || cp > 0x10FFFFu)) return false;
        i += n + 1;
    }
    return true;
}

const char *const _emrtc_sdp_type_names[_EMRTC_SDP_TYPE_COUNT] = {"offer", "answer", "pranswer", "rollback"};

int _emrtc_sdp_type_parse(const char *type) {
    if (!type) return -1;
    for (int i = 0; i < _EMRTC_SDP_TYPE_COUNT; i++)
        if (strcmp(type, _emrtc_sdp_type_names[i]) == 0) return i;
    return -1;
}

static emrtc_error check_text(const char *what, const char *s) {
    size_t n = strlen(s);
    if (n > EMRTC_MAX_LABEL_BYTES)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "%s is %zu bytes, at most %u allowed", what, n,
                           EMRTC_MAX_LABEL_BYTES);
    if (!_emrtc_utf8_valid((const uint8_t *)s, n))
        return _emrtc_fail(EMRTC_ERR_INVALID_DATA, "%s is not valid UTF-8", what);
    return EMRTC_OK;
}

static emrtc_error check_backlog(const char *where, size_t bytes, emrtc_backlog_policy policy) {
    if (bytes > EMRTC_MAX_BACKLOG_BYTES)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "%s max_backlog_bytes %zu is over %u", where, bytes,
                           EMRTC_MAX_BACKLOG_BYTES);
    if ((unsigned)policy > EMRTC_BACKLOG_CLOSE)
        return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "%s backlog_policy %d is not an emrtc_backlog_policy", where,
                           (int)policy);
    return EMRTC_OK;
}

emrtc_error _emrtc_validate_channel(const char *label, const emrtc_channel_options *o) {
    emrtc_error err = check_text("label", label ? label : "");
    if (err) return err;
    if (!o) return EMRTC_OK;
    if (o->has_max_retransmits && o->has_max_packet_life_time)
        return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER,
                           "maxRetransmits and maxPacketLifeTime exclude each other; give at most one");
    if (o->negotiated && !o->has_id)
        return _emrtc_fail(EMRTC_ERR_UNCONFIGURED, "a negotiated channel needs an id (set has_id and id)");
    if (!o->negotiated && o->has_id)
        return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER,
                           "an id is only allowed on a negotiated channel (set negotiated)");
    if (o->has_id && o->id > EMRTC_MAX_CHANNEL_ID)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "channel id %u is over %u", (unsigned)o->id,
                           EMRTC_MAX_CHANNEL_ID);
    if (o->has_max_retransmits && o->max_retransmits > 65535u)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "maxRetransmits %u is over 65535",
                           (unsigned)o->max_retransmits);
    if (o->has_max_packet_life_time && o->max_packet_life_time > 65535u)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "maxPacketLifeTime %u is over 65535",
                           (unsigned)o->max_packet_life_time);
    if ((err = check_backlog("channel options:", o->max_backlog_bytes, o->backlog_policy))) return err;
    if (o->protocol) return check_text("protocol", o->protocol);
    return EMRTC_OK;
}

emrtc_error _emrtc_validate_configuration(const emrtc_configuration *c) {
    if (!c) return EMRTC_OK;
    emrtc_error berr = check_backlog("configuration:", c->max_backlog_bytes, c->backlog_policy);
    if (berr) return berr;
    if (c->max_channels > _EMRTC_POOL_MAX_SLOTS)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "configuration: max_channels %u is over %u",
                           (unsigned)c->max_channels, _EMRTC_POOL_MAX_SLOTS);
    if (c->ice_server_count < 0 || c->ice_server_count > EMRTC_MAX_ICE_SERVERS)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "ice_server_count %d is outside 0..%d",
                           c->ice_server_count, EMRTC_MAX_ICE_SERVERS);
    if (c->ice_server_count > 0 && !c->ice_servers)
        return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "ice_servers is NULL but ice_server_count is %d",
                           c->ice_server_count);
    if ((unsigned)c->ice_transport_policy > EMRTC_ICE_TRANSPORT_POLICY_RELAY)
        return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER,
                           "ice_transport_policy %d is not an emrtc_ice_transport_policy (0 default, 1 all, 2 relay)",
                           (int)c->ice_transport_policy);
    if ((unsigned)c->bundle_policy > EMRTC_BUNDLE_POLICY_MAX_BUNDLE)
        return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER,
                           "bundle_policy %d is not an emrtc_bundle_policy (0 default, 1 balanced, 2 max-compat, "
                           "3 max-bundle)",
                           (int)c->bundle_policy);
    if (c->ice_candidate_pool_size < 0 || c->ice_candidate_pool_size > EMRTC_MAX_ICE_CANDIDATE_POOL_SIZE)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "ice_candidate_pool_size %d is outside 0..%d",
                           c->ice_candidate_pool_size, EMRTC_MAX_ICE_CANDIDATE_POOL_SIZE);
    for (int i = 0; i < c->ice_server_count; i++) {
        const emrtc_ice_server *s = &c->ice_servers[i];
        int n = 0;
        while (n < EMRTC_MAX_ICE_URLS && s->urls[n]) {
            const char *u = s->urls[n];
            if (strncmp(u, "stun:", 5) && strncmp(u, "stuns:", 6) && strncmp(u, "turn:", 5) && strncmp(u, "turns:", 6))
                return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER,
                                   "ice_servers[%d].urls[%d] \"%.64s\" is not a stun:, stuns:, turn: or turns: URL", i,
                                   n, u);
            emrtc_error err = check_text("an ICE server URL", u);
            if (err) return err;
            n++;
        }
        if (n == 0) return _emrtc_fail(EMRTC_ERR_UNCONFIGURED, "ice_servers[%d] has no urls", i);
        emrtc_error err = s->username ? check_text("an ICE username", s->username) : EMRTC_OK;
        if (!err && s->credential) err = check_text("an ICE credential", s->credential);
        if (err) return err;
    }
    return EMRTC_OK;
}

emrtc_error _emrtc_validate_candidate(const char *media, int index, const char *name) {
    if (!media || !name)
        return _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "add_ice_candidate: %s is NULL", media ? "name" : "media");
    if (index < 0 || index > 65535)
        return _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "add_ice_candidate: index %d is outside 0..65535", index);
    emrtc_error err = check_text("the candidate's media", media);
    if (!err) err = check_text("the candidate", name);
    return err;
}
