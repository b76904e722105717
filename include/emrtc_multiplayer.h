/*
    emrtc_multiplayer.h -- Godot's WebRTCMultiplayerPeer in C: one packet API over a connection per
    remote player.

    A multiplayer peer owns one emrtc_peer per remote player, keyed by the player's peer id, creates
    the same negotiated data channels on each (Godot's layout, so an emrtc game and a Godot game
    share them), and gives the game one put/get packet API with a target peer and a transfer mode.
    It is built on the public API of emrtc.h only, and runs on every backend: in the browser, and
    natively on the loopback (unit tests of a game's netcode). It carries no signaling: something
    else (emrtc_session.h, or your own code with emrtc_signal.h) creates the connections, adds them
    and runs their offer/answer/candidate exchange.

    TL;DR
    =====
        emrtc_multiplayer mp = emrtc_multiplayer_create(&(emrtc_multiplayer_desc){
            .callbacks = {.peer_connected = on_join, .peer_disconnected = on_leave},
        });
        emrtc_multiplayer_create_mesh(mp, my_id, NULL, 0);     // or create_server / create_client
        // for each remote player, a connection in STATE_NEW:
        emrtc_peer pc = emrtc_peer_create();
        emrtc_multiplayer_add_peer(mp, pc, their_id, 1);        // now mp owns pc; signal it as usual
        // every frame:
        emrtc_multiplayer_poll(mp);                             // polls every connection, runs callbacks
        emrtc_multiplayer_set_transfer_mode(mp, EMRTC_TRANSFER_MODE_UNRELIABLE);
        emrtc_multiplayer_set_target_peer(mp, EMRTC_TARGET_PEER_BROADCAST);
        emrtc_multiplayer_put_packet(mp, &pos, sizeof pos);     // raw bytes, no header added
        while (emrtc_multiplayer_get_available_packet_count(mp) > 0) {
            int from = emrtc_multiplayer_get_packet_peer(mp);   // Godot's order: ask, then get
            const uint8_t *data; size_t size;
            emrtc_multiplayer_get_packet(mp, &data, &size);
        }

    STEP BY STEP
    ============
    1. emrtc_multiplayer_create() makes an unconfigured multiplayer peer (Godot's new()); give it
       its role with one of
         emrtc_multiplayer_create_server(mp, ...)      own id 1; adds clients (ids 2..)
         emrtc_multiplayer_create_client(mp, id, ...)  own id >= 2; adds the server (id 1) only
         emrtc_multiplayer_create_mesh(mp, id, ...)    any own id; adds anyone
       each with an optional list of extra channels by transfer mode (Godot's channels_config).
    2. For each remote player: emrtc_peer_create() a connection (emrtc_peer_initialize it with ICE
       servers if needed) and emrtc_multiplayer_add_peer(mp, pc, peer_id, unreliable_lifetime) while
       it is in STATE_NEW: this creates the channels below on it, and the multiplayer owns it from
       then on. Then run the usual offer/answer/candidate exchange on pc (its callbacks are yours:
       the multiplayer sets none). Godot's demo rule: the side with the higher own id offers.
    3. Call emrtc_multiplayer_poll() every frame. Once pc is CONNECTED and every channel of it is
       open, `peer_connected(peer_id)` fires (for a client also `connection_succeeded`). When the
       connection closes or fails, or a channel closes, the peer is removed: `peer_disconnected`
       (for a client whose server went away, `server_disconnected`; before it ever connected,
       `connection_failed`).
    4. Send with emrtc_multiplayer_put_packet() to the target peer (set_target_peer) in the transfer
       mode (set_transfer_mode) or on an extra channel (set_transfer_channel); read with
       emrtc_multiplayer_get_packet() after asking get_packet_peer / _channel / _mode about it.

    CHANNELS (Godot's layout)
    =========================
    add_peer creates negotiated channels (created alike on both sides, never announced in-band),
    binary write mode, in this order:
        id 1 "reliable"    ordered                                         EMRTC_TRANSFER_MODE_RELIABLE
        id 2 "ordered"     ordered,   maxPacketLifeTime = unreliable_lifetime  _UNRELIABLE_ORDERED
        id 3 "unreliable"  unordered, maxPacketLifeTime = unreliable_lifetime  _UNRELIABLE
        id 4, 5, ...       the extra channels, labelled "4", "5", ...: ordered; unreliable modes
                           with maxPacketLifeTime 1 (as Godot: not unreliable_lifetime)
    Transfer channel 0 sends on the reserved channel of the transfer mode; transfer channel N >= 1
    sends on extra channel N (id 3 + N), whatever the transfer mode. get_packet_channel() says 0 or
    N the same way. Packets go out exactly as given: no header is added, so a Godot
    WebRTCMultiplayerPeer (or any program with the same channels) reads them as sent.

    PEER IDS (Godot's rules)
    ========================
    Ids are 1..EMRTC_MULTIPLAYER_MAX_PEER_ID; 1 is the server (EMRTC_TARGET_PEER_SERVER). add_peer
    refuses, each with its own error (emrtc_last_error_message() says more):
        EMRTC_ERR_UNCONFIGURED           no create_server / _client / _mesh yet (or closed since)
        EMRTC_ERR_INVALID_PARAMETER      a client adding any id but 1; a stale connection handle
        EMRTC_ERR_ALREADY_IN_USE         the multiplayer's own id (a server adding 1); a
                                         connection that is already one of its peers
        EMRTC_ERR_PARAMETER_RANGE_ERROR  an id outside 1..2147483647; a lifetime outside 0..65535
        EMRTC_ERR_UNAVAILABLE            a connection not in STATE_NEW
        EMRTC_ERR_ALREADY_EXISTS         an id that is already a peer of this multiplayer
        EMRTC_ERR_UNAUTHORIZED           refusing new connections (set_refuse_new_connections)
    Beyond Godot, which replaces the peer silently: a duplicate id and the connection of another
    peer are refused; a refused connection stays the caller's, untouched.

    TARGETS
    =======
    Target peer 0 (EMRTC_TARGET_PEER_BROADCAST) sends to every connected peer, a positive id to
    that peer only, a negative id -N to every connected peer but N. A client's only peer is the
    server. Peers that are added but not connected yet (no peer_connected) are not sent to.

    EVENTS AND poll()
    =================
    Callbacks run only inside emrtc_multiplayer_poll(), which polls every connection it owns (so
    their own callbacks, such as session_description_created, run from it too) and then checks
    their states, as Godot's poll() does. peer_disconnected and the client callbacks caused by
    remove_peer() or close() outside poll() fire from the next poll. A callback may call any
    function, including emrtc_multiplayer_destroy() of the multiplayer it is called for. poll()
    is not reentrant: called from its own callbacks it returns EMRTC_ERR_BUSY and does nothing.

    RECEIVING AND FAIRNESS
    ======================
    get_packet takes packets peer by peer in turn (after a packet from peer A the next one comes
    from the next peer that has one, as Godot's _find_next_peer), so one peer's flood does not
    starve the others; within a peer, lower channel ids come first. The bytes stay valid until the
    next get_packet, poll, remove_peer, disconnect_peer, close or destroy on the multiplayer.
    Packets that arrived from a peer before its peer_connected wait until then; the unread packets
    of a peer that is removed are dropped with it (as in Godot).

    OWNERSHIP
    =========
    A connection given to add_peer belongs to the multiplayer: it is destroyed (with its channels)
    when its peer is removed (remove_peer, disconnect_peer, a failure seen by poll, close, destroy).
    Its handle may still be read and used for signaling meanwhile; after removal it is stale.

    Licence: MIT (see LICENSE).
*/
#ifndef EMRTC_MULTIPLAYER_H_INCLUDED
#define EMRTC_MULTIPLAYER_H_INCLUDED

