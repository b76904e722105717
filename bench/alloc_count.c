/* Counting allocator for the bench's counting build: every malloc, calloc, realloc and memalign in
   the wasm module (emrtc, libc, and the JS runtime's _malloc) goes through here and is counted,
   then forwarded to Emscripten's dlmalloc through the emscripten_builtin_* names it exports for
   exactly this purpose (system/lib/dlmalloc.c in 3.1.6: malloc & co. are weak aliases, so these
   strong definitions replace them). 3.1.6 exports no builtin calloc/realloc: they are built here
   from builtin malloc/free and malloc_usable_size (still dlmalloc's). mallinfo() keeps working,
   since every block still lives in dlmalloc. */
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

void *emscripten_builtin_malloc(size_t size);
void emscripten_builtin_free(void *ptr);
void *emscripten_builtin_memalign(size_t alignment, size_t size);

static double alloc_calls, free_calls;

double bench_alloc_calls(void) { return alloc_calls; }
double bench_free_calls(void) { return free_calls; }

void *malloc(size_t size) {
    alloc_calls++;
    return emscripten_builtin_malloc(size);
}

void free(void *ptr) {
    if (!ptr) return;
    free_calls++;
    emscripten_builtin_free(ptr);
}

void *calloc(size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = malloc(n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

void *realloc(void *ptr, size_t size) {
    if (!ptr) return malloc(size);
    if (!size) {
        free(ptr);
        return NULL;
    }
    size_t old = malloc_usable_size(ptr);
    if (old >= size) return ptr; /* fits: no allocation */
    void *n = malloc(size);
    if (!n) return NULL;
    memcpy(n, ptr, old);
    free(ptr);
    return n;
}

void *memalign(size_t alignment, size_t size) {
    alloc_calls++;
    return emscripten_builtin_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }

int posix_memalign(void **out, size_t alignment, size_t size) {
    void *p = memalign(alignment, size);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
