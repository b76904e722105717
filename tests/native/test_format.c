/* _emrtc_format (the formatter behind emrtc_last_error_message) against libc's snprintf for every
   directive emrtc uses, edge values and every truncation length; and _emrtc_grow. */
#include "emrtc_internal.h"
#include "tst.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char ours[128], libc[128];

/* Formats with both and compares, at capacity cap. */
static bool same(size_t cap, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool same(size_t cap, const char *fmt, ...) {
    va_list a, b;
    va_start(a, fmt);
    va_copy(b, a);
    memset(ours, 'X', sizeof ours);
    memset(libc, 'Y', sizeof libc);
    _emrtc_format(ours, cap, fmt, a);
    vsnprintf(libc, cap, fmt, b);
    va_end(a);
    va_end(b);
    bool ok = cap == 0 ? (ours[0] == 'X') : strcmp(ours, libc) == 0;
    if (!ok) printf("  format \"%s\" cap %zu: ours \"%s\", libc \"%s\"\n", fmt, cap, ours, libc);
    return ok;
}

static void test_directives_match_libc(void) {
    TST_CHECK(same(sizeof ours, "plain text, no directive"));
    TST_CHECK(same(sizeof ours, "%s and %s", "one", ""));
    TST_CHECK(same(sizeof ours, "[%.3s] [%.0s] [%.10s]", "abcdef", "xyz", "short"));
    TST_CHECK(same(sizeof ours, "[%.*s] [%.*s]", 2, "abcdef", 0, "abc"));
    TST_CHECK(same(sizeof ours, "%d %d %d %d %d", 0, 7, -7, INT_MAX, INT_MIN));
    TST_CHECK(same(sizeof ours, "%u %u %u", 0u, 42u, UINT_MAX));
    TST_CHECK(same(sizeof ours, "%zu %zu %zu", (size_t)0, (size_t)65535, (size_t)SIZE_MAX));
    TST_CHECK(same(sizeof ours, "100%% sure, %d%%", 5));
    TST_CHECK(same(sizeof ours, "label is %zu bytes, at most %u allowed", (size_t)70000, 65535u));
    TST_CHECK(same(sizeof ours, "%s: type \"%.32s\" is not offer", "set_local_description", "a type that is longer than thirty-two bytes"));
}

static void test_truncates_like_libc_at_every_capacity(void) {
    int mismatches = 0;
    for (size_t cap = 1; cap <= 40; cap++)
        if (!same(cap, "id %u is over %d; %s (%zu)", 70000u, -12, "a sentence that will not fit", (size_t)123456))
            mismatches++;
    TST_EQ_INT(mismatches, 0);
    TST_CHECK(same(0, "nothing is written with no room"));
}

static void test_random_values_match_libc(void) {
    srand(12345);
    int mismatches = 0;
    for (int i = 0; i < 20000; i++) {
        int d = rand() - RAND_MAX / 2;
        unsigned u = (unsigned)rand() * 2654435761u;
        size_t z = (size_t)rand() * (size_t)rand();
        if (!same(sizeof ours, "%d|%u|%zu", d, u, z)) mismatches++;
    }
    TST_EQ_INT(mismatches, 0);
}

/* No format attribute: lets the test pass directives emrtc never uses. */
static void raw(char *buf, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    _emrtc_format(buf, cap, fmt, ap);
    va_end(ap);
}

static void test_unsupported_directive_consumes_nothing(void) {
    char buf[64];
    /* an unknown directive is shown as %? and reads no argument: the %s after it gets the first */
    raw(buf, sizeof buf, "%q then %s", "first");
    TST_EQ_STR(buf, "%? then first");
    raw(buf, sizeof buf, "trailing %");
    TST_EQ_STR(buf, "trailing %?");
    raw(buf, sizeof buf, "%s", (const char *)NULL);
    TST_EQ_STR(buf, "(null)");
}

static void test_grow_keeps_the_prefix(void) {
    int *a = _emrtc_grow(NULL, 0, 4 * sizeof(int));
    TST_REQUIRE(a != NULL);
    for (int i = 0; i < 4; i++) a[i] = i * 11;
    int *b = _emrtc_grow(a, 4 * sizeof(int), 1000 * sizeof(int));
    TST_REQUIRE(b != NULL);
    TST_CHECK(b[0] == 0 && b[1] == 11 && b[2] == 22 && b[3] == 33);
    int *c = _emrtc_grow(b, 1000 * sizeof(int), 2 * sizeof(int)); /* shrinking keeps what fits */
    TST_REQUIRE(c != NULL);
    TST_CHECK(c[0] == 0 && c[1] == 11);
    free(c);
}

int main(void) {
    TST_RUN(test_directives_match_libc);
    TST_RUN(test_truncates_like_libc_at_every_capacity);
    TST_RUN(test_random_values_match_libc);
    TST_RUN(test_unsupported_directive_consumes_nothing);
    TST_RUN(test_grow_keeps_the_prefix);
    return tst_summary("format");
}
