/* Candidates from outside: _emrtc_validate_candidate, then the loopback's candidate parser through
   emrtc_peer_add_ice_candidate on a peer that has a remote description (the error comes back from
   poll). Bytes: [0] index high, [1] index low, then media, a 0xFF byte, the candidate. */
#include "emrtc_internal.h"

#include <stdlib.h>
#include <string.h>

static emrtc_peer offerer, answerer;
static int errors;

static void on_error(emrtc_peer pc, emrtc_error err, const char *message, void *ud) {
    (void)pc, (void)ud;
    if (err != EMRTC_ERR_INVALID_DATA || strncmp(message, "add_ice_candidate: ", 19) != 0) abort();
    errors++;
}

static void on_description(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    (void)ud;
    emrtc_peer_set_local_description(pc, type, sdp);
    if (pc.id == offerer.id) emrtc_peer_set_remote_description(answerer, type, sdp);
}

/* Once: a peer that holds a remote offer, so candidates reach the backend. */
static void setup(void) {
    offerer = emrtc_peer_create();
    answerer = emrtc_peer_create();
    emrtc_peer_callbacks cb = {.session_description_created = on_description, .error = on_error};
    emrtc_peer_set_callbacks(offerer, &cb);
    emrtc_peer_set_callbacks(answerer, &cb);
    emrtc_channel ch;
    emrtc_peer_create_data_channel(offerer, "fuzz", NULL, &ch);
    emrtc_peer_create_offer(offerer);
    for (int i = 0; i < 3; i++) {
        emrtc_peer_poll(offerer);
        emrtc_peer_poll(answerer);
    }
    if (emrtc_peer_get_signaling_state(answerer) != EMRTC_SIGNALING_STATE_STABLE) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!answerer.id) setup();
    if (size < 2) return 0;
    int index = data[0] << 8 | data[1];
    char *text = malloc(size - 1);
    if (!text) return 0;
    memcpy(text, data + 2, size - 2);
    text[size - 2] = 0;
    char *sep = memchr(text, 0xFF, size - 2);
    if (sep) *sep = 0;
    const char *media = sep ? text : "0", *name = sep ? sep + 1 : text;
    emrtc_error valid = _emrtc_validate_candidate(media, index, name);
    emrtc_error added = emrtc_peer_add_ice_candidate(answerer, media, index, name);
    if (valid != added) abort(); /* the same checks, whatever the backend */
    int before = errors;
    emrtc_peer_poll(answerer);
    if (errors > before + 1) abort();
    if (emrtc_peer_get_connection_state(answerer) > EMRTC_STATE_CONNECTED) abort();
    free(text);
    return 0;
}
