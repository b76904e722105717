/* _emrtc_sdp_type_parse: accepts exactly the four names. */
#include "emrtc_internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = 0;
    int t = _emrtc_sdp_type_parse(s);
    int expected = -1;
    for (int i = 0; i < _EMRTC_SDP_TYPE_COUNT; i++)
        if (strcmp(s, _emrtc_sdp_type_names[i]) == 0) expected = i;
    if (t != expected) abort();
    free(s);
    return 0;
}
