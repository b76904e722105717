/* helpers.h -- what several scenario files need beyond scn.h: opening a pair's channel, checking a
   received packet byte for byte, deterministic payloads, substring checks. */
#ifndef SCN_HELPERS_H_INCLUDED
#define SCN_HELPERS_H_INCLUDED

#include "scn.h"

#include <stdint.h>

/* The channel `side` received (data_channel_received) with this label, or {0}. */
emrtc_channel scn_received(const scn_side *side, const char *label);
/* A wait condition: B has received the channel with the label of A's `ca` (stored in *cb), both
   are OPEN and the pair is connected. */
bool scn_channels_open(scn_pair *p, emrtc_channel ca, emrtc_channel *cb);

/* The next packet of `ch` is exactly data[0..size) and was (not) sent as text. */
bool scn_check_packet(scn *s, emrtc_channel ch, const void *data, size_t size, bool text, const char *file, int line);
#define CHECK_PACKET(ch, data, size, text) scn_check_packet(s, ch, data, size, text, __FILE__, __LINE__)

/* Sends with the given write mode (left set on the channel). */
emrtc_error scn_send(emrtc_channel ch, emrtc_write_mode mode, const void *data, size_t size);

/* Fills buf[0..size) with bytes that depend on `seed` and on each byte's position. */
void scn_pattern(uint8_t *buf, size_t size, uint32_t seed);

/* `text` contains `part`. */
#define CHECK_HAS(text, part)                                                                        \
    do {                                                                                             \
        const char *t_ = (text), *p_ = (part);                                                       \
        scn_check(s, t_ && strstr(t_, p_) != NULL, __FILE__, __LINE__, "%s is \"%.200s\", expected it to contain \"%s\"", \
                  #text, t_ ? t_ : "(null)", p_);                                                    \
    } while (0)
/* `text` starts with `prefix`. */
#define CHECK_PREFIX(text, prefix)                                                                   \
    do {                                                                                             \
        const char *t_ = (text), *p_ = (prefix);                                                     \
        scn_check(s, t_ && strncmp(t_, p_, strlen(p_)) == 0, __FILE__, __LINE__,                     \
                  "%s is \"%.200s\", expected it to start with \"%s\"", #text, t_ ? t_ : "(null)", p_); \
    } while (0)

#endif
