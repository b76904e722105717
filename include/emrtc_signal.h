/*
    emrtc_signal.h -- the signaling client of emrtc: finds the other players and carries the
    descriptions and candidates of emrtc peers through a WebSocket lobby server.

    It speaks the protocol of Godot 4's WebRTC signaling demo (godot-demo-projects,
    networking/webrtc_signaling), so C programs and Godot games can share one server: emrtc's own
    (`npx emrtc-signal`, js/signal-server.js) or the demo's. Browser only (Emscripten): it rides on
    Emscripten's WebSocket library, which the emrtc target already links (-lwebsocket.js).

    TL;DR
    =====
        emrtc_signal sig = emrtc_signal_create(&(emrtc_signal_desc){
            .url = "ws://127.0.0.1:9080",
            .callbacks = {
                .connected = on_connected,           // call emrtc_signal_join(sig, "", true) here
                .peer_connected = on_peer,           // create an emrtc_peer for that id
                .offer_received = on_offer,          // emrtc_peer_set_remote_description(pc, "offer", sdp)
                .answer_received = on_answer,        // emrtc_peer_set_remote_description(pc, "answer", sdp)
                .candidate_received = on_candidate,  // emrtc_peer_add_ice_candidate(pc, mid, index, sdp)
            },
        });
        // every frame:
        emrtc_signal_poll(sig);                      // runs the callbacks

    STEP BY STEP
    ============
    1. emrtc_signal_create() opens the WebSocket. `connected` fires once it is open (or `error` with
       EMRTC_ERR_CANT_CONNECT, then `closed`, when the server cannot be reached).
    2. emrtc_signal_join(sig, lobby, mesh): lobby "" creates a new lobby, whose host you become (id 1);
       mesh true links every member with every other, false links the host with each client only.
       The server answers with `id_assigned` (your id; mesh as the lobby really is), a
       `peer_connected` for every member you are linked to (now and as they join) and
       `lobby_joined` (the lobby's name: pass it to the other players), in that order.
       `peer_disconnected` when one leaves. Sending to peers is allowed from `id_assigned` on, so
       an offer made in `peer_connected` goes out even though `lobby_joined` comes later.
       Join soon after `connected`: servers close a socket that has not joined a lobby within
       their no-lobby timeout, 1000 ms by default in emrtc-signal and in Godot's demo server
       (`closed` with 4000 "Have not joined lobby yet"). A game that connects first and then shows
       a lobby-code screen either connects only once the code is typed, or runs its server with a
       longer timeout: `emrtc-signal --no-lobby-timeout 60000` (0 = never), or
       `createSignalServer({noLobbyTimeoutMs: 60000})`.
    3. For each linked peer make an emrtc_peer (see VISIBILITY for who is linked). Godot's demo rule (follow it to interoperate): the
       side whose own id is the higher one creates the offer, so the host (id 1) never offers. Send
       what the peer's callbacks produce with emrtc_signal_send_offer / _send_answer /
       _send_candidate to that peer's id; feed what arrives through offer_received /
       answer_received / candidate_received to the emrtc_peer of the source id.
    4. The host may emrtc_signal_seal(): everyone gets `lobby_sealed`, nobody else can join, and the
       server closes the lobby (every member gets `closed`, code 1000, "Seal complete"). Peers that
       are connected by then stay connected: signaling is only needed to set them up.

    VISIBILITY
    ==========
    In a mesh lobby everyone is linked with everyone. In a server/client lobby the host is linked
    with every client and a client only with the host. emrtc-signal announces and relays only
    linked peers; Godot's demo Node server (server_node) announces every member to every member and
    relays between any two. This client behaves the same with both: a client of a server/client
    lobby ignores every message about or from a peer other than the host (peer_connected,
    peer_disconnected, offers, answers, candidates are not delivered), as Godot's
    WebRTCMultiplayerPeer.add_peer refuses such peers in client mode, and sending to such a peer
    returns EMRTC_ERR_INVALID_PARAMETER.

    PROTOCOL
    ========
    Every frame is a text frame holding one JSON object {"type": int, "id": int, "data": string},
    types EMRTC_SIGNAL_MSG_JOIN .. EMRTC_SIGNAL_MSG_SEAL below. OFFER, ANSWER and CANDIDATE carry
    the destination id when sent and the source id when received; a candidate's data is
    "\n" mid "\n" index "\n" sdp. End-of-candidates (sdp "") is never sent: its data would be
    "\n" mid "\n" index "\n", which Godot's client rejects (it splits with split("\n", false)
    and requires exactly three non-empty parts) and Godot never sends one; the browser ends
    gathering on its own. One that arrives from another client is delivered as sdp "". Messages are read strictly (integers for type and id, a string for
    data, valid JSON and UTF-8); a message that is not, a binary frame, or a type the client does
    not know is reported through `error` with EMRTC_ERR_PARSE_ERROR and dropped: the connection
    stays open. Servers report their own refusals by closing the socket: `closed` with code 4000
    and the server's reason ("Invalid destination", "Lobby does not exists", ...).

    LIMITS
    ======
    A server (or a peer whose messages it relays: Godot's demo server relays up to 100 MiB) decides
    what arrives; a page built without -sALLOW_MEMORY_GROWTH aborts when a malloc fails, so the client
    bounds what it holds. A message over max_message_bytes (default 64 KiB; an SDP of a data-only
    connection is about 1 KiB) is refused before any of it reaches wasm memory; messages that arrive
    while those not yet polled already hold max_backlog_bytes (default 1 MiB), or
    EMRTC_MAX_QUEUED_EVENTS of them, are dropped unread. At a limit nothing aborts and nothing
    disappears silently: the dropped messages are counted (emrtc_signal_get_dropped_count), and
    `error` (EMRTC_ERR_OUT_OF_MEMORY) tells it once per burst from the next poll, with the size and
    the limit; with backlog_policy EMRTC_BACKLOG_CLOSE the client closes the connection instead
    (code EMRTC_SIGNAL_CLOSE_LIMIT, 4009, "Message too big"; `closed` follows). A burst ends when a message fits again.

    EVENTS AND poll()
    =================
    As in emrtc.h: WebSocket events are queued as they happen and reach C only inside
    emrtc_signal_poll(), in order. Getters return the state as of the last poll. A callback may call
    any function, including emrtc_signal_destroy() of the client it is called for; nothing reaches
    C after destroy.

    ERRORS
    ======
    Functions return emrtc_error (emrtc.h's table; emrtc_last_error_message() says more). A call that
    returns an error has sent nothing. EMRTC_ERR_INVALID_PARAMETER: stale handle, NULL, a newline in
    a candidate's mid, a peer other than the host from a client of a server/client lobby;
    EMRTC_ERR_UNAVAILABLE: not open yet (wait for `connected`), closed, no id yet (wait for
    `id_assigned`), a second join, seal by a non-host;
    EMRTC_ERR_PARAMETER_RANGE_ERROR: a peer id outside 1..2147483647 or an index outside 0..65535, a
    limit of emrtc_signal_desc out of range (emrtc_signal_create returns {0});
    EMRTC_ERR_INVALID_DATA: text that is not UTF-8.

    Licence: MIT (see LICENSE).
*/
#ifndef EMRTC_SIGNAL_H_INCLUDED
#define EMRTC_SIGNAL_H_INCLUDED

