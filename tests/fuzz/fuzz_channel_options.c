/* _emrtc_validate_channel with options, label and protocol from the bytes: whatever it accepts
   obeys the spec's rules, and it never reads past the strings. */
#include "emrtc_internal.h"

#include <stdlib.h>
#include <string.h>

static uint32_t take32(const uint8_t **d, size_t *n) {
    uint32_t v = 0;
    for (int i = 0; i < 4 && *n; i++, (*d)++, (*n)--) v = v << 8 | **d;
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint8_t flags = *data++;
    size--;
    emrtc_channel_options o = {0};
    o.negotiated = flags & 1;
    o.has_id = flags & 2;
    o.has_max_retransmits = flags & 4;
    o.has_max_packet_life_time = flags & 8;
    o.unordered = flags & 16;
    o.id = take32(&data, &size) >> (flags & 32 ? 16 : 0);
    o.max_retransmits = take32(&data, &size) >> (flags & 64 ? 15 : 0);
    o.max_packet_life_time = take32(&data, &size) >> (flags & 128 ? 15 : 0);
    /* the rest: label, a 0xFF byte, protocol (NULL when there is no 0xFF) */
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    char *sep = memchr(text, 0xFF, size);
    if (sep) *sep = 0;
    o.protocol = sep ? sep + 1 : NULL;
    emrtc_error err = _emrtc_validate_channel(text, &o);
    if (err == EMRTC_OK) {
        size_t label_len = strlen(text), proto_len = o.protocol ? strlen(o.protocol) : 0;
        bool ok = !(o.has_max_retransmits && o.has_max_packet_life_time) && o.negotiated == o.has_id &&
                  (!o.has_id || o.id <= EMRTC_MAX_CHANNEL_ID) && (!o.has_max_retransmits || o.max_retransmits <= 65535) &&
                  (!o.has_max_packet_life_time || o.max_packet_life_time <= 65535) && label_len <= EMRTC_MAX_LABEL_BYTES &&
                  proto_len <= EMRTC_MAX_LABEL_BYTES && _emrtc_utf8_valid((const uint8_t *)text, label_len) &&
                  (!o.protocol || _emrtc_utf8_valid((const uint8_t *)o.protocol, proto_len));
        if (!ok) abort();
    } else if (emrtc_last_error_message()[0] == 0) {
        abort(); /* every refusal says why */
    }
    free(text);
    return 0;
}
