/* The formatter behind emrtc_last_error_message(), and growing arrays without realloc.
   emrtc formats only %s (with an optional precision, "%.64s" or "%.*s"), %d, %u and %zu: a few
   dozen lines instead of libc's printf, which would add several KB to every program (the bench's
   code size figure). realloc is avoided for the same reason: malloc and free are there anyway. */
#include "emrtc_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct out_t {
    char *at, *end; /* end: the last byte, kept for the terminator */
} out_t;

static void put(out_t *o, const char *s, size_t n) {
    size_t room = (size_t)(o->end - o->at);
    if (n > room) n = room;
    memcpy(o->at, s, n);
    o->at += n;
}

static void put_unsigned(out_t *o, unsigned long long v, bool negative) {
    char digits[24];
    int i = (int)sizeof digits;
    do digits[--i] = (char)('0' + v % 10u);
    while ((v /= 10u) != 0);
    if (negative) digits[--i] = '-';
    put(o, digits + i, sizeof digits - (size_t)i);
}

void _emrtc_format(char *buf, size_t cap, const char *fmt, va_list ap) {
    if (!cap) return;
    out_t o = {buf, buf + cap - 1};
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            const char *lit = p;
            while (p[1] && p[1] != '%') p++;
            put(&o, lit, (size_t)(p - lit) + 1);
            continue;
        }
        p++;
        size_t precision = (size_t)-1;
        if (*p == '.') {
            p++;
            if (*p == '*') {
                int n = va_arg(ap, int);
                precision = n < 0 ? (size_t)-1 : (size_t)n;
                p++;
            } else {
                for (precision = 0; *p >= '0' && *p <= '9'; p++) precision = precision * 10u + (size_t)(*p - '0');
            }
        }
        if (*p == 's') {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            size_t n = 0;
            while (n < precision && s[n]) n++;
            put(&o, s, n);
        } else if (*p == 'd') {
            int v = va_arg(ap, int);
            put_unsigned(&o, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, v < 0);
        } else if (*p == 'u') {
            put_unsigned(&o, va_arg(ap, unsigned), false);
        } else if (p[0] == 'z' && p[1] == 'u') {
            put_unsigned(&o, va_arg(ap, size_t), false);
            p++;
        } else if (*p == '%') {
            put(&o, "%", 1);
        } else {
            put(&o, "%?", 2); /* not a directive emrtc uses; never consumes an argument */
            if (!*p) break;
        }
    }
    *o.at = 0;
}

void *_emrtc_grow(void *old, size_t old_bytes, size_t new_bytes) {
    void *n = malloc(new_bytes);
    if (!n) return NULL;
    if (old_bytes) memcpy(n, old, old_bytes < new_bytes ? old_bytes : new_bytes);
    free(old);
    return n;
}