#include "emrtc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A signaling client (one WebSocket connection). id 0 is invalid; ids carry a generation count. */
typedef struct emrtc_signal { uint32_t id; } emrtc_signal;

/* The message types of the protocol (the JSON "type"). */
typedef enum emrtc_signal_msg_type {
    EMRTC_SIGNAL_MSG_JOIN = 0,            /* sent: data = lobby ("" creates one), id 0 mesh / 1 server-client;
                                             received: data = the lobby's name */
    EMRTC_SIGNAL_MSG_ID = 1,              /* received: id = your id, data "true" in a mesh lobby */
    EMRTC_SIGNAL_MSG_PEER_CONNECT = 2,    /* received: id = a linked peer */
    EMRTC_SIGNAL_MSG_PEER_DISCONNECT = 3, /* received: id = a peer that left */
    EMRTC_SIGNAL_MSG_OFFER = 4,           /* id = destination (sent) / source (received), data = sdp */
    EMRTC_SIGNAL_MSG_ANSWER = 5,          /* likewise */
    EMRTC_SIGNAL_MSG_CANDIDATE = 6,       /* likewise, data = "\n" mid "\n" index "\n" sdp */
    EMRTC_SIGNAL_MSG_SEAL = 7,            /* sent by the host; received by every member */
} emrtc_signal_msg_type;

