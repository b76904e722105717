/*
    emrtc_session.h -- join a lobby and play: a signaling client (emrtc_signal.h) and a multiplayer
    peer (emrtc_multiplayer.h) wired together as Godot's demo client does
    (godot-demo-projects, networking/webrtc_signaling/client/multiplayer_client.gd).

    Browser only (Emscripten), like emrtc_signal.h; built on the public API of emrtc.h,
    emrtc_signal.h and emrtc_multiplayer.h.

    TL;DR
    =====
        emrtc_session s = emrtc_session_create(&(emrtc_session_desc){
            .url = "ws://127.0.0.1:9080",
            .lobby = "",                                  // "" creates a lobby; or a lobby's name
            .callbacks = {.lobby_joined = on_lobby, .peer_connected = on_join, .peer_disconnected = on_leave},
        });
        emrtc_multiplayer mp = emrtc_session_get_multiplayer(s);
        // every frame:
        emrtc_session_poll(s);                            // signaling, connections, callbacks
        emrtc_multiplayer_put_packet(mp, ...);            // and get_packet: see emrtc_multiplayer.h

    WHAT IT DOES (the demo's rules)
    ===============================
    1. emrtc_session_create() connects to the signaling server and, once connected, joins
       desc->lobby (or creates a lobby: you become its host, id 1; a mesh lobby unless
       desc->server_client).
    2. When the server assigns your id, the multiplayer becomes a mesh (mesh lobby), a server (you
       are the host of a server/client lobby) or a client: `id_assigned`. Then `lobby_joined`
       gives the lobby's name, to pass to the other players.
    3. For every peer the server announces, the session creates a connection (initialized with
       desc->configuration), adds it to the multiplayer (Godot's channels, desc->channels_config
       extras, desc->unreliable_lifetime) and, when your own id is the higher one, creates the
       offer: so the host never offers. Descriptions and candidates travel through the server;
       what arrives goes to the connection of the peer it came from (ignored for unknown peers).
    4. `peer_connected` once a connection and all its channels are open; `peer_disconnected`
       when it goes (the peer left the lobby, its connection closed or failed). Clients also get
       `connection_succeeded`, `connection_failed` and `server_disconnected`, as in
       emrtc_multiplayer.h.
    5. The host may emrtc_session_seal(): `lobby_sealed`, and the server closes the lobby; the
       connections that are up stay up and the game plays on. If the signaling connection closes
       without a seal (server gone, host gone, refused), `lobby_closed` fires and, as the demo's
       stop(), every peer is removed (their peer_disconnected follow in the same poll).

    THE MULTIPLAYER
    ===============
    emrtc_session_get_multiplayer() is the session's emrtc_multiplayer: send and receive with it
    (target peer, transfer mode, put/get packet), read get_peer / get_peers, disconnect_peer,
    set_refuse_new_connections. Its callbacks are the session's (leave set_callbacks alone) and
    emrtc_session_poll() polls it: do not poll it yourself.

    A FAILING PEER
    ==============
    When a connection goes DISCONNECTED or FAILED (a network change, a TURN server that went away),
    the session keeps the peer and tries to bring it back with an ICE restart through signaling:
    the side that made the first offer (the higher id) calls emrtc_peer_restart_ice 2 s after the
    connection went down, and again every 4 s while it stays down; its new offer and the answer
    travel through the server like the first ones. Meanwhile the peer stays in the multiplayer (its
    channels stay open: what you send is held and delivered once the connection is back, the
    reliable channel losing nothing), and when it is CONNECTED again nothing is reported: no
    peer_disconnected, no new peer_connected. A peer still down after desc->recovery_ms (default
    30 s) is dropped: peer_disconnected. So is a peer whose connection goes down while there is no
    signaling connection (the lobby was sealed, or the server is gone), since no offer could travel.
    A failed restart's gathering (the TURN server still down) reaches `error` with the peer's id.
    recovery_ms < 0 drops a failing peer at once, as Godot does.

    EVENTS AND ERRORS
    =================
    Callbacks run only inside emrtc_session_poll(); a callback may call any function, including
    emrtc_session_destroy(). Functions return emrtc_error (emrtc.h's table). Problems that happen
    later reach `error`: the signaling client's errors (EMRTC_ERR_CANT_CONNECT, ...), a connection's
    asynchronous failures (with the peer id; not a data channel's EMRTC_ERR_CONNECTION_ERROR, which
    comes with a peer leaving and reaches you as peer_disconnected), a peer the multiplayer refused (e.g.
    EMRTC_ERR_UNAUTHORIZED while refusing new connections: that peer is not connected).

    Licence: MIT (see LICENSE).
*/
#ifndef EMRTC_SESSION_H_INCLUDED
#define EMRTC_SESSION_H_INCLUDED

#include "emrtc.h"
#include "emrtc_multiplayer.h"
#include "emrtc_signal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A session (signaling client + multiplayer peer). id 0 is invalid; ids carry a generation count. */
typedef struct emrtc_session { uint32_t id; } emrtc_session;