#include "emrtc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A multiplayer peer (Godot's WebRTCMultiplayerPeer). id 0 is invalid; ids carry a generation count. */
typedef struct emrtc_multiplayer { uint32_t id; } emrtc_multiplayer;

/* MultiplayerPeer.TransferMode, with Godot's values. The default transfer mode is RELIABLE. */
typedef enum emrtc_transfer_mode {
    EMRTC_TRANSFER_MODE_UNRELIABLE = 0,         /* unordered, not retransmitted past the lifetime */
    EMRTC_TRANSFER_MODE_UNRELIABLE_ORDERED = 1, /* ordered, not retransmitted past the lifetime */
    EMRTC_TRANSFER_MODE_RELIABLE = 2,           /* ordered and reliable */
} emrtc_transfer_mode;

/* MultiplayerPeer.ConnectionStatus, with Godot's values. */
typedef enum emrtc_multiplayer_connection_status {
    EMRTC_CONNECTION_DISCONNECTED = 0, /* not created (or closed); a client whose server is gone */
    EMRTC_CONNECTION_CONNECTING = 1,   /* a client whose server is not connected yet */
    EMRTC_CONNECTION_CONNECTED = 2,    /* a server or mesh once created; a client once its server is */
} emrtc_multiplayer_connection_status;