/* The connection's state, as WebSocket's readyState (and Godot's WebSocketPeer.State). */
typedef enum emrtc_signal_state {
    EMRTC_SIGNAL_STATE_CONNECTING = 0, /* created, `connected` not delivered yet */
    EMRTC_SIGNAL_STATE_OPEN = 1,       /* `connected` delivered: join and send */
    EMRTC_SIGNAL_STATE_CLOSING = 2,    /* emrtc_signal_close() called, `closed` not delivered yet */
    EMRTC_SIGNAL_STATE_CLOSED = 3,     /* `closed` delivered (or a stale handle) */
} emrtc_signal_state;

/* The host's id in every lobby; other ids are 2..EMRTC_SIGNAL_MAX_PEER_ID. */
#define EMRTC_SIGNAL_HOST_ID 1
#define EMRTC_SIGNAL_MAX_PEER_ID 2147483647
/* The longest URL emrtc_signal_create accepts, in bytes. */
#define EMRTC_SIGNAL_MAX_URL_BYTES 2048u

/* Callbacks (Godot demo's ws_webrtc_client.gd signals). Every member may be NULL. They run only
   from inside emrtc_signal_poll(); strings are valid during the call only; `user_data` is the
   struct's user_data. */
typedef struct emrtc_signal_callbacks {
    /* The WebSocket is open: now emrtc_signal_join(). */
    void (*connected)(emrtc_signal sig, void *user_data);
    /* The server gave you your id in the lobby (1 = host); mesh: whether the lobby is a mesh. */
    void (*id_assigned)(emrtc_signal sig, int id, bool mesh, void *user_data);
    /* You are in the lobby called `lobby`. */
    void (*lobby_joined)(emrtc_signal sig, const char *lobby, void *user_data);
    /* The host sealed the lobby; the server closes it right after. */
    void (*lobby_sealed)(emrtc_signal sig, void *user_data);
    /* A peer you are linked to is in the lobby (was there already, or just joined). */
    void (*peer_connected)(emrtc_signal sig, int peer_id, void *user_data);
    /* That peer left the lobby. */
    void (*peer_disconnected)(emrtc_signal sig, int peer_id, void *user_data);
    /* peer_id sent you an offer / an answer (its sdp, exactly as sent). */
    void (*offer_received)(emrtc_signal sig, int peer_id, const char *sdp, void *user_data);
    void (*answer_received)(emrtc_signal sig, int peer_id, const char *sdp, void *user_data);
    /* peer_id sent you an ICE candidate; sdp "" means end-of-candidates (as in emrtc.h; only
       clients other than emrtc's and Godot's send one). */
    void (*candidate_received)(emrtc_signal sig, int peer_id, const char *mid, int index, const char *sdp,
                               void *user_data);
    /* The connection closed: code and reason of the WebSocket close (1000 normal, 1006 no close frame,
       4000 refused by the server with its reason). The last callback of a client. */
    void (*closed)(emrtc_signal sig, int code, const char *reason, void *user_data);
    /* Something failed: EMRTC_ERR_CANT_CONNECT (never opened), EMRTC_ERR_CONNECTION_ERROR (failed
       while open), EMRTC_ERR_PARSE_ERROR (a message from the server was dropped, see PROTOCOL),
       EMRTC_ERR_OUT_OF_MEMORY (messages dropped at a limit, see LIMITS; no memory to store the
       lobby name). `message` says what. */
    void (*error)(emrtc_signal sig, emrtc_error err, const char *message, void *user_data);
    void *user_data;
} emrtc_signal_callbacks;

/* What emrtc_signal_create needs. */
typedef struct emrtc_signal_desc {
    const char *url;                  /* required: "ws://host:port/path" or "wss://..." (TLS by the
                                         browser; a page served over https may only use wss://) */
    emrtc_signal_callbacks callbacks; /* copied; change them later with emrtc_signal_set_callbacks */
    /* Limits of what the server can make the client hold (see LIMITS); 0 = the default. */
    size_t max_message_bytes;         /* one message, in UTF-8 bytes; default 64 KiB
                                         (EMRTC_SIGNAL_DEFAULT_MAX_MESSAGE_BYTES), at most 2^31-1 */
    size_t max_backlog_bytes;         /* messages received and not yet polled, together (each counts
                                         EMRTC_SIGNAL_EVENT_OVERHEAD_BYTES more); default 1 MiB */
    emrtc_backlog_policy backlog_policy; /* at a limit: drop and count (default), or close the
                                            connection (EMRTC_BACKLOG_CLOSE: EMRTC_SIGNAL_CLOSE_LIMIT) */
} emrtc_signal_desc;

