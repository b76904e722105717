/*
    emrtc_background.h -- keeping a game's networking alive while its tab is hidden.

    When a tab is hidden (another tab in front, a minimised window), the browser stops
    requestAnimationFrame, so a game loop driven by emscripten_set_main_loop() stops calling
    poll(); main-thread timers are throttled to about once a second (and less later). WebRTC keeps
    running meanwhile: packets keep arriving and queue up unread, offers go unanswered, and nothing
    says why. An emrtc_background calls a function of yours from a timer that runs in a dedicated
    Worker, which the browser does not throttle like the page's own timers: poll your peers (and
    signaling client, multiplayer peer) from it and the game stays connected while hidden.

    TL;DR
    =====
        static void keep_alive(void *user_data) { emrtc_peer_poll(pc); read_packets(); }
        ...
        emscripten_set_main_loop(frame, 0, 0);          // frames: only while visible
        emrtc_background bg = emrtc_background_start(&(emrtc_background_desc){
            .tick = keep_alive,                         // every 50 ms while the page is hidden
        });
        ...
        emrtc_background_stop(bg);

    By default `tick` runs only while document.visibilityState is "hidden", so a game whose frame
    function polls does not poll twice as often while visible; `.while_visible = true` makes it run
    always (a game without a frame loop). `tick` runs on the main browser thread, from the
    Worker's message, never from inside an emrtc call; it may call any emrtc function, and stop
    its own emrtc_background. Where the page may not start a Worker (a Content-Security-Policy
    without worker-src blob:), the timer falls back to the page's own setInterval, which the
    browser throttles in hidden tabs (about once a second): still alive, only slower;
    emrtc_background_uses_worker() tells which. What a hidden game receives but does not read still
    counts against its channels' receive limits.

    Natively (no browser) emrtc_background_start() returns {0} with EMRTC_ERR_UNAVAILABLE. Main
    thread only, like the rest of emrtc (see emrtc.h, THREADS).

    Licence: MIT (see LICENSE).
*/
#ifndef EMRTC_BACKGROUND_H_INCLUDED
#define EMRTC_BACKGROUND_H_INCLUDED

#include "emrtc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A running background timer. id 0 is invalid; ids are never reused. */
typedef struct emrtc_background { uint32_t id; } emrtc_background;

/* Zero value: tick every 50 ms while the page is hidden. */
typedef struct emrtc_background_desc {
    void (*tick)(void *user_data); /* required: what to do (poll) on each tick */
    void *user_data;               /* passed to tick */
    uint32_t interval_ms;          /* 0 = 50; 1..60000 */
    bool while_visible;            /* false (default): tick only while the page is hidden; true: always */
} emrtc_background_desc;

#define EMRTC_BACKGROUND_DEFAULT_INTERVAL_MS 50u
#define EMRTC_BACKGROUND_MAX_INTERVAL_MS 60000u
#define EMRTC_BACKGROUND_MAX 64 /* running at once */

/* Starts the timer. {0} on error (emrtc_last_error_message says which): desc or tick NULL,
   interval out of range (EMRTC_ERR_INVALID_PARAMETER / EMRTC_ERR_PARAMETER_RANGE_ERROR), more
   than EMRTC_BACKGROUND_MAX running (EMRTC_ERR_OUT_OF_MEMORY), no browser (EMRTC_ERR_UNAVAILABLE). */
emrtc_background emrtc_background_start(const emrtc_background_desc *desc);
/* Stops it: tick is not called again. Idempotent; a stale or zero handle is ignored. */
void emrtc_background_stop(emrtc_background bg);
/* True when bg's ticks come from a Worker (not throttled in hidden tabs), false when they fall
   back to the page's setInterval, or for a stale handle. */
bool emrtc_background_uses_worker(emrtc_background bg);
/* Ticks so far (for diagnostics and tests); 0 for a stale handle. */
uint32_t emrtc_background_get_tick_count(emrtc_background bg);

#ifdef __cplusplus
}
#endif
#endif /* EMRTC_BACKGROUND_H_INCLUDED */
