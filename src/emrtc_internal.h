/* emrtc_internal.h -- the pure-C parts of emrtc, shared by the core and the backends and unit-tested
   natively: handle pool, event ring, packet buffer, UTF-8 and option validation. Not installed. */
#ifndef EMRTC_INTERNAL_H_INCLUDED
#define EMRTC_INTERNAL_H_INCLUDED

#include "emrtc.h"

#include <stdarg.h>

/* ---- errors ---- */

/* Records `msg`, a string constant (not copied, not formatted: cheap enough for every empty read), as
   emrtc_last_error_message() and returns err. */
emrtc_error _emrtc_fail_const(emrtc_error err, const char *msg);
/* Records `fmt` as emrtc_last_error_message() and returns err. */
emrtc_error _emrtc_fail(emrtc_error err, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- threads ----
   RTCPeerConnection exists only on the main browser thread and the core keeps no locks, so in a
   -pthread build every function of emrtc.h and emrtc_signal.h except the three error-text ones
   refuses other threads: _emrtc_off_main_thread(fn) is then true, with the calling thread's
   emrtc_last_error_message() saying that `fn` is main-thread only (EMRTC_ERR_LOCKED) and the same
   line printed to the browser console. Without -pthread it is false and compiles away. */
#ifdef __EMSCRIPTEN_PTHREADS__
bool _emrtc_off_main_thread(const char *fn);
#else
#define _emrtc_off_main_thread(fn) ((void)(fn), false)
#endif

/* Formats into buf (always terminated, truncated to cap): %s, %.Ns, %.*s, %d, %u, %zu and %%. */
void _emrtc_format(char *buf, size_t cap, const char *fmt, va_list ap);
/* realloc without realloc: a new block of new_bytes holding the first bytes of old (freed); NULL,
   leaving old alone, when out of memory. */
void *_emrtc_grow(void *old, size_t old_bytes, size_t new_bytes);

/* ---- handle pool: ids are (generation << 16) | slot, slot 0 never used, generation 1..32767 so
   an id is never 0 and always fits a positive JS number. A freed slot waits in a FIFO and is taken
   again only while more than _EMRTC_POOL_RESERVE freed slots wait (or every slot has been used): so
   between two uses of a slot at least _EMRTC_POOL_RESERVE other ids are removed, and a stale id can
   match a new object only after _EMRTC_POOL_REUSE_BOUND other ids were removed meanwhile (fewer
   only when more than max - _EMRTC_POOL_RESERVE ids are live at once). ---- */

#define _EMRTC_POOL_MAX_SLOTS 65535u
#define _EMRTC_POOL_RESERVE 1024u
#define _EMRTC_POOL_GENERATIONS 32767u
#define _EMRTC_POOL_REUSE_BOUND ((uint64_t)_EMRTC_POOL_GENERATIONS * _EMRTC_POOL_RESERVE)

typedef struct _emrtc_pool {
    void **objs;          /* objs[slot], NULL when free */
    uint16_t *gens;       /* generation of each slot's current (or next) occupant */
    uint32_t *free_slots; /* FIFO ring (cap entries) of freed slots */
    uint32_t free_head, free_count;
    uint32_t unused;      /* slots [unused, cap) were never handed out */
    uint32_t cap;         /* slots allocated (slot 0 included) */
    uint32_t max;         /* most slots this pool may grow to */
    uint32_t live;
} _emrtc_pool;

void _emrtc_pool_init(_emrtc_pool *pool, uint32_t max_slots);
void _emrtc_pool_free(_emrtc_pool *pool);
/* Stores obj in a free slot; returns its id, or 0 when the pool is exhausted or out of memory. */
uint32_t _emrtc_pool_add(_emrtc_pool *pool, void *obj);
/* The object of a live id, or NULL (stale, zero, out of range). */
void *_emrtc_pool_get(const _emrtc_pool *pool, uint32_t id);
/* Frees the id's slot (bumping its generation); returns the object or NULL when the id is stale. */
void *_emrtc_pool_remove(_emrtc_pool *pool, uint32_t id);

/* ---- event ring: FIFO of small fixed-size events, grows by doubling, never shrinks ---- */

typedef enum _emrtc_event_type {
    _EMRTC_EV_SESSION_DESCRIPTION = 1, /* s1 type, s2 sdp */
    _EMRTC_EV_ICE_CANDIDATE,           /* s1 media, a index, s2 name */
    _EMRTC_EV_DATA_CHANNEL,            /* handle = channel id */
    _EMRTC_EV_CONNECTION_STATE,        /* a state */
    _EMRTC_EV_GATHERING_STATE,         /* a state */
    _EMRTC_EV_SIGNALING_STATE,         /* a state */
    _EMRTC_EV_ERROR,                   /* a code, s1 message */
    _EMRTC_EV_CHANNEL_STATE,           /* a state */
    _EMRTC_EV_BUFFERED_LOW,
    _EMRTC_EV_PACKET,                  /* a more packets readable */
    _EMRTC_EV_STATS,                   /* the peer's stats answer is ready (held by the peer) */
} _emrtc_event_type;

typedef struct _emrtc_event {
    uint32_t type;
    int32_t a;
    uint32_t handle;
    char *s1, *s2; /* owned (malloc) */
} _emrtc_event;

typedef struct _emrtc_queue {
    _emrtc_event *items;
    uint32_t cap, head, count; /* cap is 0 or a power of two */
} _emrtc_queue;

bool _emrtc_queue_push(_emrtc_queue *q, const _emrtc_event *ev);
bool _emrtc_queue_pop(_emrtc_queue *q, _emrtc_event *out);
/* The newest queued event (to merge into), or NULL when the queue is empty. */
_emrtc_event *_emrtc_queue_last(_emrtc_queue *q);
/* Frees the events' strings and the ring. */
void _emrtc_queue_free(_emrtc_queue *q);
void _emrtc_event_free_strings(_emrtc_event *ev);

/* ---- packet buffer: received packets, each contiguous in one growable ring of bytes ----
   The backend reserves room, writes the packet in place and commits it (pending); poll turns
   pending packets into available ones; get_packet hands out the oldest available packet, whose bytes
   stay put until the next get/poll/release even if more packets arrive meanwhile. Steady state
   allocates nothing: memory grows only when the unread backlog outgrows it. */

typedef struct _emrtc_packet_rec {
    uint32_t off, len;
    bool is_text;
} _emrtc_packet_rec;

typedef struct _emrtc_packetbuf {
    uint8_t *data;
    size_t cap;
    size_t tail;               /* where the newest packet ends */
    _emrtc_packet_rec *recs;   /* ring of unread packets (available first, then pending) */
    uint32_t rec_cap, rec_head, rec_count;
    uint32_t available;        /* how many of rec_count may be read */
    bool holding;              /* the last packet handed out is still valid */
    _emrtc_packet_rec held;
    uint8_t *retired;          /* an outgrown buffer that still holds the held packet */
    size_t reserved_off, reserved_len;
    bool reserving;
    bool wrapped;              /* newer packets sit at the front, before the oldest live one */
    size_t unread;             /* bytes of the unread packets (available and pending) */
    size_t max_cap;            /* the ring grows to at most this (0: no limit) unless a packet needs more */
    uint32_t idle;             /* consecutive trim calls that found it read empty (see _emrtc_packetbuf_trim) */
    uint32_t trim_wait;        /* empty calls in a row before the ring goes back (0: trim's `polls`) */
    bool trimmed;              /* it went back, and has not been regrown past `keep` since */
} _emrtc_packetbuf;

/* Room for a packet of up to `len` bytes; NULL when out of memory. */
uint8_t *_emrtc_packetbuf_reserve(_emrtc_packetbuf *pb, size_t len);
/* Adds the reserved packet with its real length (<= the reserved length) as pending. */
bool _emrtc_packetbuf_commit(_emrtc_packetbuf *pb, size_t len, bool is_text);
/* One pending packet becomes available (the _EMRTC_EV_PACKET event). */
void _emrtc_packetbuf_make_available(_emrtc_packetbuf *pb);
/* Ends the validity of the packet last handed out. */
void _emrtc_packetbuf_release(_emrtc_packetbuf *pb);
/* Releases the held packet, then hands out the oldest available one. */
bool _emrtc_packetbuf_get(_emrtc_packetbuf *pb, const uint8_t **data, size_t *len, bool *is_text);
void _emrtc_packetbuf_free(_emrtc_packetbuf *pb);
/* Called at every poll: gives the memory back when the ring is over `keep` bytes and this is the
   `polls`-th call in a row that finds nothing unread, held or reserved (any other call starts the
   count again). Each time the ring grows past `keep` again after going back, the count it waits
   for doubles, up to `max_polls`: a stream that refills it keeps it (no reallocation per burst),
   while a backlog that has been read and not refilled goes back after `polls` quiet calls. */
void _emrtc_packetbuf_trim(_emrtc_packetbuf *pb, size_t keep, uint32_t polls, uint32_t max_polls);

/* ---- validation of outside input (fuzzed) ---- */

/* True when data[0..len) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool _emrtc_utf8_valid(const uint8_t *data, size_t len);

/* Description types, in the order of the spec's strings. */
typedef enum _emrtc_sdp_type {
    _EMRTC_SDP_OFFER = 0,
    _EMRTC_SDP_ANSWER,
    _EMRTC_SDP_PRANSWER,
    _EMRTC_SDP_ROLLBACK,
    _EMRTC_SDP_TYPE_COUNT
} _emrtc_sdp_type;
extern const char *const _emrtc_sdp_type_names[_EMRTC_SDP_TYPE_COUNT];
/* The type of a description type string, or -1 (NULL or unknown). */
int _emrtc_sdp_type_parse(const char *type);

/* Checks create_data_channel's label and options (NULL = defaults); sets the last error message. */
emrtc_error _emrtc_validate_channel(const char *label, const emrtc_channel_options *options);
/* Checks initialize's configuration (NULL = defaults). */
emrtc_error _emrtc_validate_configuration(const emrtc_configuration *config);
/* Checks add_ice_candidate's fields. */
emrtc_error _emrtc_validate_candidate(const char *media, int index, const char *name);

/* An event for pc (or one of its channels) was lost before it could be queued (the glue found no
   memory for its strings): counted, and told through the error callback at the next poll. */
void _emrtc_ext_lost(emrtc_peer pc);

/* ---- the built-in backend (browser under Emscripten, loopback natively) ---- */
extern const emrtc_extension _emrtc_builtin_extension;
int _emrtc_builtin_live_objects(void);

#endif
