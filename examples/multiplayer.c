/* A multiplayer game loop in one page: join a lobby by name, broadcast your position unreliably
   every frame, chat reliably. index.html?signal=ws://HOST:PORT creates a lobby and prints its name;
   index.html?signal=ws://HOST:PORT&lobby=NAME joins it (in as many tabs as you like). */
#include <emrtc_session.h>
#include <emscripten.h>
#include <stdio.h>
#include <string.h>

EM_JS(void, url_param, (const char *name, char *out, int cap), {
    stringToUTF8(new URLSearchParams(location.search).get(UTF8ToString(name)) || "", out, cap);
});

static emrtc_session game;
static float x, y; /* where this player is */

static void on_lobby(emrtc_session s, const char *lobby, void *ud) {
    printf("lobby %s, I am player %d\n", lobby, emrtc_session_get_unique_id(s));
}
static void on_join(emrtc_session s, int id, void *ud) { /* connected, all channels open */
    char hello[64];
    int n = snprintf(hello, sizeof hello, "hello from %d", emrtc_session_get_unique_id(s));
    emrtc_multiplayer mp = emrtc_session_get_multiplayer(s);
    emrtc_multiplayer_set_target_peer(mp, id); /* chat: reliable, to the new player only */
    emrtc_multiplayer_set_transfer_mode(mp, EMRTC_TRANSFER_MODE_RELIABLE);
    emrtc_multiplayer_put_packet(mp, hello, (size_t)n);
}
static void on_leave(emrtc_session s, int id, void *ud) { printf("player %d left\n", id); }

static void frame(void) {
    emrtc_session_poll(game); /* signaling, connections and callbacks */
    emrtc_multiplayer mp = emrtc_session_get_multiplayer(game);
    x += 1, y = x / 2; /* the game moves */
    float pos[2] = {x, y};
    emrtc_multiplayer_set_target_peer(mp, EMRTC_TARGET_PEER_BROADCAST); /* to everyone, unreliably */
    emrtc_multiplayer_set_transfer_mode(mp, EMRTC_TRANSFER_MODE_UNRELIABLE);
    emrtc_multiplayer_put_packet(mp, pos, sizeof pos);
    while (emrtc_multiplayer_get_available_packet_count(mp) > 0) {
        int from = emrtc_multiplayer_get_packet_peer(mp); /* ask first, then get */
        emrtc_transfer_mode mode = emrtc_multiplayer_get_packet_mode(mp);
        const uint8_t *data;
        size_t size;
        emrtc_multiplayer_get_packet(mp, &data, &size);
        if (mode == EMRTC_TRANSFER_MODE_RELIABLE) {
            printf("chat from %d: %.*s\n", from, (int)size, (const char *)data);
        } else if (size == sizeof pos) {
            memcpy(pos, data, sizeof pos); /* draw player `from` there */
            if ((int)pos[0] % 100 == 0) printf("player %d is at %.0f,%.0f\n", from, pos[0], pos[1]);
        }
    }
}

int main(void) {
    char url[256], lobby[64];
    url_param("signal", url, sizeof url);
    url_param("lobby", lobby, sizeof lobby); /* "" creates a lobby */
    game = emrtc_session_create(&(emrtc_session_desc){
        .url = url,
        .lobby = lobby,
        .callbacks = {.lobby_joined = on_lobby, .peer_connected = on_join, .peer_disconnected = on_leave},
    });
    emscripten_set_main_loop(frame, 0, 0);
}
