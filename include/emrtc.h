/*
    emrtc.h -- WebRTC for C programs on the web.

    Godot's WebRTCPeerConnection / WebRTCDataChannel API in C. Compiled with Emscripten, every call is
    forwarded to the browser's own RTCPeerConnection / RTCDataChannel by JS glue (EM_JS) compiled into
    libemrtc.a; compiled natively (gcc, clang), the built-in backend is an in-process loopback, so a
    game's netcode can be unit-tested without a browser. Other backends plug in through
    emrtc_set_default_extension().

    TL;DR
    =====
        emrtc_peer pc = emrtc_peer_create();
        emrtc_peer_set_callbacks(pc, &(emrtc_peer_callbacks){
            .session_description_created = on_sdp,      // send (type, sdp) to the other side
            .ice_candidate_created = on_candidate,      // send (media, index, name) to the other side
        });
        emrtc_channel ch;
        emrtc_peer_create_data_channel(pc, "game", NULL, &ch);
        emrtc_peer_create_offer(pc);
        // every frame:
        emrtc_peer_poll(pc);                            // runs callbacks; also polls pc's channels
        const uint8_t *data; size_t size;
        while (emrtc_channel_get_packet(ch, &data, &size) == EMRTC_OK) { ... }

    STEP BY STEP
    ============
    1. emrtc_peer_create() makes a peer in STATE_NEW (the spec's new(); it is already initialized with
       the default configuration). emrtc_peer_initialize() (re)configures it, e.g. with ICE servers,
       closing whatever connection it had.
    2. Create data channels with emrtc_peer_create_data_channel() while the peer is in STATE_NEW.
    3. The offering side calls emrtc_peer_create_offer(). session_description_created(type, sdp) fires
       from a later poll: pass it to emrtc_peer_set_local_description() and send it to the remote peer,
       which calls emrtc_peer_set_remote_description() with it. An offer makes that peer create the
       answer and fire session_description_created("answer", ...) in turn.
    4. After set_local_description, ice_candidate_created(media, index, name) fires for each local
       candidate, and once with an empty name for end-of-candidates; send them over and pass them to
       emrtc_peer_add_ice_candidate() (an empty name there means end-of-candidates too). Candidates
       added before the remote description are held and applied right after it.
    5. Channels go CONNECTING -> OPEN; then emrtc_channel_put_packet() / emrtc_channel_get_packet().

    EVENTS AND poll()
    =================
    Browser events are queued as they happen and reach C only inside emrtc_peer_poll() and
    emrtc_channel_poll(), in the order the browser produced them (per object). emrtc_peer_poll() also
    polls every channel of the peer, so one call per frame is enough. State getters return the state
    as of the last poll (the state the callbacks have told about). A callback may call any function,
    including destroying the peer or channel it is called for; nothing queued for an object reaches C
    after that object is destroyed. poll() with nothing queued does not call into JavaScript.
    A hidden tab gets no requestAnimationFrame, so a frame loop stops polling while WebRTC keeps
    receiving: emrtc_background.h polls from a timer that keeps running there.

    NETWORKS: TURN, STATS, ICE RESTART
    ==================================
    ICE servers and ice_transport_policy go in emrtc_configuration (RELAY: only a TURN server's
    candidates; a gathering that finds none is reported through `error`, EMRTC_ERR_CANT_CONNECT).
    emrtc_peer_get_stats() asks for the selected candidate pair (RTT, candidate types, addresses)
    and the transport's bytes; the answer reaches the `stats` callback. emrtc_channel_get_stats()
    reads a channel's messages and bytes at once. When the network goes away the connection goes
    DISCONNECTED (Chromium: after about 5 s) then FAILED (about 15 s) and its channels stay OPEN,
    holding what is sent meanwhile (get_buffered_amount grows); emrtc_peer_restart_ice() on one side
    brings it back over whatever path works now, without losing what the reliable channels carried.
    A page that is closed closes its connections: the far side's channels go CLOSED at once.

    ERRORS
    ======
    Functions that can fail return emrtc_error (EMRTC_OK = 0; other values are Godot's Error numbers),
    emrtc_error_name() gives its name and emrtc_last_error_message() a sentence about the last failure
    (which argument, which limit). A call that returns an error has done nothing: the peer stays usable.
    Errors of the browser's asynchronous steps (a rejected description, a malformed candidate) reach
    the peer's `error` callback with a code and the browser's message.

    HANDLES AND LIFETIME
    ====================
    emrtc_peer and emrtc_channel are one-field structs; id 0 is invalid and ids carry a generation
    count, so a destroyed or zeroed handle is refused (EMRTC_ERR_INVALID_PARAMETER, or a neutral value
    from a getter), never mistaken for another object (slots are reused so rarely that a stale handle
    could match only after about 33.5 million other destroys: see LIMITS). emrtc_peer_destroy() /
    emrtc_channel_destroy() are the C form of dropping the last reference: legal in any state, from
    any callback, idempotent.
    Destroying a peer destroys its channels. Channels received through data_channel_received belong
    to the peer too; destroy them when no longer needed (or let the peer's destroy do it).

    DATA
    ====
    emrtc_channel_get_packet() hands out bytes that stay valid until the next get_packet, poll or
    destroy on that channel (Godot's PacketPeer contract). Text packets are UTF-8 (sent as a JS
    string, received with emrtc_channel_was_string_packet() true); text that is not valid UTF-8 is
    refused with EMRTC_ERR_INVALID_DATA. Unread packets can still be read after the channel closes,
    until it is destroyed.

    LIMITS: WHAT A REMOTE PEER CAN MAKE YOU HOLD
    ============================================
    A remote decides how fast it sends and how many channels it opens; a program that reads slowly
    (a hidden tab, a long frame) or not at all must not run out of memory. With Emscripten's default
    16 MiB heap and no -sALLOW_MEMORY_GROWTH a failed malloc aborts the whole program, so emrtc bounds
    everything a remote can fill, and at each limit nothing aborts and nothing disappears silently:
    - Receive backlog, per channel: the unread packets of a channel (arrived, not yet returned by
      get_packet; each counts its size plus EMRTC_PACKET_OVERHEAD_BYTES) may hold at most
      max_backlog_bytes (channel options, else the peer's configuration; default
      EMRTC_DEFAULT_MAX_BACKLOG_BYTES, 1 MiB). A packet that would pass it is dropped, or with
      EMRTC_BACKLOG_CLOSE the channel is closed (the packet and what still arrives are dropped);
      what arrived before stays readable. Dropped packets are counted
      (emrtc_channel_get_dropped_count), and the peer's `error` callback says so once per burst
      (EMRTC_ERR_OUT_OF_MEMORY, message "receive: ..."): a burst ends when a packet fits again.
    - Receive backlog, all channels together: at most emrtc_set_total_backlog_limit() bytes (default
      EMRTC_DEFAULT_TOTAL_BACKLOG_BYTES, 4 MiB), with the same policy per channel, so any number of
      flooded channels fit a 16 MiB heap. A channel's memory is at most its limit (plus, briefly,
      once more while it grows); it is reused for later packets. A ring of up to 256 KiB stays; a
      bigger one is given back once EMRTC_BACKLOG_TRIM_POLLS polls in a row (of the channel or its
      peer) have found the channel read empty, so a flood's memory comes back about 4 s of polling
      at 60 fps after its backlog has been read. Each time a channel's ring grows big again after
      going back, the channel waits twice as long, up to
      EMRTC_BACKLOG_TRIM_POLLS_MAX polls (about 4.5 min at 60 fps): a stream that refills it
      between quiet spells keeps it and allocates nothing per burst. The counts are fields of the
      channel: a poll with nothing queued stays cheap.
    - Channels: at most max_channels per peer (configuration; default EMRTC_DEFAULT_MAX_CHANNELS,
      256), local and remote together, and the labels and protocols of the channels the remote
      opened at most EMRTC_MAX_REMOTE_LABEL_BYTES per peer together. A remote channel past a limit
      (or when the process's handles or memory are out) is closed at once and reported through
      `error` (EMRTC_ERR_OUT_OF_MEMORY, "data_channel_received: ..."); create_data_channel past
      max_channels returns EMRTC_ERR_OUT_OF_MEMORY.
    - Events: at most EMRTC_MAX_QUEUED_EVENTS per peer or channel between two polls (see there).
    - Handles: at most 65,535 channels and 65,535 peers per process. A destroyed handle's slot waits
      in a FIFO behind 1,024 other free slots, so a stale handle can only match a new object after
      its slot has been reused 32,767 times, i.e. after 32,767 x 1,024 (about 33.5 million) other
      handles of its kind were destroyed meanwhile (fewer only while more than 64,511 are alive).

    THREADS
    =======
    A program built with -pthread (shared wasm memory) links libemrtc-mt.a, the threaded library
    (`npx emrtc --libs --threads`; the CMake package picks it from -pthread), and is served with
    Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (without
    them the browser has no SharedArrayBuffer). Its sends copy each packet once out of the shared
    heap (the browser refuses views of shared memory); the plain build sends from the heap in place.
    The wrong library is refused: wasm-ld refuses the plain one in a -pthread program, and
    emrtc_peer_create() refuses the threaded one in a program without -pthread
    (EMRTC_ERR_UNCONFIGURED, the message naming the library to link).
    MAIN THREAD ONLY: RTCPeerConnection exists only on the main browser thread and emrtc takes no
    locks, so every function of emrtc.h and emrtc_signal.h, except emrtc_error_name(),
    emrtc_error_string() and emrtc_last_error_message(), must be called on the main browser thread
    (where main() runs unless -sPROXY_TO_PTHREAD, which emrtc therefore does not support). Called
    from another thread, a function does nothing and says so: one returning emrtc_error returns
    EMRTC_ERR_LOCKED; emrtc_peer_create() and emrtc_signal_create() return {0}; getters return the
    value they give for a stale handle; void functions return. Each time, the calling thread's
    emrtc_last_error_message() (kept per thread) names the function and the reason, and the same
    line goes to the browser console. Callbacks run only inside poll(), so only on the main thread.
    A worker thread that wants to send hands the bytes to the main thread (a queue of its own).

    Licence: MIT (see LICENSE).
*/
#ifndef EMRTC_H_INCLUDED
#define EMRTC_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ----------------------------------------------------------------------------------- */

