/* emrtc_signal_json.h -- the signaling protocol's wire format as pure functions (no I/O, no global
   state), so they are unit-tested natively and can be fuzzed: a strict reader and a writer for the
   one JSON object of every frame, {"type": int, "id": int, "data": string}, and the candidate
   field's "\n" mid "\n" index "\n" sdp format. Not installed.

   Single-file style: every file includes this header for the declarations; exactly one defines
   EMRTC_SIGNAL_JSON_IMPLEMENTATION first to compile the definitions (src/emrtc_signal.c does; the
   native test and fuzzers do it in their own program instead of linking the library).

   The reader accepts exactly RFC 8259 JSON whose top level is an object with:
     "type"  an integer literal 0..2147483647 (no sign, fraction or exponent), required;
     "id"    the same, required;
     "data"  a string, optional ("" when missing), without U+0000 (C strings cannot hold it).
   Other members are skipped (their values still have to be valid JSON, nested at most 32 deep);
   a repeated member, anything after the object, a lone surrogate in an escape or a control
   character inside a string is an error. Raw bytes of the input are copied as they are: the
   caller checks that the frame is UTF-8 (browsers only deliver UTF-8 text frames). */
#ifndef EMRTC_SIGNAL_JSON_H_INCLUDED
#define EMRTC_SIGNAL_JSON_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One decoded message. */
typedef struct _emrtc_sig_msg {
    int32_t type; /* 0..2147483647; the protocol's types are 0..7 */
    int32_t id;   /* 0..2147483647 */
    char *data;   /* malloc'd, NUL-terminated, contains no NUL; "" when the member is missing */
} _emrtc_sig_msg;

#define _EMRTC_SIG_JSON_MAX_DEPTH 32
#define _EMRTC_SIG_MAX_ID 2147483647

/* Parses the `len` bytes at `text` (need not be NUL-terminated). On success fills *out (free
   out->data) and returns true; otherwise returns false, leaves *out zeroed and writes a sentence
   naming the problem and its byte offset into err[err_size] (err may be NULL). */
bool _emrtc_sig_json_parse(const char *text, size_t len, _emrtc_sig_msg *out, char *err, size_t err_size);

/* {"type":T,"id":I,"data":"..."} with '"', '\\' and every control character escaped; other bytes
   copied (data must be UTF-8: checked by the caller). malloc'd; NULL when out of memory. */
char *_emrtc_sig_json_encode(int32_t type, int32_t id, const char *data);

/* A candidate message's data: "\n" mid "\n" index "\n" sdp. malloc'd; NULL when out of memory. */
char *_emrtc_sig_candidate_encode(const char *mid, int index, const char *sdp);

/* Splits a candidate message's data in place (its newlines become NULs): *mid and *sdp point into
   `data`, *index is 0..65535. sdp "" is end-of-candidates. False, touching nothing, when `data`
   does not start with "\n", lacks one of the two other newlines, or index is not 1..5 digits
   within 0..65535 (the sdp itself may contain newlines). */
bool _emrtc_sig_candidate_split(char *data, char **mid, int *index, char **sdp);

#endif /* EMRTC_SIGNAL_JSON_H_INCLUDED */

#ifdef EMRTC_SIGNAL_JSON_IMPLEMENTATION
#ifndef EMRTC_SIGNAL_JSON_IMPLEMENTED
#define EMRTC_SIGNAL_JSON_IMPLEMENTED

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reader ---- */

typedef struct _emrtc_json_in {
    const char *start, *p, *end;
    char *err;
    size_t err_size;
} _emrtc_json_in;

static bool _emrtc_json_fail(_emrtc_json_in *in, const char *fmt, ...) {
    if (in->err && in->err_size) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(in->err, in->err_size, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < in->err_size)
            snprintf(in->err + n, in->err_size - (size_t)n, " at byte %zu", (size_t)(in->p - in->start));
    }
    return false;
}

static void _emrtc_json_ws(_emrtc_json_in *in) {
    while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r')) in->p++;
}

/* Consumes `c` (after whitespace) or fails naming `what`. */
static bool _emrtc_json_expect(_emrtc_json_in *in, char c, const char *what) {
    _emrtc_json_ws(in);
    if (in->p < in->end && *in->p == c) {
        in->p++;
        return true;
    }
    return _emrtc_json_fail(in, in->p < in->end ? "expected %s" : "expected %s, found the end", what);
}

