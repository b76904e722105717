/* Descriptions from outside, through the loopback's SDP parser: set_remote_description and
   set_local_description with the bytes as the SDP, on a fresh peer and on one with an offer under
   way. Refusals must come back from poll, on the error callback, with the step's name. Byte 0 picks
   the type and the peer's state. */
#include "emrtc_internal.h"

#include <stdlib.h>
#include <string.h>

static int errors;

static void on_error(emrtc_peer pc, emrtc_error err, const char *message, void *ud) {
    (void)pc, (void)ud;
    if (err != EMRTC_ERR_INVALID_DATA && err != EMRTC_ERR_UNAVAILABLE) abort();
    if (strncmp(message, "set_remote_description: ", 24) != 0 && strncmp(message, "set_local_description: ", 23) != 0)
        abort();
    errors++;
}

static void remember_offer(emrtc_peer pc, const char *type, const char *sdp, void *ud) {
    (void)type, (void)sdp, (void)ud;
    emrtc_peer_set_local_description(pc, type, sdp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint8_t mode = data[0];
    char *sdp = malloc(size);
    if (!sdp) return 0;
    memcpy(sdp, data + 1, size - 1);
    sdp[size - 1] = 0;
    emrtc_peer pc = emrtc_peer_create();
    emrtc_peer_callbacks cb = {.session_description_created = remember_offer, .error = on_error};
    emrtc_peer_set_callbacks(pc, &cb);
    if (mode & 4) { /* have-local-offer */
        emrtc_channel ch;
        emrtc_peer_create_data_channel(pc, "fuzz", NULL, &ch);
        emrtc_peer_create_offer(pc);
        emrtc_peer_poll(pc);
    }
    const char *type = _emrtc_sdp_type_names[mode & 3];
    emrtc_error err = mode & 8 ? emrtc_peer_set_local_description(pc, type, sdp)
                               : emrtc_peer_set_remote_description(pc, type, sdp);
    if (err != EMRTC_OK) abort(); /* refusals are asynchronous */
    errors = 0;
    for (int i = 0; i < 3; i++) emrtc_peer_poll(pc);
    if (errors > 1) abort();
    emrtc_peer_destroy(pc);
    if (emrtc_live_peer_count() || emrtc_backend_live_object_count()) abort();
    free(sdp);
    return 0;
}