/* The one error table: X(NAME, Godot's numeric value, description). Generates emrtc_error and the
   strings behind emrtc_error_name() and emrtc_error_string(). */
#define EMRTC_ERROR_MAP(X)                                                                          \
    X(OK, 0, "no error")                                                                            \
    X(FAILED, 1, "the operation failed")                                                            \
    X(ERR_UNAVAILABLE, 2, "not available in the object's current state")                           \
    X(ERR_UNCONFIGURED, 3, "a required option or earlier step is missing")                         \
    X(ERR_UNAUTHORIZED, 4, "refused (a multiplayer peer refusing new connections)")                \
    X(ERR_PARAMETER_RANGE_ERROR, 5, "a value is out of its allowed range")                         \
    X(ERR_OUT_OF_MEMORY, 6, "out of memory, or a limit reached (handles, channels, backlog)")      \
    X(ERR_ALREADY_IN_USE, 22, "already in use (a negotiated channel id, a multiplayer's own id)")  \
    X(ERR_LOCKED, 23, "main-thread only: called from another thread of a -pthread program")        \
    X(ERR_TIMEOUT, 24, "timed out")                                                                 \
    X(ERR_CANT_CONNECT, 25, "cannot connect (server unreachable or refused)")                       \
    X(ERR_CONNECTION_ERROR, 27, "the connection failed or was closed")                              \
    X(ERR_INVALID_DATA, 30, "invalid data (not valid UTF-8, or a description the peer refused)")    \
    X(ERR_INVALID_PARAMETER, 31, "an invalid argument: NULL pointer, stale handle, unknown name")  \
    X(ERR_ALREADY_EXISTS, 32, "already exists (a multiplayer peer id added twice)")                \
    X(ERR_PARSE_ERROR, 43, "a message from the other side could not be parsed")                    \
    X(ERR_BUSY, 44, "the send queue is full; retry after buffered_amount_low")