#define EMRTC_SIGNAL_DEFAULT_MAX_MESSAGE_BYTES (64u * 1024u)
#define EMRTC_SIGNAL_DEFAULT_MAX_BACKLOG_BYTES (1024u * 1024u)
#define EMRTC_SIGNAL_EVENT_OVERHEAD_BYTES 64u
/* The close code the client sends when it closes at a limit (a browser may only send 1000 and
   3000..4999: this is WebSocket's 1009 "message too big" in the application range). */
#define EMRTC_SIGNAL_CLOSE_LIMIT 4009

/* Opens a connection to desc->url. {0} when desc or its url is NULL or not a ws:/wss: URL, or when
   out of memory (emrtc_last_error_message says which). An unreachable server is reported later,
   through `error` and `closed`. */
emrtc_signal emrtc_signal_create(const emrtc_signal_desc *desc);
/* Closes the connection (if open) and frees the client; queued events are discarded and no
   callback follows. Legal in any state, from any callback; a stale or zero handle is ignored. */
void emrtc_signal_destroy(emrtc_signal sig);
/* Sets the callbacks (copied). NULL clears them. */
emrtc_error emrtc_signal_set_callbacks(emrtc_signal sig, const emrtc_signal_callbacks *callbacks);
/* Runs the callbacks of every event queued before the call. */
emrtc_error emrtc_signal_poll(emrtc_signal sig);
/* Starts the closing handshake (code 1000): the state becomes CLOSING, `closed` follows from a
   later poll. Nothing happens if it is already closing or closed. */
void emrtc_signal_close(emrtc_signal sig);

/* JOIN: lobby "" (or NULL) creates a lobby and makes you its host; otherwise joins that lobby.
   mesh picks the kind of lobby you create (ignored by the server when joining). Once per client. */
emrtc_error emrtc_signal_join(emrtc_signal sig, const char *lobby, bool mesh);
/* SEAL: host only (id 1), from id_assigned on. */
emrtc_error emrtc_signal_seal(emrtc_signal sig);
/* OFFER / ANSWER to peer_id (a peer you are linked to, see VISIBILITY), from id_assigned on. */
emrtc_error emrtc_signal_send_offer(emrtc_signal sig, int peer_id, const char *sdp);
emrtc_error emrtc_signal_send_answer(emrtc_signal sig, int peer_id, const char *sdp);
/* CANDIDATE to peer_id: the three values of emrtc_peer_callbacks.ice_candidate_created, from
   id_assigned on. sdp "" (end-of-candidates) is checked like any other and returns EMRTC_OK
   without sending anything (see PROTOCOL). mid must not contain a newline. */
emrtc_error emrtc_signal_send_candidate(emrtc_signal sig, int peer_id, const char *mid, int index, const char *sdp);

/* State as of the last poll; CLOSED for a stale handle. */
emrtc_signal_state emrtc_signal_get_state(emrtc_signal sig);
/* Your id in the lobby (from id_assigned); 0 before it, or for a stale handle. */
int emrtc_signal_get_id(emrtc_signal sig);
/* Whether the lobby is a mesh (from id_assigned); false before it. */
bool emrtc_signal_is_mesh(emrtc_signal sig);
/* The lobby's name (from lobby_joined), owned by the client; "" before it, or for a stale handle. */
const char *emrtc_signal_get_lobby(emrtc_signal sig);

/* Messages from the server dropped at a limit (see LIMITS) since the client was created; 0 for a
   stale handle. */
uint64_t emrtc_signal_get_dropped_count(emrtc_signal sig);

/* Diagnostics: signaling clients alive (created and not destroyed). */
int emrtc_signal_live_count(void);

#ifdef __cplusplus
}
#endif
#endif /* EMRTC_SIGNAL_H_INCLUDED */