static bool _emrtc_json_digit(const _emrtc_json_in *in) { return in->p < in->end && *in->p >= '0' && *in->p <= '9'; }

/* A number. *value gets a plain non-negative integer literal's value, or -1 when the number has a
   sign, fraction or exponent or is over _EMRTC_SIG_MAX_ID. */
static bool _emrtc_json_number(_emrtc_json_in *in, int64_t *value) {
    bool plain = true;
    int64_t v = 0;
    if (in->p < in->end && *in->p == '-') in->p++, plain = false;
    if (!_emrtc_json_digit(in)) return _emrtc_json_fail(in, "expected a digit");
    if (*in->p == '0') {
        in->p++;
    } else {
        for (; _emrtc_json_digit(in); in->p++)
            if ((v = v * 10 + (*in->p - '0')) > _EMRTC_SIG_MAX_ID) plain = false, v = 0;
    }
    if (in->p < in->end && *in->p == '.') {
        in->p++, plain = false;
        if (!_emrtc_json_digit(in)) return _emrtc_json_fail(in, "expected a digit after the decimal point");
        while (_emrtc_json_digit(in)) in->p++;
    }
    if (in->p < in->end && (*in->p == 'e' || *in->p == 'E')) {
        in->p++, plain = false;
        if (in->p < in->end && (*in->p == '+' || *in->p == '-')) in->p++;
        if (!_emrtc_json_digit(in)) return _emrtc_json_fail(in, "expected a digit in the exponent");
        while (_emrtc_json_digit(in)) in->p++;
    }
    *value = plain ? v : -1;
    return true;
}

static int _emrtc_json_hex4(const char *s) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Reads the \uXXXX escape at in->p (just after the backslash and 'u'), a surrogate pair included. */
static bool _emrtc_json_unicode(_emrtc_json_in *in, uint32_t *cp) {
    int hi = in->end - in->p >= 4 ? _emrtc_json_hex4(in->p) : -1;
    if (hi < 0) return _emrtc_json_fail(in, "expected 4 hex digits after \\u");
    in->p += 4;
    if (hi >= 0xDC00 && hi <= 0xDFFF) return _emrtc_json_fail(in, "lone low surrogate \\u%04X", hi);
    if (hi < 0xD800 || hi > 0xDBFF) {
        *cp = (uint32_t)hi;
        return true;
    }
    int lo = in->end - in->p >= 6 && in->p[0] == '\\' && in->p[1] == 'u' ? _emrtc_json_hex4(in->p + 2) : -1;
    if (lo < 0xDC00 || lo > 0xDFFF) return _emrtc_json_fail(in, "high surrogate \\u%04X without a low one", hi);
    in->p += 6;
    *cp = 0x10000u + (((uint32_t)hi - 0xD800u) << 10) + ((uint32_t)lo - 0xDC00u);
    return true;
}

static size_t _emrtc_utf8_put(char *out, uint32_t cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A string (in->p at its opening quote). With `out`, decodes it into a malloc'd *out (never longer
   than its source: every escape shrinks); U+0000 is then refused. Without, only validates. */
static bool _emrtc_json_string(_emrtc_json_in *in, char **out) {
    if (!_emrtc_json_expect(in, '"', "'\"'")) return false;
    char *buf = NULL, *w = NULL;
    if (out) {
        const char *close = in->p;
        while (close < in->end && *close != '"') close += *close == '\\' && close + 1 < in->end ? 2 : 1;
        if (!(buf = w = malloc((size_t)(close - in->p) + 1))) return _emrtc_json_fail(in, "out of memory");
    }
    for (;;) {
        if (in->p >= in->end) {
            free(buf);
            return _emrtc_json_fail(in, "unterminated string");
        }
        unsigned char c = (unsigned char)*in->p;
        if (c == '"') break;
        if (c < 0x20) {
            free(buf);
            return _emrtc_json_fail(in, "control character 0x%02X inside a string", c);
        }
        in->p++;
        if (c != '\\') {
            if (w) *w++ = (char)c;
            continue;
        }
        uint32_t cp;
        char e = in->p < in->end ? *in->p++ : '\0';
        switch (e) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (_emrtc_json_unicode(in, &cp)) break;
            free(buf);
            return false;
        default:
            in->p--;
            free(buf);
            return _emrtc_json_fail(in, "invalid escape");
        }
        if (w && cp == 0) {
            free(buf);
            return _emrtc_json_fail(in, "\\u0000 cannot be passed on in a C string");
        }
        if (w) w += _emrtc_utf8_put(w, cp);
    }
    in->p++;
    if (out) {
        *w = '\0';
        *out = buf;
    }
    return true;
}