/* MultiplayerPeer's target constants. */
#define EMRTC_TARGET_PEER_BROADCAST 0
#define EMRTC_TARGET_PEER_SERVER 1
/* Limits. */
#define EMRTC_MULTIPLAYER_MAX_PEER_ID 2147483647
#define EMRTC_MULTIPLAYER_MAX_EXTRA_CHANNELS 32 /* extra channels per multiplayer (ids 4..35) */
#define EMRTC_MULTIPLAYER_MAX_CHANNELS (3 + EMRTC_MULTIPLAYER_MAX_EXTRA_CHANNELS)
#define EMRTC_MULTIPLAYER_MAX_LIFETIME 65535    /* unreliable_lifetime, ms (maxPacketLifeTime is 16 bits) */

/* Godot's signals (and one hook beyond them). Every member may be NULL. They run only from inside
   emrtc_multiplayer_poll(); `user_data` is the struct's user_data. */
typedef struct emrtc_multiplayer_callbacks {
    /* The connection of peer_id is CONNECTED and all its channels are open: send to it now. */
    void (*peer_connected)(emrtc_multiplayer mp, int peer_id, void *user_data);
    /* A peer that had connected was removed (its connection closed or failed, a channel closed,
       remove_peer, a graceful disconnect_peer). Not for disconnect_peer(force) (as Godot). */
    void (*peer_disconnected)(emrtc_multiplayer mp, int peer_id, void *user_data);
    /* Client only: the server connected (right after peer_connected(1)). */
    void (*connection_succeeded)(emrtc_multiplayer mp, void *user_data);
    /* Client only: the server was removed before it ever connected. */
    void (*connection_failed)(emrtc_multiplayer mp, void *user_data);
    /* Client only: the server was removed after it had connected (after peer_disconnected(1)). */
    void (*server_disconnected)(emrtc_multiplayer mp, void *user_data);
    /* Beyond Godot: peer_id's connection entered DISCONNECTED or FAILED (once per entry). Return
       true to keep the peer while you try to bring it back (emrtc_peer_restart_ice on
       emrtc_multiplayer_get_peer()'s connection), false to remove it now,
       as Godot does. NULL = false. A kept peer stays connected for put/get; remove it yourself
       (remove_peer) if it does not recover; it is asked again each time it fails again. */
    bool (*peer_connection_lost)(emrtc_multiplayer mp, int peer_id, emrtc_connection_state state, void *user_data);
    void *user_data;
} emrtc_multiplayer_callbacks;

/* What emrtc_multiplayer_create needs. Zero value: no callbacks. */
typedef struct emrtc_multiplayer_desc {
    emrtc_multiplayer_callbacks callbacks; /* copied; change them with emrtc_multiplayer_set_callbacks */
} emrtc_multiplayer_desc;

/* Everything about one peer (Godot's get_peer() dictionary). Handles are owned by the multiplayer. */
typedef struct emrtc_multiplayer_peer_info {
    emrtc_peer connection;                            /* "connection" */
    bool connected;                                   /* "connected": peer_connected has fired */
    int channel_count;                                /* 3 + the extra channels */
    emrtc_channel channels[EMRTC_MULTIPLAYER_MAX_CHANNELS]; /* "channels": ids 1, 2, 3, then extras */
} emrtc_multiplayer_peer_info;

/* Godot's new(): an unconfigured multiplayer peer (status DISCONNECTED). desc NULL = no callbacks.
   {0} when out of memory or handle slots. */
emrtc_multiplayer emrtc_multiplayer_create(const emrtc_multiplayer_desc *desc);
/* close(), then frees it. Any state, from any callback (also its own), idempotent; a stale or zero
   handle is ignored. No callback follows. */
