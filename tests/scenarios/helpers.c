/* Helpers shared by the scenario files (see helpers.h). */
#include "helpers.h"

emrtc_channel scn_received(const scn_side *side, const char *label) {
    int n = side->nreceived < 8 ? side->nreceived : 8;
    for (int i = 0; i < n; i++)
        if (strcmp(emrtc_channel_get_label(side->received[i]), label) == 0) return side->received[i];
    return (emrtc_channel){0};
}

bool scn_channels_open(scn_pair *p, emrtc_channel ca, emrtc_channel *cb) {
    *cb = scn_received(&p->b, emrtc_channel_get_label(ca));
    return cb->id && scn_pair_connected(p) && emrtc_channel_get_ready_state(ca) == EMRTC_CHANNEL_STATE_OPEN &&
           emrtc_channel_get_ready_state(*cb) == EMRTC_CHANNEL_STATE_OPEN;
}

bool scn_check_packet(scn *s, emrtc_channel ch, const void *data, size_t size, bool text, const char *file, int line) {
    const uint8_t *got = NULL;
    size_t n = 0;
    emrtc_error err = emrtc_channel_get_packet(ch, &got, &n);
    if (!scn_check(s, err == EMRTC_OK, file, line, "get_packet returned %s, expected a packet of %zu bytes",
                   emrtc_error_name(err), size))
        return false;
    bool ok = scn_check(s, n == size, file, line, "packet is %zu bytes, expected %zu", n, size);
    if (ok && size) {
        size_t at = 0;
        while (at < size && got[at] == ((const uint8_t *)data)[at]) at++;
        ok = scn_check(s, at == size, file, line, "packet of %zu bytes differs at byte %zu (0x%02x, expected 0x%02x)",
                       size, at, at < size ? got[at] : 0, at < size ? ((const uint8_t *)data)[at] : 0);
    }
    bool was_text = emrtc_channel_was_string_packet(ch);
    return scn_check(s, was_text == text, file, line, "was_string_packet is %d, expected %d", was_text, text) && ok;
}

emrtc_error scn_send(emrtc_channel ch, emrtc_write_mode mode, const void *data, size_t size) {
    emrtc_error err = emrtc_channel_set_write_mode(ch, mode);
    return err ? err : emrtc_channel_put_packet(ch, data, size);
}

void scn_pattern(uint8_t *buf, size_t size, uint32_t seed) {
    uint32_t x = seed * 2654435761u + 1u;
    for (size_t i = 0; i < size; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 24);
    }
}
