/* The signaling client's JSON reader (src/emrtc_signal_json.h) on any bytes: a message it accepts
   re-encodes and parses back to the same fields, and a candidate's data splits without reading past
   it. Compiles the header's definitions itself, as the header asks of native tests. */
#define EMRTC_SIGNAL_JSON_IMPLEMENTATION
#include "emrtc_signal_json.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    _emrtc_sig_msg m;
    char err[160];
    if (!_emrtc_sig_json_parse((const char *)data, size, &m, err, sizeof err)) {
        if (m.data || m.type || m.id || !err[0]) abort(); /* zeroed, with a reason */
        return 0;
    }
    if (m.type < 0 || m.id < 0 || !m.data) abort();
    char *again = _emrtc_sig_json_encode(m.type, m.id, m.data);
    if (again) {
        _emrtc_sig_msg r;
        if (!_emrtc_sig_json_parse(again, strlen(again), &r, err, sizeof err)) abort();
        if (r.type != m.type || r.id != m.id || strcmp(r.data, m.data) != 0) abort();
        free(r.data);
        free(again);
    }
    char *mid, *sdp;
    int index;
    size_t n = strlen(m.data);
    if (_emrtc_sig_candidate_split(m.data, &mid, &index, &sdp)) {
        if (index < 0 || index > 65535 || mid < m.data || sdp > m.data + n) abort();
    }
    free(m.data);
    return 0;
}