/* Result of every call that can fail. */
typedef enum emrtc_error {
#define EMRTC_X_(name, value, text) EMRTC_##name = value,
    EMRTC_ERROR_MAP(EMRTC_X_)
#undef EMRTC_X_
} emrtc_error;

/* "EMRTC_OK", "EMRTC_ERR_BUSY", ...; "EMRTC_UNKNOWN_ERROR" for a value not in the table. */
const char *emrtc_error_name(emrtc_error err);
/* The table's one-line description of `err`. */
const char *emrtc_error_string(emrtc_error err);
/* A sentence about the most recent failure of any emrtc call ("label is 70000 bytes, at most 65535
   allowed"); "" when none yet. Valid until the next failing call. One per thread. */
const char *emrtc_last_error_message(void);

/* ---- handles and enums ------------------------------------------------------------------------ */

/* A peer connection (the spec's WebRTCPeerConnection). id 0 is invalid. */
typedef struct emrtc_peer { uint32_t id; } emrtc_peer;
/* A data channel (the spec's WebRTCDataChannel). id 0 is invalid. */
typedef struct emrtc_channel { uint32_t id; } emrtc_channel;

/* The spec's ConnectionState. */
typedef enum emrtc_connection_state {
    EMRTC_STATE_NEW = 0,          /* new: data channels and an offer can be created */
    EMRTC_STATE_CONNECTING = 1,   /* ICE in progress, no transport has failed */
    EMRTC_STATE_CONNECTED = 2,    /* all ICE transports connected */
    EMRTC_STATE_DISCONNECTED = 3, /* at least one ICE transport disconnected */
    EMRTC_STATE_FAILED = 4,       /* one or more ICE transports failed */
    EMRTC_STATE_CLOSED = 5,       /* closed (after emrtc_peer_close, for example) */
} emrtc_connection_state;

/* The spec's GatheringState. */
typedef enum emrtc_gathering_state {
    EMRTC_GATHERING_STATE_NEW = 0,
    EMRTC_GATHERING_STATE_GATHERING = 1,
    EMRTC_GATHERING_STATE_COMPLETE = 2,
} emrtc_gathering_state;

/* The spec's SignalingState. */
typedef enum emrtc_signaling_state {
    EMRTC_SIGNALING_STATE_STABLE = 0,
    EMRTC_SIGNALING_STATE_HAVE_LOCAL_OFFER = 1,
    EMRTC_SIGNALING_STATE_HAVE_REMOTE_OFFER = 2,
    EMRTC_SIGNALING_STATE_HAVE_LOCAL_PRANSWER = 3,
    EMRTC_SIGNALING_STATE_HAVE_REMOTE_PRANSWER = 4,
    EMRTC_SIGNALING_STATE_CLOSED = 5,
} emrtc_signaling_state;

/* WebRTCDataChannel's ChannelState. */
typedef enum emrtc_channel_state {
    EMRTC_CHANNEL_STATE_CONNECTING = 0,
    EMRTC_CHANNEL_STATE_OPEN = 1,
    EMRTC_CHANNEL_STATE_CLOSING = 2,
    EMRTC_CHANNEL_STATE_CLOSED = 3,
} emrtc_channel_state;

/* WebRTCDataChannel's WriteMode: how emrtc_channel_put_packet sends. Default binary. */
typedef enum emrtc_write_mode {
    EMRTC_WRITE_MODE_TEXT = 0,   /* UTF-8 text, arrives as a string (was_string_packet true) */
    EMRTC_WRITE_MODE_BINARY = 1, /* bytes, arrive as an ArrayBuffer */
} emrtc_write_mode;

/* Limits. */
#define EMRTC_MAX_CHANNEL_ID 65534u       /* highest data channel id */
#define EMRTC_MAX_LABEL_BYTES 65535u      /* longest label or protocol, in UTF-8 bytes */
#define EMRTC_ID_UNSET 65535u             /* get_id before assignment; unset max_* getters */
#define EMRTC_MAX_ICE_SERVERS 32          /* ice servers per configuration */
#define EMRTC_MAX_ICE_URLS 16             /* urls per ice server */
/* Receive limits (see LIMITS above). */
#define EMRTC_DEFAULT_MAX_BACKLOG_BYTES (1024u * 1024u)       /* unread bytes per channel */
#define EMRTC_DEFAULT_TOTAL_BACKLOG_BYTES (4u * 1024u * 1024u) /* unread bytes of all channels */
#define EMRTC_MAX_BACKLOG_BYTES 0x7FFFFFFFu                   /* the largest limit accepted */
#define EMRTC_PACKET_OVERHEAD_BYTES 16u  /* what each unread packet counts on top of its bytes */
#define EMRTC_BACKLOG_TRIM_POLLS 256u    /* empty polls in a row before a ring over 256 KiB goes back */
#define EMRTC_BACKLOG_TRIM_POLLS_MAX 16384u /* the most that becomes for a channel that refills its ring */
#define EMRTC_DEFAULT_MAX_CHANNELS 256u  /* channels per peer (local and remote) */
#define EMRTC_MAX_REMOTE_LABEL_BYTES (256u * 1024u) /* labels + protocols of remote channels, per peer */
/* Events queued for one peer or one channel between two polls. Events past it (or that find no
   memory) are lost and counted: the peer's `error` callback tells how many (EMRTC_ERR_OUT_OF_MEMORY)
   at its next poll. Received packets do not count: consecutive ones share one event. */
