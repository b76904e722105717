// emrtc.h compiled as C++ (sokol's rule: every header also builds as C++), with -Wall -Wextra -Werror
// at C++11: extern "C" linkage, enums, one-field handle structs, the callbacks struct and the
// extension X-macro all usable from C++; emrtc_multiplayer.h likewise, and emrtc_signal.h and
// emrtc_session.h compile as C++ too (their functions exist in browser builds only).
#include <emrtc.h>
#include <emrtc_background.h>
#include <emrtc_multiplayer.h>
#include <emrtc_session.h>

#include <cstdio>
#include <cstddef>
#include <cstring>

static int passed, failures;
static void check(bool ok, const char *what) {
    passed += ok;
    if (!ok) {
        std::printf("FAIL %s\n", what);
        failures++;
    }
}

static void on_state(emrtc_peer, emrtc_signaling_state, void *user_data) { ++*static_cast<int *>(user_data); }

int main() {
    emrtc_peer pc = emrtc_peer_create();
    check(pc.id != 0, "emrtc_peer_create");
    int changes = 0;
    emrtc_peer_callbacks cb = emrtc_peer_callbacks();
    cb.signaling_state_changed = on_state;
    cb.user_data = &changes;
    check(emrtc_peer_set_callbacks(pc, &cb) == EMRTC_OK, "set_callbacks");
    emrtc_channel_options options = emrtc_channel_options();
    options.unordered = true;
    emrtc_channel ch = emrtc_channel();
    check(emrtc_peer_create_data_channel(pc, "c++", &options, &ch) == EMRTC_OK, "create_data_channel");
    check(!emrtc_channel_is_ordered(ch), "unordered");
    check(std::strcmp(emrtc_error_name(EMRTC_ERR_BUSY), "EMRTC_ERR_BUSY") == 0, "error names");
    check(emrtc_channel_get_ready_state(ch) == EMRTC_CHANNEL_STATE_CONNECTING, "ready state");
#define COUNT(member) +1
    check(0 EMRTC_EXTENSION_MEMBERS(COUNT) ==
              (sizeof(emrtc_extension) - offsetof(emrtc_extension, peer_create)) / sizeof(void (*)(void)),
          "EMRTC_EXTENSION_MEMBERS names every function member");
#undef COUNT
    check(emrtc_peer_poll(pc) == EMRTC_OK, "poll");
    emrtc_peer_destroy(pc);
    emrtc_multiplayer_desc desc = emrtc_multiplayer_desc();
    emrtc_multiplayer mp = emrtc_multiplayer_create(&desc);
    const emrtc_transfer_mode extra[] = {EMRTC_TRANSFER_MODE_UNRELIABLE};
    check(emrtc_multiplayer_create_mesh(mp, 2, extra, 1) == EMRTC_OK, "multiplayer create_mesh");
    check(emrtc_multiplayer_add_peer(mp, emrtc_peer_create(), 3, 1) == EMRTC_OK, "multiplayer add_peer");
    emrtc_multiplayer_peer_info info = emrtc_multiplayer_peer_info();
    check(emrtc_multiplayer_get_peer(mp, 3, &info) == EMRTC_OK && info.channel_count == 4, "multiplayer get_peer");
    emrtc_multiplayer_destroy(mp);
    emrtc_session_desc session_desc = emrtc_session_desc();
    session_desc.callbacks.peer_connected = nullptr;
    check(session_desc.url == nullptr && !session_desc.server_client, "emrtc_session_desc zero-initialises");
    check(emrtc_live_peer_count() == 0 && emrtc_backend_live_object_count() == 0, "nothing left");
    std::printf("cxx: %d passed, %d failed\n", passed, failures);
    return failures ? 1 : 0;
}
