/* Native main of the conformance scenarios (the tests/scenarios sources) against the loopback backend.
     scenarios_native                 runs every scenario
     scenarios_native NAME...         runs those
     scenarios_native --list          prints the compiled names
     scenarios_native --check-list NAME...   exits 0 when the compiled names are exactly these

   Each scenario is ticked until done, within TIME_LIMIT_MS on top of its own wait limits; then, as
   the browser test does, nothing may be left alive (peers, channels, loopback objects). Two-sided
   scenarios (two_*) run both roles in this one process, ticked in turn, their relay in memory; a
   "bye" from side 0 stands for "side 1's page was closed": it is delivered to side 1, which is
   ticked on until it is done (at most GRACE_MS after side 0), and side 0 must send it. Prints one
   PASS/FAIL line per scenario (with the report's lines on failure); exits 1 on any failure. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include "../scenarios/scn.h"

#include <stdlib.h>
#include <time.h>

#define TIME_LIMIT_MS 120000.0
#define GRACE_MS 10000.0
#define RELAY_MAX 1024

/* ---- relay: one inbox per side ---- */

typedef struct inbox {
    char *msgs[RELAY_MAX];
    int head, count;
    char *last; /* the message last returned, freed by the next recv */
} inbox;

static inbox boxes[2];
static bool bye_sent;

static void relay_reset(void) {
    for (int b = 0; b < 2; b++) {
        while (boxes[b].count) {
            free(boxes[b].msgs[boxes[b].head]);
            boxes[b].head = (boxes[b].head + 1) % RELAY_MAX;
            boxes[b].count--;
        }
        free(boxes[b].last);
        boxes[b].last = NULL;
        boxes[b].head = 0;
    }
    bye_sent = false;
}

void scn_relay_send(scn *s, const char *msg) {
    if (s->role == 0 && strcmp(msg, "bye") == 0) bye_sent = true;
    inbox *to = &boxes[s->role == 0 ? 1 : 0];
    size_t n = strlen(msg) + 1;
    char *copy = malloc(n);
    if (!copy || to->count == RELAY_MAX) {
        free(copy);
        scn_failf(s, __FILE__, __LINE__, "relay: message lost (inbox full or out of memory)");
        return;
    }
    memcpy(copy, msg, n);
    to->msgs[(to->head + to->count++) % RELAY_MAX] = copy;
}

const char *scn_relay_recv(scn *s) {
    inbox *in = &boxes[s->role == 0 ? 0 : 1];
    free(in->last);
    in->last = NULL;
    if (!in->count) return NULL;
    in->last = in->msgs[in->head];
    in->head = (in->head + 1) % RELAY_MAX;
    in->count--;
    return in->last;
}

/* ---- running ---- */

static void pause_briefly(void) {
    struct timespec ts = {0, 50000}; /* 50 us: SCN_SLEEP waits need not spin a core */
    nanosleep(&ts, NULL);
}

static void print_report(const scn *s) {
    if (s->report) fputs(s->report, stdout);
}

/* Runs one scenario (both sides of a two-sided one); returns true when it passed. */
static bool run_one(const char *name) {
    int sides = strncmp(name, "two_", 4) == 0 ? 2 : 1;
    scn *run[2] = {NULL, NULL};
    bool done[2] = {false, false};
    for (int i = 0; i < sides; i++) {
        if (!(run[i] = scn_start(name, i))) {
            printf("FAIL %s: no such scenario\n", name);
            if (i) scn_finish(run[0]);
            return false;
        }
    }
    double start = scn_now_ms(), side0_done = 0;
    bool timed_out = false;
    while (!(done[0] && (sides == 1 || done[1]))) {
        for (int i = 0; i < sides; i++)
            if (!done[i]) done[i] = scn_tick(run[i]) == SCN_DONE;
        double now = scn_now_ms();
        if (done[0] && sides == 2 && !done[1]) {
            if (side0_done == 0) side0_done = now;
            else if (now - side0_done > GRACE_MS) break; /* its page would be closed by now */
        }
        if (now - start > TIME_LIMIT_MS) {
            timed_out = true;
            break;
        }
        pause_briefly();
    }
    double ms = scn_now_ms() - start;
    int checks = 0, failures = 0;
    for (int i = 0; i < sides; i++) {
        checks += run[i]->checks;
        failures += run[i]->failures;
    }
    bool ok = failures == 0 && checks > 0 && !timed_out && (sides == 1 || bye_sent);
    printf("%s %s (%s%d checks, %d failed, %.1f ms)\n", ok ? "PASS" : "FAIL", name, sides == 2 ? "two sides, " : "",
           checks, failures, ms);
    for (int i = 0; i < sides; i++) print_report(run[i]);
    if (timed_out) printf("  %s did not finish within %.0f ms\n", name, TIME_LIMIT_MS);
    if (checks == 0) printf("  %s made no checks\n", name);
    if (sides == 2 && !bye_sent) printf("  side 0 never sent \"bye\" (the browser test requires it)\n");
    for (int i = sides; i-- > 0;) scn_finish(run[i]);
    relay_reset();
    /* as the browser test: nothing left alive */
    int peers = emrtc_live_peer_count(), channels = emrtc_live_channel_count(), objects = emrtc_backend_live_object_count();
    if (peers || channels || objects) {
        printf("FAIL %s left %d peers, %d channels, %d loopback objects alive\n", name, peers, channels, objects);
        ok = false;
    }
    fflush(stdout);
    return ok;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* The names compiled in are exactly names[0..n) (in any order). */
static int check_list(char **names, int n) {
    qsort(names, (size_t)n, sizeof(*names), cmp_str);
    bool same = n == scn_count();
    for (int i = 0; same && i < n; i++) same = strcmp(names[i], scn_name(i)) == 0;
    if (!same) {
        printf("FAIL the compiled scenarios differ from the sources:\n  compiled:");
        for (int i = 0; i < scn_count(); i++) printf(" %s", scn_name(i));
        printf("\n  sources: ");
        for (int i = 0; i < n; i++) printf(" %s", names[i]);
        printf("\n");
        return 1;
    }
    printf("PASS %d scenarios compiled, as in the sources\n", n);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (int i = 0; i < scn_count(); i++) printf("%s\n", scn_name(i));
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--check-list") == 0) return check_list(argv + 2, argc - 2);
    int failed = 0, total = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++, total++) failed += !run_one(argv[i]);
    } else {
        for (int i = 0; i < scn_count(); i++, total++) failed += !run_one(scn_name(i));
    }
    printf("scenarios: %d passed, %d failed\n", total - failed, failed);
    return failed ? 1 : 0;
}