#define EMRTC_MAX_QUEUED_EVENTS 4096

/* ---- configuration and options (zero value = the spec's defaults) ----------------------------- */

/* What a channel does with a packet that would take its unread backlog past its limit. */
typedef enum emrtc_backlog_policy {
    EMRTC_BACKLOG_DEFAULT = 0, /* channel options: the peer's policy; configuration: DROP */
    EMRTC_BACKLOG_DROP = 1,    /* drop the packet and count it; the channel stays open */
    EMRTC_BACKLOG_CLOSE = 2,   /* close the channel (the remote sees it close); drop and count the
                                  packet and whatever still arrives */
} emrtc_backlog_policy;

/* One entry of the spec's "iceServers". */
typedef struct emrtc_ice_server {
    const char *urls[EMRTC_MAX_ICE_URLS]; /* one or more "stun:..." / "turn:..." URLs; NULL ends the list */
    const char *username;                 /* optional (TURN); NULL = none */
    const char *credential;               /* optional (TURN); NULL = none */
} emrtc_ice_server;

/* The spec's "iceTransportPolicy": which local candidates ICE may use. */
typedef enum emrtc_ice_transport_policy {
    EMRTC_ICE_TRANSPORT_POLICY_DEFAULT = 0, /* the browser's default, which is "all" */
    EMRTC_ICE_TRANSPORT_POLICY_ALL = 1,     /* "all": host, server-reflexive and relay candidates */
    EMRTC_ICE_TRANSPORT_POLICY_RELAY = 2,   /* "relay": only candidates of a TURN server (hides the
                                               player's addresses; needs a reachable TURN server, else
                                               no candidate is gathered: see emrtc_configuration) */
} emrtc_ice_transport_policy;

/* The spec's "bundlePolicy". A data-only connection has one transport whatever the policy; it
   matters for what the offer looks like to a remote that is not a browser. */
typedef enum emrtc_bundle_policy {
    EMRTC_BUNDLE_POLICY_DEFAULT = 0,    /* the browser's default, which is "balanced" */
    EMRTC_BUNDLE_POLICY_BALANCED = 1,   /* "balanced" */
    EMRTC_BUNDLE_POLICY_MAX_COMPAT = 2, /* "max-compat" */
    EMRTC_BUNDLE_POLICY_MAX_BUNDLE = 3, /* "max-bundle" */
} emrtc_bundle_policy;

#define EMRTC_MAX_ICE_CANDIDATE_POOL_SIZE 255 /* the spec's type for iceCandidatePoolSize is an octet */

/* The spec's initialize() configuration. Zero value: no ICE servers (host candidates only) and the
   browser's defaults for everything else. emrtc_peer_initialize refuses a bad value with its own
   message: ice_server_count outside 0..EMRTC_MAX_ICE_SERVERS or ice_candidate_pool_size outside
   0..EMRTC_MAX_ICE_CANDIDATE_POOL_SIZE (EMRTC_ERR_PARAMETER_RANGE_ERROR); a value that is not one of
   the enums' (EMRTC_ERR_INVALID_PARAMETER).

   When gathering completes without a single local candidate (ICE_TRANSPORT_POLICY_RELAY without a
   TURN server, or with one that is unreachable or refuses the credentials), the connection can
   never be made: right after the end-of-candidates ice_candidate_created, the peer's `error`
   callback gets EMRTC_ERR_CANT_CONNECT with a message starting "gathering: no local candidate",
   followed by the policy and, when the browser gave one, its last icecandidateerror ("turn:host:
   port?transport=udp: 401 Unauthorized", "...: 701 ..."). The loopback backend has no TURN server:
   with the relay policy it gathers nothing and reports the same. */
typedef struct emrtc_configuration {
    const emrtc_ice_server *ice_servers; /* array of ice_server_count entries; NULL when count is 0 */
    int ice_server_count;                /* 0..EMRTC_MAX_ICE_SERVERS */
    emrtc_ice_transport_policy ice_transport_policy; /* default (0): the browser's, "all" */
    emrtc_bundle_policy bundle_policy;               /* default (0): the browser's, "balanced" */
    int ice_candidate_pool_size; /* spec "iceCandidatePoolSize": candidates gathered before
                                    set_local_description, 0..255; default 0 (the browser's: none) */
    /* Beyond the spec: limits of what the remote can make this peer hold (see LIMITS). */
    size_t max_backlog_bytes;            /* per channel, unless its options say; 0 = 1 MiB
                                            (EMRTC_DEFAULT_MAX_BACKLOG_BYTES); at most 2^31-1 */
    emrtc_backlog_policy backlog_policy; /* per channel, unless its options say; 0 = DROP */
    uint32_t max_channels;               /* channels, local and remote; 0 = 256 (at most 65535) */
} emrtc_configuration;

/* The spec's create_data_channel() options. Zero value: in-band, reliable, ordered, no protocol. */
typedef struct emrtc_channel_options {
    bool negotiated;              /* spec "negotiated" (default false): created out of band on both
                                     sides with the same id; data_channel_received is not called */
    bool has_id;                  /* spec "id" is given (required when negotiated, refused otherwise) */
    uint32_t id;                  /* 0..EMRTC_MAX_CHANNEL_ID */
    bool has_max_retransmits;     /* spec "maxRetransmits" is given (0 is a real value) */
    uint32_t max_retransmits;     /* unreliable: at most this many retransmissions */
    bool has_max_packet_life_time;/* spec "maxPacketLifeTime" is given */
    uint32_t max_packet_life_time;/* unreliable: give up retransmitting after this many ms */
    bool unordered;               /* spec "ordered" is true by default; set this to turn it off */
    const char *protocol;         /* spec "protocol"; NULL or "" = none; at most 65535 bytes */
    /* Beyond the spec: this channel's receive limit (see LIMITS); 0 = the peer's configuration's. */
    size_t max_backlog_bytes;     /* at most EMRTC_MAX_BACKLOG_BYTES */
    emrtc_backlog_policy backlog_policy;
} emrtc_channel_options;

