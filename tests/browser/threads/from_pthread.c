/* Threaded build only (-pthread, libemrtc-mt.a): a pthread_create'd thread calls emrtc on a peer
   and channel of the main thread. Every call is refused with EMRTC_ERR_LOCKED (or, where a
   function returns no error, does nothing), the thread reads why from its own
   emrtc_last_error_message(), nothing crashes, and the main thread's objects go on working. */
#include "../../scenarios/helpers.h"

#include <emrtc_signal.h>
#include <emscripten/threading.h>
#include <pthread.h>
#include <stdatomic.h>

typedef struct thread_ctx {
    scn_pair p;
    emrtc_channel ca, cb;
    pthread_t thread;
    atomic_int done;
    /* what the thread saw */
    int on_main;
    emrtc_peer created;
    emrtc_signal signal;
    emrtc_error offer, put, poll, channel_poll, callbacks, init, ext;
    emrtc_channel_state state;
    int live_peers;
    char msg_create[256], msg_put[256], msg_signal[256], msg_error_name[64];
} thread_ctx;

#define KEEP(dst) snprintf(dst, sizeof dst, "%s", emrtc_last_error_message())

static void *thread_main(void *arg) {
    thread_ctx *c = arg;
    c->on_main = emscripten_is_main_browser_thread();
    c->created = emrtc_peer_create();
    KEEP(c->msg_create);
    c->offer = emrtc_peer_create_offer(c->p.a.pc);
    c->put = emrtc_channel_put_packet(c->ca, "from a thread", 13);
    KEEP(c->msg_put);
    c->poll = emrtc_peer_poll(c->p.b.pc);
    c->channel_poll = emrtc_channel_poll(c->cb);
    c->callbacks = emrtc_channel_set_callbacks(c->cb, NULL);
    c->init = emrtc_peer_initialize(c->p.a.pc, NULL);
    c->ext = emrtc_set_default_extension(NULL);
    c->state = emrtc_channel_get_ready_state(c->ca);
    c->live_peers = emrtc_live_peer_count();
    emrtc_channel_close(c->ca); /* refused: the channel stays open */
    emrtc_peer_destroy(c->p.b.pc); /* refused: the peer stays alive */
    c->signal = emrtc_signal_create(&(emrtc_signal_desc){.url = "ws://127.0.0.1:9/"});
    KEEP(c->msg_signal);
    snprintf(c->msg_error_name, sizeof c->msg_error_name, "%s", emrtc_error_name(EMRTC_ERR_LOCKED));
    atomic_store(&c->done, 1);
    return NULL;
}

SCENARIO(threads_from_pthread, thread_ctx) {
    SCN_BEGIN();
    CHECK(emscripten_is_main_browser_thread());
    scn_pair_create(s, &c->p, NULL);
    CHECK_OK(emrtc_peer_create_data_channel(c->p.a.pc, "threads", NULL, &c->ca));
    CHECK_OK(emrtc_peer_create_offer(c->p.a.pc));
    SCN_WAIT_UNTIL(scn_channels_open(&c->p, c->ca, &c->cb), 10000);
    REQUIRE(pthread_create(&c->thread, NULL, thread_main, c) == 0);
    pthread_detach(c->thread);
    SCN_WAIT_UNTIL(atomic_load(&c->done), 10000);

    CHECK(!c->on_main);
    CHECK_INT(c->created.id, 0);
    CHECK_HAS(c->msg_create, "emrtc_peer_create: called from a thread other than the main browser thread");
    CHECK_INT(c->offer, EMRTC_ERR_LOCKED);
    CHECK_INT(c->put, EMRTC_ERR_LOCKED);
    CHECK_HAS(c->msg_put, "emrtc_channel_put_packet: called from a thread other than the main browser thread");
    CHECK_INT(c->poll, EMRTC_ERR_LOCKED);
    CHECK_INT(c->channel_poll, EMRTC_ERR_LOCKED);
    CHECK_INT(c->callbacks, EMRTC_ERR_LOCKED);
    CHECK_INT(c->init, EMRTC_ERR_LOCKED);
    CHECK_INT(c->ext, EMRTC_ERR_LOCKED);
    CHECK_INT(c->state, EMRTC_CHANNEL_STATE_CLOSED); /* the neutral value, as for a stale handle */
    CHECK_INT(c->live_peers, 0);
    CHECK_INT(c->signal.id, 0);
    CHECK_HAS(c->msg_signal, "emrtc_signal_create: called from a thread other than the main browser thread");
    CHECK_STR(c->msg_error_name, "EMRTC_ERR_LOCKED");
    /* the thread's failures did not touch the main thread's message */
    CHECK(strstr(emrtc_last_error_message(), "main browser thread") == NULL);

    /* nothing the thread asked happened: both peers alive, the channel open, data flows */
    CHECK_INT(emrtc_live_peer_count(), 2);
    CHECK_INT(emrtc_peer_get_connection_state(c->p.b.pc), EMRTC_STATE_CONNECTED);
    CHECK_INT(emrtc_channel_get_ready_state(c->ca), EMRTC_CHANNEL_STATE_OPEN);
    CHECK_OK(emrtc_channel_put_packet(c->ca, "from main", 9));
    SCN_WAIT_UNTIL(emrtc_channel_get_available_packet_count(c->cb) == 1, 10000);
    CHECK_PACKET(c->cb, "from main", 9, false);
    SCN_SLEEP(100);
    CHECK_INT(emrtc_channel_get_available_packet_count(c->cb), 0); /* the thread's packet never went */
    CHECK_INT(c->p.a.errors + c->p.b.errors, 0);
    scn_pair_destroy(&c->p);
    SCN_END();
}
