/* A game loop that keeps its networking alive while the tab is hidden: the frame function polls
   while the page is visible (requestAnimationFrame), the emrtc_background timer while it is hidden. */
#include <emrtc.h>
#include <emrtc_background.h>
#include <emscripten.h>

static emrtc_peer pc;
static emrtc_channel ch;

static void network(void) {
    emrtc_peer_poll(pc); /* callbacks: answer offers, send candidates, ... */
    const uint8_t *data;
    size_t size;
    while (emrtc_channel_get_packet(ch, &data, &size) == EMRTC_OK) {
        /* apply the packet to the game state */
    }
}

static void frame(void) {
    network();
    /* simulate and draw */
}

static void hidden_tick(void *user_data) {
    (void)user_data;
    network(); /* no drawing: nobody sees it */
}

int main(void) {
    pc = emrtc_peer_create();
    emrtc_peer_create_data_channel(pc, "game", NULL, &ch);
    /* ... signaling as usual ... */
    emrtc_background_start(&(emrtc_background_desc){.tick = hidden_tick}); /* every 50 ms while hidden */
    emscripten_set_main_loop(frame, 0, 0);
    return 0;
}
