/* tst.h -- the native tests' framework, libuv-style: one file per feature, each test a plain function
   run by TST_RUN from main(); checks count and go on (TST_REQUIRE returns from the test); main ends
   with `return tst_summary("pool");`, which prints "pool: N passed, N failed" and gives the exit
   status. Failures print file:line, the expression and the values. */
#ifndef TST_H_INCLUDED
#define TST_H_INCLUDED

#include <emrtc.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tst_passed, tst_failed;
static const char *tst_current = "";

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
static inline bool tst_check_(bool ok, const char *file, int line, const char *fmt, ...) {
    if (ok) {
        tst_passed++;
        return true;
    }
    tst_failed++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL %s %s:%d: ", tst_current, file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return false;
}

#define TST_CHECK(cond) tst_check_((cond) ? true : false, __FILE__, __LINE__, "%s", #cond)
#define TST_REQUIRE(cond)                                                                            \
    do {                                                                                             \
        if (!TST_CHECK(cond)) return;                                                                \
    } while (0)
#define TST_EQ_INT(actual, expected)                                                                 \
    do {                                                                                             \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                              \
        tst_check_(a_ == e_, __FILE__, __LINE__, "%s is %lld, expected %lld", #actual, a_, e_);      \
    } while (0)
#define TST_EQ_STR(actual, expected)                                                                 \
    do {                                                                                             \
        const char *a_ = (actual), *e_ = (expected);                                                 \
        tst_check_(a_ && e_ && strcmp(a_, e_) == 0, __FILE__, __LINE__, "%s is \"%.200s\", expected \"%.200s\"", \
                   #actual, a_ ? a_ : "(null)", e_ ? e_ : "(null)");                                 \
    } while (0)
/* The call returns exactly `expected` (an emrtc_error). */
#define TST_EQ_ERR(call, expected)                                                                   \
    do {                                                                                             \
        emrtc_error r_ = (call), x_ = (expected);                                                    \
        tst_check_(r_ == x_, __FILE__, __LINE__, "%s returned %s, expected %s (%s)", #call,          \
                   emrtc_error_name(r_), emrtc_error_name(x_), emrtc_last_error_message());          \
    } while (0)
#define TST_OK(call) TST_EQ_ERR(call, EMRTC_OK)
#define TST_RUN(fn)                                                                                  \
    do {                                                                                             \
        tst_current = #fn;                                                                           \
        fn();                                                                                        \
    } while (0)

static inline int tst_summary(const char *suite) {
    printf("%s: %d passed, %d failed\n", suite, tst_passed, tst_failed);
    return tst_failed || !tst_passed ? 1 : 0;
}

#endif
