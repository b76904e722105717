/* Native unit test of src/emrtc_signal_json.h: the strict reader of the signaling protocol's JSON
   messages, the writer, and the candidate field. Each CHECK counts; the program prints the totals and
   fails on the first mismatch's line. Runs under ASan/UBSan (see CMakeLists.txt), which also makes
   the prefix and mutation loops at the end a small fuzzer: any out-of-bounds read aborts. */
#define EMRTC_SIGNAL_JSON_IMPLEMENTATION
#include "emrtc_signal_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks, failures;

#define CHECK(cond)                                                                                 \
    do {                                                                                            \
        checks++;                                                                                   \
        if (!(cond)) {                                                                              \
            failures++;                                                                             \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);                \
        }                                                                                           \
    } while (0)

static bool parse(const char *text, _emrtc_sig_msg *msg, char *err, size_t err_size) {
    return _emrtc_sig_json_parse(text, strlen(text), msg, err, err_size);
}

/* Parses `text` expecting success with these values. */
static void accepts(int line, const char *text, int type, int id, const char *data) {
    _emrtc_sig_msg msg;
    char err[128] = "";
    checks++;
    if (!parse(text, &msg, err, sizeof err)) {
        failures++;
        fprintf(stderr, "line %d: refused %s: %s\n", line, text, err);
        return;
    }
    if (msg.type != type || msg.id != id || strcmp(msg.data, data) != 0) {
        failures++;
        fprintf(stderr, "line %d: %s gave type %d id %d data \"%s\"\n", line, text, (int)msg.type, (int)msg.id, msg.data);
    }
    free(msg.data);
}

/* Parses `text` expecting failure with exactly the message `want`. */
static void refuses(int line, const char *text, size_t len, const char *want) {
    _emrtc_sig_msg msg;
    char err[128] = "";
    checks++;
    if (_emrtc_sig_json_parse(text, len, &msg, err, sizeof err)) {
        failures++;
        fprintf(stderr, "line %d: accepted %s\n", line, text);
        free(msg.data);
        return;
    }
    if (msg.data != NULL || msg.type != 0 || msg.id != 0 || strcmp(err, want) != 0) {
        failures++;
        fprintf(stderr, "line %d: %s: error \"%s\", want \"%s\"\n", line, text, err, want);
    }
}

#define ACCEPTS(text, type, id, data) accepts(__LINE__, text, type, id, data)
#define REFUSES(text, want) refuses(__LINE__, text, strlen(text), want)

static void test_reader_accepts(void) {
    ACCEPTS("{\"type\":4,\"id\":123,\"data\":\"v=0\\r\\n\"}", 4, 123, "v=0\r\n");
    ACCEPTS(" \t\r\n{ \"data\" : \"x\" , \"id\" : 0 , \"type\" : 7 }\n ", 7, 0, "x");
    ACCEPTS("{\"type\":3,\"id\":9}", 3, 9, "");
    ACCEPTS("{\"type\":0,\"id\":2147483647,\"data\":\"\"}", 0, 2147483647, "");
    ACCEPTS("{\"type\":1,\"id\":1,\"data\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", 1, 1, "\"\\/\b\f\n\r\t");
    ACCEPTS("{\"type\":1,\"id\":1,\"data\":\"\\u00e9\\u20AC\\uD83D\\uDE00\\uDBFF\\uDFFF\\u0001\"}", 1, 1,
            "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\x01");
    ACCEPTS("{\"type\":1,\"id\":1,\"data\":\"caf\xC3\xA9 \xF0\x9F\x98\x80\"}", 1, 1, "caf\xC3\xA9 \xF0\x9F\x98\x80");
    /* other members are skipped, whatever their (valid) values */
    ACCEPTS("{\"x\":[1,-2.5e+3,{\"y\":null,\"z\":[true,false,\"\\u0000\"]}],\"type\":5,\"id\":6,\"w\":{}}", 5, 6, "");
    /* member names may be escaped too */
    ACCEPTS("{\"\\u0074ype\":2,\"i\\u0064\":3,\"data\":\"d\"}", 2, 3, "d");
}