/* Every member may be NULL. They run only from inside emrtc_session_poll(); strings are valid
   during the call only; `user_data` is the struct's user_data. */
typedef struct emrtc_session_callbacks {
    /* The server gave you your id (1 = host) and the multiplayer has its role (mesh, server or client). */
    void (*id_assigned)(emrtc_session s, int id, bool mesh, void *user_data);
    /* You are in the lobby called `lobby`. */
    void (*lobby_joined)(emrtc_session s, const char *lobby, void *user_data);
    /* The multiplayer's callbacks (emrtc_multiplayer.h), forwarded. */
    void (*peer_connected)(emrtc_session s, int peer_id, void *user_data);
    void (*peer_disconnected)(emrtc_session s, int peer_id, void *user_data);
    void (*connection_succeeded)(emrtc_session s, void *user_data);
    void (*connection_failed)(emrtc_session s, void *user_data);
    void (*server_disconnected)(emrtc_session s, void *user_data);
    /* Beyond the multiplayer: the answer to emrtc_multiplayer_get_peer_stats(mp, peer_id) on the
       session's multiplayer (emrtc.h's emrtc_peer_stats of that peer's connection: selected pair's
       RTT, responses_received, bytes). `stats` is valid during the call only. A failed request
       reaches `error` with the peer id ("get_stats: ..."). */
    void (*peer_stats)(emrtc_session s, int peer_id, const emrtc_peer_stats *stats, void *user_data);
    /* The host sealed the lobby: nobody else can join; the game plays on. */
    void (*lobby_sealed)(emrtc_session s, void *user_data);
    /* The signaling connection closed (code and reason of the WebSocket close, as emrtc_signal.h's
       `closed`); sealed: after a seal (peers stay), or not (every peer is removed). */
    void (*lobby_closed)(emrtc_session s, int code, const char *reason, bool sealed, void *user_data);
    /* Something failed; peer_id is the peer it concerns, or 0. */
    void (*error)(emrtc_session s, int peer_id, emrtc_error err, const char *message, void *user_data);
    void *user_data;
} emrtc_session_callbacks;

/* What emrtc_session_create needs. Zero value (apart from url): create a mesh lobby, default
   configuration, no extra channels, Godot's unreliable lifetime (1 ms). */
typedef struct emrtc_session_desc {
    const char *url;                            /* required: the signaling server, ws:// or wss:// */
    const char *lobby;                          /* NULL or "" creates a lobby; else its name */
    bool server_client;                         /* creating: a server/client lobby instead of a mesh */
    const emrtc_configuration *configuration;   /* for every connection (ICE servers...); NULL =
                                                   defaults. Must stay valid while the session lives */
    const emrtc_transfer_mode *channels_config; /* extra channels (emrtc_multiplayer_create_*); copied */
    int channel_count;
    bool has_unreliable_lifetime;               /* false: Godot's default, 1 ms */
    int unreliable_lifetime;                    /* ms, for the ordered and unreliable channels */
    int recovery_ms;                            /* how long a failing peer is kept while ICE restarts
                                                   try to bring it back (A FAILING PEER); 0 = 30000;
                                                   < 0 = drop it at once, as Godot */
    emrtc_session_callbacks callbacks;          /* copied */
} emrtc_session_desc;

/* Starts connecting and joining. {0} when desc, its url or its options are refused (bad URL,
   extra channels or lifetime out of range: emrtc_last_error_message says which) or out of memory.
   An unreachable server is reported later through `error` and `lobby_closed`. */
emrtc_session emrtc_session_create(const emrtc_session_desc *desc);
/* Closes the signaling connection and every connection, frees everything; no callback follows.
   Any state, from any callback, idempotent; a stale or zero handle is ignored. */
void emrtc_session_destroy(emrtc_session s);
/* Polls the signaling client and the multiplayer (so every connection): runs the callbacks.
   Not reentrant: from one of its own callbacks it returns EMRTC_ERR_BUSY and does nothing. */
emrtc_error emrtc_session_poll(emrtc_session s);
/* The session's multiplayer peer (see THE MULTIPLAYER); {0} for a stale handle. */
emrtc_multiplayer emrtc_session_get_multiplayer(emrtc_session s);
/* The session's signaling client (read its state; the session drives it). */
emrtc_signal emrtc_session_get_signal(emrtc_session s);
/* Host only, after lobby_joined: seals the lobby (emrtc_signal_seal). */
emrtc_error emrtc_session_seal(emrtc_session s);
/* Your id (0 until id_assigned), the lobby's name ("" until lobby_joined), whether it was sealed. */
int emrtc_session_get_unique_id(emrtc_session s);
const char *emrtc_session_get_lobby(emrtc_session s);
bool emrtc_session_is_sealed(emrtc_session s);

/* Diagnostics: sessions alive. */
int emrtc_session_live_count(void);

#ifdef __cplusplus
}
#endif
#endif /* EMRTC_SESSION_H_INCLUDED */