static bool _emrtc_json_literal(_emrtc_json_in *in, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(in->end - in->p) < n || memcmp(in->p, word, n) != 0) return _emrtc_json_fail(in, "expected a value");
    in->p += n;
    return true;
}

/* Validates and skips any value. */
static bool _emrtc_json_skip(_emrtc_json_in *in, int depth) {
    _emrtc_json_ws(in);
    if (in->p >= in->end) return _emrtc_json_fail(in, "expected a value, found the end");
    char c = *in->p;
    if (c == '"') return _emrtc_json_string(in, NULL);
    if (c == '-' || (c >= '0' && c <= '9')) {
        int64_t ignored;
        return _emrtc_json_number(in, &ignored);
    }
    if (c == 't') return _emrtc_json_literal(in, "true");
    if (c == 'f') return _emrtc_json_literal(in, "false");
    if (c == 'n') return _emrtc_json_literal(in, "null");
    if (c != '[' && c != '{') return _emrtc_json_fail(in, "expected a value");
    if (depth >= _EMRTC_SIG_JSON_MAX_DEPTH) return _emrtc_json_fail(in, "nested deeper than %d", _EMRTC_SIG_JSON_MAX_DEPTH);
    char close = c == '[' ? ']' : '}';
    in->p++;
    _emrtc_json_ws(in);
    if (in->p < in->end && *in->p == close) {
        in->p++;
        return true;
    }
    for (;;) {
        if (close == '}' && !(_emrtc_json_string(in, NULL) && _emrtc_json_expect(in, ':', "':'"))) return false;
        if (!_emrtc_json_skip(in, depth + 1)) return false;
        _emrtc_json_ws(in);
        if (in->p < in->end && *in->p == ',') {
            in->p++;
            _emrtc_json_ws(in);
            continue;
        }
        return _emrtc_json_expect(in, close, close == ']' ? "',' or ']'" : "',' or '}'");
    }
}

/* The value of "type" or "id". */
static bool _emrtc_json_field_int(_emrtc_json_in *in, const char *name, int32_t *out) {
    _emrtc_json_ws(in);
    const char *at = in->p;
    int64_t v;
    if (in->p >= in->end || (*in->p != '-' && !_emrtc_json_digit(in)) || !_emrtc_json_number(in, &v) || v < 0) {
        in->p = at;
        return _emrtc_json_fail(in, "\"%s\" is not an integer in 0..%d", name, _EMRTC_SIG_MAX_ID);
    }
    *out = (int32_t)v;
    return true;
}

