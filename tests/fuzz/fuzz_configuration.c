/* _emrtc_validate_configuration with servers, URLs, credentials, policies and limits from the bytes:
   whatever it accepts obeys the header's rules, every refusal says why, and it never reads past
   the strings or the server array. */
#include "emrtc_internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4) return 0;
    emrtc_configuration c = {0};
    c.ice_transport_policy = (emrtc_ice_transport_policy)(int8_t)data[0];
    c.bundle_policy = (emrtc_bundle_policy)(int8_t)data[1];
    c.ice_candidate_pool_size = (int16_t)(data[2] << 8 | data[3]) >> (data[0] & 0x80 ? 0 : 6);
    /* the limits, from the same bytes */
    c.backlog_policy = (emrtc_backlog_policy)((int8_t)data[0] >> 5);
    c.max_backlog_bytes = (size_t)data[3] << (data[2] & 31);
    c.max_channels = (uint32_t)data[2] << (data[1] & 15);
    data += 4;
    size -= 4;
    /* the rest: strings separated by 0xFF, dealt round-robin into servers of (url, url, username,
       credential); a 0xFE byte leaves the slot NULL */
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    emrtc_ice_server servers[4];
    memset(servers, 0, sizeof servers);
    int field = 0;
    for (char *at = text; at && field < 16; field++) {
        char *sep = strchr(at, '\xff');
        if (sep) *sep = 0;
        const char *value = at[0] == '\xfe' ? NULL : at;
        emrtc_ice_server *s = &servers[field / 4];
        switch (field % 4) {
        case 0: s->urls[0] = value; break;
        case 1: s->urls[0] ? (void)(s->urls[1] = value) : (void)0; break;
        case 2: s->username = value; break;
        default: s->credential = value; break;
        }
        at = sep ? sep + 1 : NULL;
    }
    c.ice_servers = servers;
    c.ice_server_count = (field + 3) / 4;
    emrtc_error err = _emrtc_validate_configuration(&c);
    if (err == EMRTC_OK) {
        bool ok = (unsigned)c.ice_transport_policy <= EMRTC_ICE_TRANSPORT_POLICY_RELAY &&
                  (unsigned)c.bundle_policy <= EMRTC_BUNDLE_POLICY_MAX_BUNDLE && c.ice_candidate_pool_size >= 0 &&
                  c.ice_candidate_pool_size <= EMRTC_MAX_ICE_CANDIDATE_POOL_SIZE &&
                  (unsigned)c.backlog_policy <= EMRTC_BACKLOG_CLOSE && c.max_backlog_bytes <= EMRTC_MAX_BACKLOG_BYTES &&
                  c.max_channels <= 65535u;
        for (int i = 0; ok && i < c.ice_server_count; i++) {
            const emrtc_ice_server *s = &servers[i];
            ok = s->urls[0] && (!strncmp(s->urls[0], "stun:", 5) || !strncmp(s->urls[0], "stuns:", 6) ||
                                !strncmp(s->urls[0], "turn:", 5) || !strncmp(s->urls[0], "turns:", 6));
            for (int k = 0; ok && k < 2 && s->urls[k]; k++)
                ok = _emrtc_utf8_valid((const uint8_t *)s->urls[k], strlen(s->urls[k]));
        }
        if (!ok) abort();
    } else if (emrtc_last_error_message()[0] == 0) {
        abort(); /* every refusal says why */
    }
    free(text);
    return 0;
}
