/* Handle pool with generation counts (sokol_gfx's slot/generation scheme). */
#include "emrtc_internal.h"

#include <stdlib.h>
#include <string.h>

#define GEN_BITS 15u
#define GEN_MAX ((1u << GEN_BITS) - 1u)

void _emrtc_pool_init(_emrtc_pool *pool, uint32_t max_slots) {
    memset(pool, 0, sizeof(*pool));
    if (max_slots > _EMRTC_POOL_MAX_SLOTS) max_slots = _EMRTC_POOL_MAX_SLOTS;
    pool->max = max_slots + 1u; /* slot 0 is never handed out */
}

void _emrtc_pool_free(_emrtc_pool *pool) {
    uint32_t max = pool->max;
    free(pool->objs);
    free(pool->gens);
    free(pool->free_slots);
    memset(pool, 0, sizeof(*pool));
    pool->max = max;
}

static bool pool_grow(_emrtc_pool *pool) {
    if (pool->cap >= pool->max) return false;
    uint32_t ncap = pool->cap ? pool->cap * 2u : 16u;
    if (ncap > pool->max) ncap = pool->max;
    void **objs = _emrtc_grow(pool->objs, pool->cap * sizeof(*objs), ncap * sizeof(*objs));
    if (!objs) return false;
    pool->objs = objs;
    uint16_t *gens = _emrtc_grow(pool->gens, pool->cap * sizeof(*gens), ncap * sizeof(*gens));
    if (!gens) return false;
    pool->gens = gens;
    uint32_t *fs = _emrtc_grow(pool->free_slots, pool->free_count * sizeof(*fs), ncap * sizeof(*fs));
    if (!fs) return false;
    pool->free_slots = fs;
    uint32_t first = pool->cap ? pool->cap : 1u;
    /* push new slots so that the lowest is handed out first */
    for (uint32_t s = ncap; s-- > first;) {
        objs[s] = NULL;
        gens[s] = 1;
        fs[pool->free_count++] = s;
    }
    if (pool->cap == 0) {
        objs[0] = NULL;
        gens[0] = 0;
    }
    pool->cap = ncap;
    return true;
}

uint32_t _emrtc_pool_add(_emrtc_pool *pool, void *obj) {
    if (!obj) return 0;
    if (pool->free_count == 0 && !pool_grow(pool)) return 0;
    uint32_t slot = pool->free_slots[--pool->free_count];
    pool->objs[slot] = obj;
    pool->live++;
    return ((uint32_t)pool->gens[slot] << 16) | slot;
}

void *_emrtc_pool_get(const _emrtc_pool *pool, uint32_t id) {
    uint32_t slot = id & 0xFFFFu, gen = id >> 16;
    if (slot == 0 || slot >= pool->cap || gen == 0) return NULL;
    if (pool->gens[slot] != gen) return NULL;
    return pool->objs[slot];
}

void *_emrtc_pool_remove(_emrtc_pool *pool, uint32_t id) {
    void *obj = _emrtc_pool_get(pool, id);
    if (!obj) return NULL;
    uint32_t slot = id & 0xFFFFu;
    pool->objs[slot] = NULL;
    pool->gens[slot] = (uint16_t)(pool->gens[slot] >= GEN_MAX ? 1u : pool->gens[slot] + 1u);
    pool->free_slots[pool->free_count++] = slot;
    pool->live--;
    return obj;
}