void emrtc_multiplayer_destroy(emrtc_multiplayer mp);
/* Sets the callbacks (copied). NULL clears them. */
emrtc_error emrtc_multiplayer_set_callbacks(emrtc_multiplayer mp, const emrtc_multiplayer_callbacks *callbacks);

/* Godot's create_server / create_client / create_mesh: the role, own id and extra channels
   (channels_config: `count` transfer modes, NULL when count is 0; at most
   EMRTC_MULTIPLAYER_MAX_EXTRA_CHANNELS). Server own id is 1, a client's 2..MAX_PEER_ID
   (EMRTC_ERR_INVALID_PARAMETER for 1), a mesh's 1..MAX_PEER_ID; out of range:
   EMRTC_ERR_PARAMETER_RANGE_ERROR; an unknown mode: EMRTC_ERR_INVALID_PARAMETER. Already created:
   EMRTC_ERR_UNAVAILABLE (close() first). A server or mesh is CONNECTED at once, a client CONNECTING. */
emrtc_error emrtc_multiplayer_create_server(emrtc_multiplayer mp, const emrtc_transfer_mode *channels_config, int count);
emrtc_error emrtc_multiplayer_create_client(emrtc_multiplayer mp, int peer_id, const emrtc_transfer_mode *channels_config,
                                            int count);
emrtc_error emrtc_multiplayer_create_mesh(emrtc_multiplayer mp, int peer_id, const emrtc_transfer_mode *channels_config,
                                          int count);
/* Godot's close(): removes every peer (their connections destroyed, no callbacks), forgets role,
   own id, target and packet state: back to unconfigured, status DISCONNECTED. */
void emrtc_multiplayer_close(emrtc_multiplayer mp);

/* Godot's add_peer(peer, peer_id, unreliable_lifetime): creates the channels (see CHANNELS) on
   `connection`, which must be in STATE_NEW, and takes it over. unreliable_lifetime is in ms
   (Godot's default is 1). Refusals: see PEER IDS; a refused connection is left as it was. */
emrtc_error emrtc_multiplayer_add_peer(emrtc_multiplayer mp, emrtc_peer connection, int peer_id, int unreliable_lifetime);
/* Godot's remove_peer: removes the peer and destroys its connection; peer_disconnected (and for a
   client's server connection_failed / server_disconnected) follow from the next poll if it had
   connected. EMRTC_ERR_INVALID_PARAMETER when peer_id is not a peer. */
emrtc_error emrtc_multiplayer_remove_peer(emrtc_multiplayer mp, int peer_id);
/* Godot's has_peer. */
bool emrtc_multiplayer_has_peer(emrtc_multiplayer mp, int peer_id);
/* Godot's get_peer: fills *info. EMRTC_ERR_INVALID_PARAMETER when peer_id is not a peer. */
emrtc_error emrtc_multiplayer_get_peer(emrtc_multiplayer mp, int peer_id, emrtc_multiplayer_peer_info *info);
/* Beyond Godot: asks for the stats of peer_id's connection (emrtc_peer_get_stats on it: the
   selected pair's RTT, the transport's bytes). The answer reaches that connection's `stats`
   callback from a later poll: the connection's callbacks are whoever signals it (yours, or
   emrtc_session.h's, which forwards it as `peer_stats` with the peer id). The multiplayer sets no
   callback on its connections, so it has no stats callback of its own. Errors:
   EMRTC_ERR_INVALID_PARAMETER when peer_id is not a peer (or a stale handle); else those of
   emrtc_peer_get_stats (EMRTC_ERR_BUSY: a request is under way, EMRTC_ERR_UNAVAILABLE: closed). */
emrtc_error emrtc_multiplayer_get_peer_stats(emrtc_multiplayer mp, int peer_id);
/* Godot's get_peers (the ids): writes up to `capacity` peer ids (in no particular order) to ids
   (may be NULL when capacity is 0) and returns how many peers there are. */
int emrtc_multiplayer_get_peers(emrtc_multiplayer mp, int *ids, int capacity);
/* Godot's disconnect_peer(peer, force): graceful (force false) closes the connection and the next
   poll removes the peer (peer_disconnected if it had connected); force removes it now, without
   peer_disconnected or any other callback (a client that drops its server just becomes
   DISCONNECTED). EMRTC_ERR_INVALID_PARAMETER when peer_id is not a peer. */
