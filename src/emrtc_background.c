/* emrtc_background: a tick function called from a Worker timer (see include/emrtc_background.h).
   Above the core: it uses nothing of it but the error reporting. The JS side keeps one Worker per
   timer on Module.emrtcBackground, keyed by the C id; the Worker only posts a message every
   interval and the page's handler calls back into C with the id.
   (EM_JS bodies are stringified by the preprocessor: block comments only, no apostrophes.) */
#include "emrtc_background.h"

#include "emrtc_internal.h"

#include <string.h>

typedef struct bg_slot {
    uint32_t id; /* 0 = free */
    emrtc_background_desc desc;
    uint32_t ticks;
    bool worker;
} bg_slot;

static bg_slot slots[EMRTC_BACKGROUND_MAX];

static bg_slot *slot_of(uint32_t id) {
    if (!id) return NULL;
    for (int i = 0; i < EMRTC_BACKGROUND_MAX; i++)
        if (slots[i].id == id) return &slots[i];
    return NULL;
}

#ifdef __EMSCRIPTEN__
#include <emscripten.h>

static uint32_t next_id = 1;

/* Starts timer `id`; returns 1 when its ticks come from a Worker, 0 from setInterval. */
EM_JS(int, emrtc_bg_js_start, (uint32_t id, uint32_t interval, int while_visible), {
    var B = Module.emrtcBackground;
    if (!B) {
        B = Module.emrtcBackground = {timers: new Map(), src: null};
        document.addEventListener("visibilitychange", function() { B.timers.forEach(function(t) { t.update(); }); });
    }
    var t = {worker: null, interval: 0, running: false};
    var tick = function() { if (B.timers.get(id) === t) _emrtc__bg_tick(id); };
    try {
        if (!B.src) B.src = URL.createObjectURL(new Blob(["var t = 0; onmessage = function(e) { clearInterval(t); " +
            "t = e.data > 0 ? setInterval(function() { postMessage(0); }, e.data) : 0; };"], {type: "text/javascript"}));
        t.worker = new Worker(B.src);
        t.worker.onmessage = tick;
    } catch (e) {
        t.worker = null; /* no Worker allowed here: the page timer, throttled while hidden */
    }
    t.update = function() {
        var run = !!while_visible || document.visibilityState === "hidden";
        if (run === t.running) return;
        t.running = run;
        if (t.worker) t.worker.postMessage(run ? interval : 0);
        else if (run) t.interval = setInterval(tick, interval);
        else clearInterval(t.interval);
    };
    t.stop = function() {
        if (t.worker) { t.worker.onmessage = null; t.worker.terminate(); t.worker = null; }
        clearInterval(t.interval);
    };
    B.timers.set(id, t);
    t.update();
    return t.worker ? 1 : 0;
});

EM_JS(void, emrtc_bg_js_stop, (uint32_t id), {
    var B = Module.emrtcBackground, t = B && B.timers.get(id);
    if (!t) return;
    B.timers.delete(id);
    t.stop();
});

EMSCRIPTEN_KEEPALIVE void emrtc__bg_tick(uint32_t id) {
    bg_slot *s = slot_of(id);
    if (!s) return;
    s->ticks++;
    s->desc.tick(s->desc.user_data);
}
#endif

emrtc_background emrtc_background_start(const emrtc_background_desc *desc) {
    emrtc_background none = {0};
    if (_emrtc_off_main_thread(__func__)) return none;
    if (!desc || !desc->tick) {
        _emrtc_fail(EMRTC_ERR_INVALID_PARAMETER, "emrtc_background_start: %s is NULL", desc ? "desc->tick" : "desc");
        return none;
    }
    uint32_t interval = desc->interval_ms ? desc->interval_ms : EMRTC_BACKGROUND_DEFAULT_INTERVAL_MS;
    if (interval > EMRTC_BACKGROUND_MAX_INTERVAL_MS) {
        _emrtc_fail(EMRTC_ERR_PARAMETER_RANGE_ERROR, "emrtc_background_start: interval_ms %u, at most %u allowed",
                    (unsigned)interval, EMRTC_BACKGROUND_MAX_INTERVAL_MS);
        return none;
    }
#ifndef __EMSCRIPTEN__
    _emrtc_fail(EMRTC_ERR_UNAVAILABLE, "emrtc_background_start: no browser (native build): call your poll yourself");
    return none;
#else
    bg_slot *s = NULL;
    for (int i = 0; i < EMRTC_BACKGROUND_MAX && !s; i++)
        if (!slots[i].id) s = &slots[i];
    if (!s) {
        _emrtc_fail(EMRTC_ERR_OUT_OF_MEMORY, "emrtc_background_start: %d timers are running already",
                    EMRTC_BACKGROUND_MAX);
        return none;
    }
    memset(s, 0, sizeof *s);
    s->id = next_id++;
    if (!next_id) next_id = 1; /* after 4 billion starts */
    s->desc = *desc;
    s->desc.interval_ms = interval;
    s->worker = emrtc_bg_js_start(s->id, interval, desc->while_visible) != 0;
    return (emrtc_background){s->id};
#endif
}

void emrtc_background_stop(emrtc_background bg) {
    if (_emrtc_off_main_thread(__func__)) return;
    bg_slot *s = slot_of(bg.id);
    if (!s) return;
#ifdef __EMSCRIPTEN__
    emrtc_bg_js_stop(s->id);
#endif
    memset(s, 0, sizeof *s);
}

bool emrtc_background_uses_worker(emrtc_background bg) {
    if (_emrtc_off_main_thread(__func__)) return false;
    bg_slot *s = slot_of(bg.id);
    return s && s->worker;
}

uint32_t emrtc_background_get_tick_count(emrtc_background bg) {
    if (_emrtc_off_main_thread(__func__)) return 0;
    bg_slot *s = slot_of(bg.id);
    return s ? s->ticks : 0;
}