/* ---- stats (beyond the spec: the browser's RTCPeerConnection.getStats) ------------------------- */

/* The type of an ICE candidate (RTCIceCandidateType). */
typedef enum emrtc_candidate_type {
    EMRTC_CANDIDATE_TYPE_UNKNOWN = 0, /* no selected pair (yet), or a type the browser did not give */
    EMRTC_CANDIDATE_TYPE_HOST = 1,    /* an address of the machine itself (or its mDNS name) */
    EMRTC_CANDIDATE_TYPE_SRFLX = 2,   /* server reflexive: the address a STUN server saw (behind a NAT) */
    EMRTC_CANDIDATE_TYPE_PRFLX = 3,   /* peer reflexive: an address learned from the far peer's checks */
    EMRTC_CANDIDATE_TYPE_RELAY = 4,   /* an address on a TURN server, which relays every packet */
} emrtc_candidate_type;

/* A transport protocol of ICE (RTCIceProtocol, and a relay candidate's relayProtocol). */
typedef enum emrtc_ice_protocol {
    EMRTC_ICE_PROTOCOL_UNKNOWN = 0,
    EMRTC_ICE_PROTOCOL_UDP = 1,
    EMRTC_ICE_PROTOCOL_TCP = 2,
    EMRTC_ICE_PROTOCOL_TLS = 3, /* only as relay_protocol: TURN over TLS ("turns:") */
} emrtc_ice_protocol;

#define EMRTC_MAX_ADDRESS_BYTES 64 /* room for an IPv6 address or an mDNS name, with its NUL */

/* One end of the selected candidate pair (RTCIceCandidateStats). */
typedef struct emrtc_candidate_stats {
    emrtc_candidate_type type;
    emrtc_ice_protocol protocol;       /* how ICE packets travel from this candidate: UDP or TCP */
    emrtc_ice_protocol relay_protocol; /* local relay candidates: how this side reaches its TURN
                                          server (UDP, TCP or TLS); UNKNOWN otherwise */
    uint16_t port;                     /* 0 when unknown */
    char address[EMRTC_MAX_ADDRESS_BYTES]; /* IP address or mDNS name; "" when the browser hides it */
} emrtc_candidate_stats;

/* What emrtc_peer_get_stats() reports: the peer's transport and its selected candidate pair. Every
   field is 0 (or "") where the browser has no value: before a pair is selected, a counter the
   browser does not keep. Times are in milliseconds. */
typedef struct emrtc_peer_stats {
    double timestamp_ms;               /* when the browser took the stats (ms since the Unix epoch) */
    /* the selected candidate pair (RTCIceCandidatePairStats) */
    double current_round_trip_time_ms; /* latest RTT of ICE's connectivity checks (STUN, every few s) */
    double total_round_trip_time_ms;   /* sum over all responses: total / responses_received = mean */
    uint64_t responses_received;       /* STUN responses behind total_round_trip_time_ms */
    double available_outgoing_bitrate; /* bits/s the browser's bandwidth estimate allows (Chromium
                                          keeps none for a data-only connection: usually 0) */
    emrtc_candidate_stats local, remote;
    /* the whole transport since the connection started (RTCTransportStats): everything on the wire
       after ICE, DTLS and SCTP added their headers, handshakes, acknowledgements and checks */
    uint64_t bytes_sent, bytes_received;
    uint64_t packets_sent, packets_received;
} emrtc_peer_stats;

/* Traffic of one channel since it was created, as the program saw it: counted by emrtc at
   put_packet (packets the browser accepted) and when a packet arrived. Payload bytes only (text as
   its UTF-8 bytes), the same numbers as the browser's RTCDataChannelStats. */
typedef struct emrtc_channel_stats {
    uint64_t messages_sent, bytes_sent;
    uint64_t messages_received, bytes_received;
} emrtc_channel_stats;

/* ---- peer connection -------------------------------------------------------------------------- */

/* Signals (and the state callbacks beyond the spec). Every member may be NULL. They run only from
   inside emrtc_peer_poll(); `user_data` is the struct's user_data. */
typedef struct emrtc_peer_callbacks {
    /* Spec signal: after create_offer, or set_remote_description("offer") which creates the answer.
       Pass it to set_local_description and send it to the remote peer. type: "offer" / "answer". */
    void (*session_description_created)(emrtc_peer pc, const char *type, const char *sdp, void *user_data);
    /* Spec signal: a local ICE candidate; name "" means end-of-candidates. */
    void (*ice_candidate_created)(emrtc_peer pc, const char *media, int index, const char *name, void *user_data);
    /* Spec signal: the remote peer created an in-band channel. The channel belongs to pc. It
       already reports the state the backend gave it (usually OPEN: a send from here goes out);
       state_changed, if set here, still tells that state from the next poll on. */
    void (*data_channel_received)(emrtc_peer pc, emrtc_channel channel, void *user_data);
    /* Beyond the spec: state changes, in the order the browser made them. */
    void (*connection_state_changed)(emrtc_peer pc, emrtc_connection_state state, void *user_data);
    void (*gathering_state_changed)(emrtc_peer pc, emrtc_gathering_state state, void *user_data);
    void (*signaling_state_changed)(emrtc_peer pc, emrtc_signaling_state state, void *user_data);
    /* Beyond the spec: an asynchronous step failed (create_offer, set_*_description, add_ice_candidate,
       creating the answer). `message` names the step and carries the browser's message. */
    void (*error)(emrtc_peer pc, emrtc_error err, const char *message, void *user_data);
    /* Beyond the spec: the answer to emrtc_peer_get_stats. `stats` is valid until the callback returns. */
    void (*stats)(emrtc_peer pc, const emrtc_peer_stats *stats, void *user_data);
    void *user_data;
} emrtc_peer_callbacks;