bool _emrtc_sig_json_parse(const char *text, size_t len, _emrtc_sig_msg *out, char *err, size_t err_size) {
    _emrtc_json_in in = {text, text, text + len, err, err_size};
    _emrtc_sig_msg msg = {0, 0, NULL};
    bool has_type = false, has_id = false;
    memset(out, 0, sizeof(*out));
    if (!_emrtc_json_expect(&in, '{', "a JSON object")) return false;
    _emrtc_json_ws(&in);
    if (in.p < in.end && *in.p == '}') {
        in.p++;
    } else {
        for (;;) {
            char *key = NULL;
            _emrtc_json_ws(&in);
            const char *key_at = in.p;
            if (!_emrtc_json_string(&in, &key)) goto fail;
            if (!_emrtc_json_expect(&in, ':', "':'")) {
                free(key);
                goto fail;
            }
            bool is_type = !strcmp(key, "type"), is_id = !strcmp(key, "id"), is_data = !strcmp(key, "data");
            bool seen = (is_type && has_type) || (is_id && has_id) || (is_data && msg.data);
            free(key);
            if (seen) {
                in.p = key_at;
                _emrtc_json_fail(&in, "repeated member");
                goto fail;
            }
            bool ok;
            if (is_type) {
                ok = has_type = _emrtc_json_field_int(&in, "type", &msg.type);
            } else if (is_id) {
                ok = has_id = _emrtc_json_field_int(&in, "id", &msg.id);
            } else if (is_data) {
                _emrtc_json_ws(&in);
                ok = in.p < in.end && *in.p == '"' ? _emrtc_json_string(&in, &msg.data)
                                                  : _emrtc_json_fail(&in, "\"data\" is not a string");
            } else {
                ok = _emrtc_json_skip(&in, 1);
            }
            if (!ok) goto fail;
            _emrtc_json_ws(&in);
            if (in.p < in.end && *in.p == ',') {
                in.p++;
                continue;
            }
            if (!_emrtc_json_expect(&in, '}', "',' or '}'")) goto fail;
            break;
        }
    }
    _emrtc_json_ws(&in);
    if (in.p != in.end) {
        _emrtc_json_fail(&in, "unexpected text after the object");
        goto fail;
    }
    if (!has_type || !has_id) {
        _emrtc_json_fail(&in, "member \"%s\" is missing", has_type ? "id" : "type");
        goto fail;
    }
    if (!msg.data && !(msg.data = calloc(1, 1))) {
        _emrtc_json_fail(&in, "out of memory");
        goto fail;
    }
    *out = msg;
    return true;
fail:
    free(msg.data);
    return false;
}

/* ---- writer ---- */

/* Writes s as a JSON string's content into out (NULL: only counts); returns the length. */
static size_t _emrtc_json_escape(char *out, const char *s) {
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        char esc = *c == '"' ? '"' : *c == '\\' ? '\\' : *c == '\n' ? 'n' : *c == '\r' ? 'r' : *c == '\t' ? 't'
                 : *c == '\b' ? 'b' : *c == '\f' ? 'f' : 0;
        if (esc) {
            if (out) out[n] = '\\', out[n + 1] = esc;
            n += 2;
        } else if (*c < 0x20) {
            if (out) memcpy(out + n, "\\u00", 4), out[n + 4] = hex[*c >> 4], out[n + 5] = hex[*c & 15];
            n += 6;
        } else {
            if (out) out[n] = (char)*c;
            n++;
        }
    }
    return n;
}

char *_emrtc_sig_json_encode(int32_t type, int32_t id, const char *data) {
    char head[64], tail[] = "\"}";
    int head_len = snprintf(head, sizeof head, "{\"type\":%ld,\"id\":%ld,\"data\":\"", (long)type, (long)id);
    size_t body = _emrtc_json_escape(NULL, data);
    char *out = malloc((size_t)head_len + body + sizeof tail);
    if (!out) return NULL;
    memcpy(out, head, (size_t)head_len);
    _emrtc_json_escape(out + head_len, data);
    memcpy(out + head_len + body, tail, sizeof tail);
    return out;
}

/* ---- candidate field ---- */

char *_emrtc_sig_candidate_encode(const char *mid, int index, const char *sdp) {
    size_t size = strlen(mid) + strlen(sdp) + 16;
    char *out = malloc(size);
    if (out) snprintf(out, size, "\n%s\n%d\n%s", mid, index, sdp);
    return out;
}

bool _emrtc_sig_candidate_split(char *data, char **mid, int *index, char **sdp) {
    if (data[0] != '\n') return false;
    char *m = data + 1, *i = strchr(m, '\n');
    if (!i) return false;
    char *s = strchr(++i, '\n');
    if (!s || s == i || s - i > 5) return false;
    long v = 0;
    for (char *d = i; d < s; d++) {
        if (*d < '0' || *d > '9') return false;
        v = v * 10 + (*d - '0');
    }
    if (v > 65535) return false;
    i[-1] = '\0';
    *s++ = '\0';
    *mid = m, *index = (int)v, *sdp = s;
    return true;
}

#endif /* EMRTC_SIGNAL_JSON_IMPLEMENTED */
#endif /* EMRTC_SIGNAL_JSON_IMPLEMENTATION */
