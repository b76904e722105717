/* A plain program (no -pthread) linked with the threaded libemrtc-mt.a: Emscripten 3.1.6 links it
   silently, so emrtc refuses at the first emrtc_peer_create, with a message naming the right library. */
#include <emrtc.h>
#include <emscripten.h>

EMSCRIPTEN_KEEPALIVE int m_create(void) {
    emrtc_peer pc = emrtc_peer_create();
    int ok = pc.id != 0;
    emrtc_peer_destroy(pc);
    return ok;
}
EMSCRIPTEN_KEEPALIVE const char *m_message(void) { return emrtc_last_error_message(); }
int main(void) { return 0; }