/* The spec's new(): a peer in STATE_NEW with the default configuration, or {0} when out of memory or
   of handle slots (emrtc_last_error_message says which). */
emrtc_peer emrtc_peer_create(void);
/* Closes the connection and its channels and frees everything; pending events are discarded.
   Legal in any state, from any callback; a stale or zero handle is ignored. */
void emrtc_peer_destroy(emrtc_peer pc);
/* Sets the callbacks (copied). NULL clears them. */
emrtc_error emrtc_peer_set_callbacks(emrtc_peer pc, const emrtc_peer_callbacks *callbacks);
/* The spec's initialize(configuration): closes what the peer had (its channels are destroyed, its
   pending events discarded) and starts over in STATE_NEW. config NULL = defaults. */
emrtc_error emrtc_peer_initialize(emrtc_peer pc, const emrtc_configuration *config);
/* The spec's create_data_channel(label, options). Only in STATE_NEW. options NULL = defaults.
   On success *out_channel is the new channel; on error it is {0}. label: NULL counts as "". */
emrtc_error emrtc_peer_create_data_channel(emrtc_peer pc, const char *label, const emrtc_channel_options *options,
                                           emrtc_channel *out_channel);
/* The spec's create_offer(). Needs at least one data channel (EMRTC_ERR_UNCONFIGURED) and a peer
   with no offer or answer under way (EMRTC_ERR_UNAVAILABLE). */
emrtc_error emrtc_peer_create_offer(emrtc_peer pc);
/* The spec's set_local_description(type, sdp). type: "offer", "answer", "pranswer" or "rollback". */
emrtc_error emrtc_peer_set_local_description(emrtc_peer pc, const char *type, const char *sdp);
/* The spec's set_remote_description(type, sdp). An "offer" makes the peer create the answer and
   emit it through session_description_created. Held candidates are applied right after it. */
emrtc_error emrtc_peer_set_remote_description(emrtc_peer pc, const char *type, const char *sdp);
/* The spec's add_ice_candidate(media, index, name). name "" = end-of-candidates. */
emrtc_error emrtc_peer_add_ice_candidate(emrtc_peer pc, const char *media, int index, const char *name);
/* The spec's poll(): runs the callbacks of everything queued for pc and its channels. */
emrtc_error emrtc_peer_poll(emrtc_peer pc);
/* The spec's close(): closes the connection and all its channels (their unread packets stay
   readable). Connection and signaling state become CLOSED (callbacks from the next poll). */
void emrtc_peer_close(emrtc_peer pc);
/* Beyond the spec (the browser's restartIce()): starts an ICE restart, new ICE credentials and a new
   gathering, and creates the offer that carries them: it comes through session_description_created
   ("offer") like create_offer's, and goes to the remote peer the same way, whose answer completes the
   restart. Channels and their unread packets survive; what was sent meanwhile is delivered once the
   connection is back (the reliable channels lose nothing). Use it when the connection went
   DISCONNECTED or FAILED (a network change, a TURN server that came back), from one side only.
   Errors: EMRTC_ERR_UNAVAILABLE closed, or an offer/answer exchange under way (retry once STABLE);
   EMRTC_ERR_UNCONFIGURED no connection negotiated yet (no remote description: use create_offer). */
emrtc_error emrtc_peer_restart_ice(emrtc_peer pc);
/* Beyond the spec (the browser's getStats()): asks for the peer's stats; the answer reaches the
   `stats` callback from a later poll (the loopback answers from the next one). One request at a time
   per peer. Errors: EMRTC_ERR_INVALID_PARAMETER stale handle; EMRTC_ERR_UNAVAILABLE the peer is
   closed; EMRTC_ERR_BUSY a request is under way (its callback has not run yet). Should the browser
   fail the request, `error` reports it ("get_stats: ...") instead of `stats`. Cost: one getStats()
   in the browser (see the benchmark); nothing is allocated per call. */
emrtc_error emrtc_peer_get_stats(emrtc_peer pc);
/* The spec's getters, as of the last poll. A stale handle gives CLOSED / NEW / CLOSED. */
emrtc_connection_state emrtc_peer_get_connection_state(emrtc_peer pc);
emrtc_gathering_state emrtc_peer_get_gathering_state(emrtc_peer pc);
emrtc_signaling_state emrtc_peer_get_signaling_state(emrtc_peer pc);

/* ---- data channel ----------------------------------------------------------------------------- */

/* Beyond the spec. Every member may be NULL; they run only from inside a poll. */
typedef struct emrtc_channel_callbacks {
    void (*state_changed)(emrtc_channel ch, emrtc_channel_state state, void *user_data);
    /* The buffered amount fell to or below the threshold (emrtc_channel_set_buffered_amount_low_threshold). */
    void (*buffered_amount_low)(emrtc_channel ch, void *user_data);
    void *user_data;
} emrtc_channel_callbacks;