static void test_reader_refuses(void) {
    REFUSES("", "expected a JSON object, found the end at byte 0");
    REFUSES("   ", "expected a JSON object, found the end at byte 3");
    REFUSES("[]", "expected a JSON object at byte 0");
    REFUSES("null", "expected a JSON object at byte 0");
    REFUSES("hello", "expected a JSON object at byte 0");
    REFUSES("{", "expected '\"', found the end at byte 1");
    REFUSES("{}", "member \"type\" is missing at byte 2");
    REFUSES("{\"type\":1}", "member \"id\" is missing at byte 10");
    REFUSES("{\"id\":1,\"data\":\"x\"}", "member \"type\" is missing at byte 19");
    REFUSES("{\"type\":\"1\",\"id\":1}", "\"type\" is not an integer in 0..2147483647 at byte 8");
    REFUSES("{\"type\":1.0,\"id\":1}", "\"type\" is not an integer in 0..2147483647 at byte 8");
    REFUSES("{\"type\":1e0,\"id\":1}", "\"type\" is not an integer in 0..2147483647 at byte 8");
    REFUSES("{\"type\":-1,\"id\":1}", "\"type\" is not an integer in 0..2147483647 at byte 8");
    REFUSES("{\"type\":-0,\"id\":1}", "\"type\" is not an integer in 0..2147483647 at byte 8");
    REFUSES("{\"type\":true,\"id\":1}", "\"type\" is not an integer in 0..2147483647 at byte 8");
    REFUSES("{\"type\":1,\"id\":2147483648}", "\"id\" is not an integer in 0..2147483647 at byte 15");
    REFUSES("{\"type\":1,\"id\":99999999999999999999999}", "\"id\" is not an integer in 0..2147483647 at byte 15");
    REFUSES("{\"type\":01,\"id\":1}", "expected ',' or '}' at byte 9");
    REFUSES("{\"type\":1,\"id\":1,\"data\":5}", "\"data\" is not a string at byte 24");
    REFUSES("{\"type\":1,\"id\":1,\"data\":null}", "\"data\" is not a string at byte 24");
    REFUSES("{\"type\":1,\"type\":2,\"id\":1}", "repeated member at byte 10");
    REFUSES("{\"type\":1,\"id\":1,\"data\":\"a\",\"data\":\"b\"}", "repeated member at byte 28");
    REFUSES("{\"type\":1,\"id\":1} x", "unexpected text after the object at byte 18");
    REFUSES("{\"type\":1,\"id\":1}{}", "unexpected text after the object at byte 17");
    REFUSES("{\"type\":1,\"id\":1,}", "expected '\"' at byte 17");
    REFUSES("{'type':1,'id':1}", "expected '\"' at byte 1");
    REFUSES("{\"type\":1,\"id\":1,\"data\":\"abc", "unterminated string at byte 28");
    REFUSES("{\"type\":1,\"id\":1,\"data\":\"a\nb\"}", "control character 0x0A inside a string at byte 26");
    REFUSES("{\"type\":1,\"id\":1,\"data\":\"\\x\"}", "invalid escape at byte 26");
    REFUSES("{\"type\":1,\"id\":1,\"data\":\"\\u12\"}", "expected 4 hex digits after \\u at byte 27");
    REFUSES("{\"type\":1,\"id\":1,\"data\":\"\\uD800\"}", "high surrogate \\uD800 without a low one at byte 31");
    REFUSES("{\"type\":1,\"id\":1,\"data\":\"\\uD800\\u0041\"}", "high surrogate \\uD800 without a low one at byte 31");
    REFUSES("{\"type\":1,\"id\":1,\"data\":\"\\uDC00\"}", "lone low surrogate \\uDC00 at byte 31");
    REFUSES("{\"type\":1,\"id\":1,\"data\":\"a\\u0000b\"}", "\\u0000 cannot be passed on in a C string at byte 32");
    REFUSES("{\"type\":1,\"id\":1,\"x\":NaN}", "expected a value at byte 21");
    REFUSES("{\"type\":1,\"id\":1,\"x\":tru}", "expected a value at byte 21");
    REFUSES("{\"type\":1,\"id\":1,\"x\":[1,]}", "expected a value at byte 24");
    REFUSES("{\"type\":1,\"id\":1,\"x\":- 1}", "expected a digit at byte 22");
    REFUSES("{\"type\":1,\"id\":1,\"x\":1.}", "expected a digit after the decimal point at byte 23");
    REFUSES("{\"type\":1,\"id\":1,\"x\":1e}", "expected a digit in the exponent at byte 23");
    REFUSES("{\"type\":1,/*c*/\"id\":1}", "expected '\"' at byte 10");
    /* a NUL byte in the frame is a raw control character */
    refuses(__LINE__, "{\"type\":1,\"id\":1,\"data\":\"a\0\"}", 30, "control character 0x00 inside a string at byte 26");
    /* only the given length is read */
    refuses(__LINE__, "{\"type\":1,\"id\":1}", 16, "expected ',' or '}', found the end at byte 16");

    /* nesting: 31 levels inside the message (32 with it) pass, one more is refused */
    char deep[256];
    for (int levels = 31; levels <= 32; levels++) {
        int n = snprintf(deep, sizeof deep, "{\"type\":1,\"id\":1,\"x\":");
        for (int i = 0; i < levels; i++) deep[n++] = '[';
        for (int i = 0; i < levels; i++) deep[n++] = ']';
        strcpy(deep + n, "}");
        _emrtc_sig_msg msg;
        char err[128] = "";
        bool ok = parse(deep, &msg, err, sizeof err);
        if (ok) free(msg.data);
        CHECK(ok == (levels == 31));
        if (!ok) CHECK(strcmp(err, "nested deeper than 32 at byte 52") == 0);
    }
}

