/* Browser main of the conformance scenarios: the page (scenarios.html) starts one scenario and ticks
   it from a zero-delay JS loop; the relay of two-page scenarios goes through window.emrtcRelayOut
   (set up by the Jest test) and comes back through t_relay_push. */
#include "../scenarios/scn.h"

#include <emscripten.h>
#include <stdlib.h>

static scn *run;

EMSCRIPTEN_KEEPALIVE int t_count(void) { return scn_count(); }
EMSCRIPTEN_KEEPALIVE const char *t_name(int i) { return scn_name(i); }
EMSCRIPTEN_KEEPALIVE int t_start(const char *name, int role) {
    if (run) scn_finish(run);
    run = scn_start(name, role);
    return run != NULL;
}
EMSCRIPTEN_KEEPALIVE int t_tick(void) { return run ? scn_tick(run) : SCN_DONE; }
EMSCRIPTEN_KEEPALIVE int t_checks(void) { return run ? run->checks : 0; }
EMSCRIPTEN_KEEPALIVE int t_failures(void) { return run ? run->failures : 0; }
EMSCRIPTEN_KEEPALIVE const char *t_report(void) { return run && run->report ? run->report : ""; }
EMSCRIPTEN_KEEPALIVE const char *t_stage(void) { return run ? run->stage : ""; }
EMSCRIPTEN_KEEPALIVE void t_finish(void) {
    if (run) scn_finish(run);
    run = NULL;
}
EMSCRIPTEN_KEEPALIVE int t_live_objects(void) { return emrtc_backend_live_object_count(); }
EMSCRIPTEN_KEEPALIVE int t_live_peers(void) { return emrtc_live_peer_count(); }
EMSCRIPTEN_KEEPALIVE int t_live_channels(void) { return emrtc_live_channel_count(); }

/* ---- relay ---- */

#define RELAY_MAX 256
static char *inbox[RELAY_MAX];
static int in_head, in_count;
static char *last;

EM_JS(void, relay_out, (const char *msg), {
    if (window.emrtcRelayOut) window.emrtcRelayOut(UTF8ToString(msg));
});

EMSCRIPTEN_KEEPALIVE char *t_relay_alloc(size_t size) { return malloc(size); }
EMSCRIPTEN_KEEPALIVE void t_relay_push(char *msg) {
    if (in_count == RELAY_MAX) {
        free(msg);
        return;
    }
    inbox[(in_head + in_count++) % RELAY_MAX] = msg;
}

void scn_relay_send(scn *s, const char *msg) {
    (void)s;
    relay_out(msg);
}

const char *scn_relay_recv(scn *s) {
    (void)s;
    free(last);
    last = NULL;
    if (!in_count) return NULL;
    last = inbox[in_head];
    in_head = (in_head + 1) % RELAY_MAX;
    in_count--;
    return last;
}

int main(void) { return 0; }