/* Sets the callbacks (copied). NULL clears them. */
emrtc_error emrtc_channel_set_callbacks(emrtc_channel ch, const emrtc_channel_callbacks *callbacks);
/* Closes the channel and frees it (unread packets are lost). Any state, any callback, idempotent. */
void emrtc_channel_destroy(emrtc_channel ch);
/* The spec's poll(): runs this channel's queued callbacks and makes arrived packets readable. */
emrtc_error emrtc_channel_poll(emrtc_channel ch);
/* The spec's close(): closes the channel; unread packets stay readable until destroy. */
void emrtc_channel_close(emrtc_channel ch);
/* PacketPeer put_packet: sends `size` bytes as text or binary (see write mode). Errors:
   EMRTC_ERR_UNAVAILABLE not open; EMRTC_ERR_INVALID_DATA text that is not UTF-8;
   EMRTC_ERR_PARAMETER_RANGE_ERROR larger than emrtc_channel_get_max_packet_size();
   EMRTC_ERR_BUSY the browser's send queue is full. Any refusal by the browser itself returns its
   code with the browser's exception (name: message) in emrtc_last_error_message(). */
emrtc_error emrtc_channel_put_packet(emrtc_channel ch, const void *data, size_t size);
/* PacketPeer get_packet: the oldest unread packet. EMRTC_ERR_UNAVAILABLE when there is none
   (emrtc_last_error_message() then says "get_packet: no packet available", a constant: the empty
   read that ends every frame's loop formats nothing). The bytes stay valid until the next get_packet, poll or destroy on this channel. */
emrtc_error emrtc_channel_get_packet(emrtc_channel ch, const uint8_t **data, size_t *size);
/* PacketPeer get_available_packet_count. */
int emrtc_channel_get_available_packet_count(emrtc_channel ch);
/* True when the packet last returned by get_packet was sent as text. */
bool emrtc_channel_was_string_packet(emrtc_channel ch);
/* The write mode (default EMRTC_WRITE_MODE_BINARY). */
emrtc_error emrtc_channel_set_write_mode(emrtc_channel ch, emrtc_write_mode mode);
emrtc_write_mode emrtc_channel_get_write_mode(emrtc_channel ch);
/* The ready state as of the last poll; CLOSED for a stale handle. */
emrtc_channel_state emrtc_channel_get_ready_state(emrtc_channel ch);
/* Label and protocol, owned by the channel; "" for a stale handle. */
const char *emrtc_channel_get_label(emrtc_channel ch);
const char *emrtc_channel_get_protocol(emrtc_channel ch);
bool emrtc_channel_is_ordered(emrtc_channel ch);
/* The SCTP stream id; EMRTC_ID_UNSET (65535) until assigned. */
int emrtc_channel_get_id(emrtc_channel ch);
/* EMRTC_ID_UNSET (65535) when unset. */
int emrtc_channel_get_max_packet_life_time(emrtc_channel ch);
int emrtc_channel_get_max_retransmits(emrtc_channel ch);
bool emrtc_channel_is_negotiated(emrtc_channel ch);
/* Bytes queued in the browser and not yet sent. */
size_t emrtc_channel_get_buffered_amount(emrtc_channel ch);
/* Beyond the spec: buffered_amount_low fires when the buffered amount falls to `threshold` or below. */
emrtc_error emrtc_channel_set_buffered_amount_low_threshold(emrtc_channel ch, size_t threshold);
/* The largest packet put_packet accepts: the transport's max message size once connected (Chromium:
   262144), 65536 before. */
size_t emrtc_channel_get_max_packet_size(emrtc_channel ch);
/* The peer the channel belongs to. */
emrtc_peer emrtc_channel_get_peer(emrtc_channel ch);
/* Beyond the spec: the channel's traffic so far, at once (no browser call). Any state, closed
   included. EMRTC_ERR_INVALID_PARAMETER for a stale handle or a NULL `out` (then zeroed if given). */
emrtc_error emrtc_channel_get_stats(emrtc_channel ch, emrtc_channel_stats *out);
/* Beyond the spec: received packets dropped at the backlog limit (see LIMITS), since the channel
   was created; 0 for a stale handle. */
uint64_t emrtc_channel_get_dropped_count(emrtc_channel ch);
/* Beyond the spec: what the channel's unread packets count against its limit (their bytes plus
   EMRTC_PACKET_OVERHEAD_BYTES each); 0 for a stale handle. */
size_t emrtc_channel_get_backlog_bytes(emrtc_channel ch);
/* Beyond the spec: the limit of all channels' unread packets together (see LIMITS); 0 = the default
   EMRTC_DEFAULT_TOTAL_BACKLOG_BYTES; at most EMRTC_MAX_BACKLOG_BYTES. Applies to later packets. */
emrtc_error emrtc_set_total_backlog_limit(size_t bytes);
/* What all channels' unread packets count together. */
size_t emrtc_total_backlog_bytes(void);

/* ---- extensions: the spec's set_default_extension ---------------------------------------------- */

/* A backend: one function per peer and channel operation. emrtc's core validates every argument and
   state, keeps the handles, queues and packet buffers, and calls these with checked values only; a
   backend reports what happens through the emrtc_ext_* functions below (from any context; they only
   queue). Every member must be set. Peers take the extension current at emrtc_peer_create and keep
   it for life; their channels use their peer's. */