emrtc_error emrtc_multiplayer_disconnect_peer(emrtc_multiplayer mp, int peer_id, bool force);
/* MultiplayerPeer.refuse_new_connections: while true, add_peer refuses (EMRTC_ERR_UNAUTHORIZED). */
emrtc_error emrtc_multiplayer_set_refuse_new_connections(emrtc_multiplayer mp, bool refuse);
bool emrtc_multiplayer_is_refusing_new_connections(emrtc_multiplayer mp);

/* MultiplayerPeer.set_target_peer (see TARGETS); default 0. Any int is accepted: put_packet checks it. */
emrtc_error emrtc_multiplayer_set_target_peer(emrtc_multiplayer mp, int peer_id);
int emrtc_multiplayer_get_target_peer(emrtc_multiplayer mp);
/* MultiplayerPeer.transfer_mode; default RELIABLE. EMRTC_ERR_INVALID_PARAMETER for another value. */
emrtc_error emrtc_multiplayer_set_transfer_mode(emrtc_multiplayer mp, emrtc_transfer_mode mode);
emrtc_transfer_mode emrtc_multiplayer_get_transfer_mode(emrtc_multiplayer mp);
/* MultiplayerPeer.transfer_channel: 0 = the transfer mode's reserved channel, N = extra channel N;
   default 0. Negative: EMRTC_ERR_PARAMETER_RANGE_ERROR; beyond the extra channels put_packet refuses. */
emrtc_error emrtc_multiplayer_set_transfer_channel(emrtc_multiplayer mp, int channel);
int emrtc_multiplayer_get_transfer_channel(emrtc_multiplayer mp);

/* PacketPeer put_packet: sends `size` bytes, unchanged, to the target peer(s) on the channel the
   transfer channel/mode select. Errors, nothing sent: EMRTC_ERR_UNCONFIGURED not created, or a
   client whose server is gone; EMRTC_ERR_PARAMETER_RANGE_ERROR a transfer channel beyond the extra
   channels, or more bytes than a target's channel takes (emrtc_channel_get_max_packet_size);
   EMRTC_ERR_INVALID_PARAMETER a positive target that is not a peer; EMRTC_ERR_UNAVAILABLE a
   positive target not connected yet. Sending to several peers, the browser may still refuse one
   of them (EMRTC_ERR_BUSY, a channel closing meanwhile): the others got the packet, and the first
   such error is returned. Broadcasting with nobody connected is EMRTC_OK. */
emrtc_error emrtc_multiplayer_put_packet(emrtc_multiplayer mp, const void *data, size_t size);
/* PacketPeer get_packet: the next packet (see RECEIVING AND FAIRNESS); EMRTC_ERR_UNAVAILABLE when
   none. Ask get_packet_peer / _channel / _mode before this call: they describe this packet. */
emrtc_error emrtc_multiplayer_get_packet(emrtc_multiplayer mp, const uint8_t **data, size_t *size);
/* PacketPeer get_available_packet_count: packets waiting from connected peers. */
int emrtc_multiplayer_get_available_packet_count(emrtc_multiplayer mp);
/* The next packet's sender (0 when there is none), channel (0 reserved, N extra) and mode. */
int emrtc_multiplayer_get_packet_peer(emrtc_multiplayer mp);
int emrtc_multiplayer_get_packet_channel(emrtc_multiplayer mp);
emrtc_transfer_mode emrtc_multiplayer_get_packet_mode(emrtc_multiplayer mp);

/* Godot's poll(): polls every connection, removes the failed and closed ones, runs the callbacks. */
emrtc_error emrtc_multiplayer_poll(emrtc_multiplayer mp);

/* MultiplayerPeer getters. get_unique_id: own id from create_*, 0 unconfigured (or stale). */
int emrtc_multiplayer_get_unique_id(emrtc_multiplayer mp);
bool emrtc_multiplayer_is_server(emrtc_multiplayer mp);
/* True for a server or a client (Godot's is_server_relay_supported), false for a mesh. */
bool emrtc_multiplayer_is_server_relay_supported(emrtc_multiplayer mp);
emrtc_multiplayer_connection_status emrtc_multiplayer_get_connection_status(emrtc_multiplayer mp);

/* Diagnostics: multiplayer peers alive (created and not destroyed). */
int emrtc_multiplayer_live_count(void);

#ifdef __cplusplus
}
#endif
#endif /* EMRTC_MULTIPLAYER_H_INCLUDED */