static void test_writer(void) {
    char *s = _emrtc_sig_json_encode(6, 42, "a\"b\\c\n\r\t\b\f\x01\x1f\x7f/\xC3\xA9");
    CHECK(s && strcmp(s, "{\"type\":6,\"id\":42,\"data\":\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\x7f/\xC3\xA9\"}") == 0);
    free(s);
    s = _emrtc_sig_json_encode(0, 2147483647, "");
    CHECK(s && strcmp(s, "{\"type\":0,\"id\":2147483647,\"data\":\"\"}") == 0);
    free(s);

    /* round trip of every byte 1..255 in one string, and of typical payloads */
    char all[256];
    for (int i = 1; i < 256; i++) all[i - 1] = (char)i;
    all[255] = '\0';
    const char *samples[] = {all, "", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n", "\n0\n0\ncandidate:1 1 udp 1 ::1 9 typ host"};
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        char *enc = _emrtc_sig_json_encode(5, 77, samples[i]);
        _emrtc_sig_msg msg;
        CHECK(enc && parse(enc, &msg, NULL, 0));
        if (!enc) continue;
        CHECK(msg.type == 5 && msg.id == 77 && strcmp(msg.data, samples[i]) == 0);
        free(msg.data);
        free(enc);
    }
}

static void test_candidate(void) {
    char *s = _emrtc_sig_candidate_encode("0", 0, "candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host");
    CHECK(s && strcmp(s, "\n0\n0\ncandidate:1 1 udp 2122260223 127.0.0.1 5000 typ host") == 0);
    char *mid, *sdp;
    int index = -1;
    CHECK(s && _emrtc_sig_candidate_split(s, &mid, &index, &sdp));
    CHECK(s && strcmp(mid, "0") == 0 && index == 0 && strcmp(sdp, "candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host") == 0);
    free(s);

    char ok1[] = "\naudio\n65535\nline1\nline2";
    CHECK(_emrtc_sig_candidate_split(ok1, &mid, &index, &sdp));
    CHECK(strcmp(mid, "audio") == 0 && index == 65535 && strcmp(sdp, "line1\nline2") == 0);
    char ok2[] = "\n\n0\n"; /* empty mid, end-of-candidates */
    CHECK(_emrtc_sig_candidate_split(ok2, &mid, &index, &sdp));
    CHECK(strcmp(mid, "") == 0 && index == 0 && strcmp(sdp, "") == 0);

    const char *bad[] = {"", "0\n0\nx", "\n0", "\n0\n0", "\n0\nx\ny", "\n0\n\nx", "\n0\n-1\nx", "\n0\n+1\nx",
                         "\n0\n65536\nx", "\n0\n123456\nx", "\n0\n1 \nx"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char buf[32];
        strcpy(buf, bad[i]);
        mid = sdp = NULL;
        CHECK(!_emrtc_sig_candidate_split(buf, &mid, &index, &sdp) && mid == NULL && strcmp(buf, bad[i]) == 0);
    }
}

/* Every proper prefix of a valid message is refused; mutations never crash and, when accepted,
   survive an encode/parse round trip unchanged. */
static void test_robustness(void) {
    const char *good = "{\"type\":6,\"id\":2,\"data\":\"\\n0\\n0\\ncandidate \\u00e9\\uD83D\\uDE00\",\"x\":[{\"a\":1.5e3}]}";
    size_t len = strlen(good);
    int prefix_refused = 0;
    for (size_t n = 0; n < len; n++) {
        char *copy = malloc(n ? n : 1); /* exact size: ASan catches a read past it */
        memcpy(copy, good, n);
        _emrtc_sig_msg msg;
        if (!_emrtc_sig_json_parse(copy, n, &msg, NULL, 0)) prefix_refused++;
        else free(msg.data);
        free(copy);
    }
    CHECK(prefix_refused == (int)len);

    static const char alphabet[] = "{}[]\":,\\u0123456789abcdefDE-+.e \n\ttypeiddatanullx\xC3\xA9";
    unsigned seed = 12345;
    int accepted = 0, round_trips = 0;
    for (int iter = 0; iter < 200000; iter++) {
        char *buf = malloc(len);
        memcpy(buf, good, len);
        int edits = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 4;
        for (int e = 0; e < edits; e++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 16) % len;
            seed = seed * 1103515245u + 12345u;
            buf[at] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        _emrtc_sig_msg msg;
        char err[96];
        if (_emrtc_sig_json_parse(buf, len, &msg, err, sizeof err)) {
            accepted++;
            char *enc = _emrtc_sig_json_encode(msg.type, msg.id, msg.data);
            _emrtc_sig_msg again;
            if (enc && parse(enc, &again, NULL, 0)) {
                if (again.type == msg.type && again.id == msg.id && strcmp(again.data, msg.data) == 0) round_trips++;
                free(again.data);
            }
            free(enc);
            free(msg.data);
        }
        free(buf);
    }
    CHECK(accepted > 0 && round_trips == accepted);
    printf("mutations: %d of 200000 accepted, all round-trip\n", accepted);
}

int main(void) {
    test_reader_accepts();
    test_reader_refuses();
    test_writer();
    test_candidate();
    test_robustness();
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