typedef struct emrtc_extension {
    void *user_data; /* for the extension's own use; reach it through emrtc_peer_get_extension(pc) */
    /* Peer: create its backend object (configuration already validated; NULL = default). */
    emrtc_error (*peer_create)(emrtc_peer pc, const emrtc_configuration *config);
    void (*peer_destroy)(emrtc_peer pc);
    emrtc_error (*peer_create_data_channel)(emrtc_peer pc, emrtc_channel ch, const char *label,
                                            const emrtc_channel_options *options);
    emrtc_error (*peer_create_offer)(emrtc_peer pc);
    emrtc_error (*peer_set_local_description)(emrtc_peer pc, const char *type, const char *sdp);
    emrtc_error (*peer_set_remote_description)(emrtc_peer pc, const char *type, const char *sdp);
    /* name "" = end-of-candidates */
    emrtc_error (*peer_add_ice_candidate)(emrtc_peer pc, const char *media, int index, const char *name);
    void (*peer_close)(emrtc_peer pc);
    /* Called at the start of every emrtc_peer_poll (and emrtc_channel_poll, with the channel's peer)
       before anything is dispatched: a backend without an event loop of its own does what is due
       (the loopback sends its channels' buffered bytes); the browser's does nothing. Must be cheap. */
    void (*peer_poll)(emrtc_peer pc);
    /* emrtc_peer_get_stats (the core has checked the peer is open and no request is under way): answer
       later with emrtc_ext_stats, or emrtc_ext_error("get_stats: ...") */
    emrtc_error (*peer_get_stats)(emrtc_peer pc);
    /* emrtc_peer_restart_ice (checked: open, STABLE, no offer under way, a remote description set):
       restart ICE and create the offer, reported like create_offer's */
    emrtc_error (*peer_restart_ice)(emrtc_peer pc);
    /* Channel: is_text says which write mode; text is already checked to be UTF-8. */
    emrtc_error (*channel_send)(emrtc_channel ch, const void *data, size_t size, bool is_text);
    void (*channel_close)(emrtc_channel ch);
    void (*channel_destroy)(emrtc_channel ch);
    size_t (*channel_get_buffered_amount)(emrtc_channel ch);
    void (*channel_set_buffered_amount_low_threshold)(emrtc_channel ch, size_t threshold);
    int (*channel_get_id)(emrtc_channel ch);               /* EMRTC_ID_UNSET until assigned */
    /* asked until the channel is open, then remembered by the core */
    size_t (*channel_get_max_message_size)(emrtc_channel ch);
} emrtc_extension;

/* Every function member of emrtc_extension, for code that must treat them all alike (checks, wrappers). */
#define EMRTC_EXTENSION_MEMBERS(X)                                                                  \
    X(peer_create) X(peer_destroy) X(peer_create_data_channel) X(peer_create_offer)                 \
    X(peer_set_local_description) X(peer_set_remote_description) X(peer_add_ice_candidate)         \
    X(peer_close) X(peer_poll) X(peer_get_stats) X(peer_restart_ice) X(channel_send) X(channel_close) X(channel_destroy)                               \
    X(channel_get_buffered_amount) X(channel_set_buffered_amount_low_threshold) X(channel_get_id)   \
    X(channel_get_max_message_size)

/* The spec's set_default_extension: peers created after the call use `ext` (copied); existing peers
   keep theirs; NULL restores the built-in backend. EMRTC_ERR_INVALID_PARAMETER if a member is NULL. */
emrtc_error emrtc_set_default_extension(const emrtc_extension *ext);
/* The built-in backend: the browser's RTCPeerConnection under Emscripten, the loopback natively.
   An extension may forward to it. */
const emrtc_extension *emrtc_builtin_extension(void);
/* The extension a peer (or a channel's peer) uses; NULL for a stale handle. */
const emrtc_extension *emrtc_peer_get_extension(emrtc_peer pc);

/* Reporting, for backends. Each queues an event for the next poll; events for a stale handle are
   dropped. Strings are copied. */
void emrtc_ext_session_description(emrtc_peer pc, const char *type, const char *sdp);
void emrtc_ext_ice_candidate(emrtc_peer pc, const char *media, int index, const char *name);
void emrtc_ext_connection_state(emrtc_peer pc, emrtc_connection_state state);
void emrtc_ext_gathering_state(emrtc_peer pc, emrtc_gathering_state state);
void emrtc_ext_signaling_state(emrtc_peer pc, emrtc_signaling_state state);
/* The answer to peer_get_stats (copied); dropped when no request is under way. */
void emrtc_ext_stats(emrtc_peer pc, const emrtc_peer_stats *stats);
/* An asynchronous step failed. `message` starts with the step's name ("create_offer: ...",
   "set_remote_description: ...", "add_ice_candidate: ...", "create_answer: ...", "get_stats: ...");
   a failed create_offer (restart_ice's offer reports as "create_offer" too) lets create_offer be
   called again, a failed get_stats lets get_stats be called again. */
void emrtc_ext_error(emrtc_peer pc, emrtc_error err, const char *message);
/* A remote in-band channel arrived: returns its new handle (data_channel_received fires from the next
   poll), {0} when out of memory. options->has_id/id give the id if known. */
emrtc_channel emrtc_ext_channel_received(emrtc_peer pc, const char *label, const emrtc_channel_options *options);
void emrtc_ext_channel_state(emrtc_channel ch, emrtc_channel_state state);
void emrtc_ext_channel_buffered_amount_low(emrtc_channel ch);
/* Receiving a packet without an extra copy: reserve `size` bytes in the channel's receive buffer,
   write the packet there, then commit its real length (<= size). NULL when ch is stale, or when the
   packet does not fit the channel's backlog limit or memory: the core has then counted it as
   dropped and reports it (see LIMITS); the backend discards the packet and reports nothing. Under
   EMRTC_BACKLOG_CLOSE the core calls the table's channel_close from inside this call. */
uint8_t *emrtc_ext_packet_reserve(emrtc_channel ch, size_t size);
void emrtc_ext_packet_commit(emrtc_channel ch, size_t size, bool is_text);

/* ---- diagnostics ------------------------------------------------------------------------------ */

/* Live objects: peers and channels held by the core. Zero after everything is destroyed. */
int emrtc_live_peer_count(void);
int emrtc_live_channel_count(void);
/* Under Emscripten: RTCPeerConnection and RTCDataChannel objects the JS glue holds (also
   Module.emrtcLiveObjects() in JS); natively: the loopback's objects. */
int emrtc_backend_live_object_count(void);

#ifdef __cplusplus
}
#endif
#endif /* EMRTC_H_INCLUDED */
