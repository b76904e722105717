/* Handle pool with generation counts (sokol_gfx's slot/generation scheme). Freed slots wait in a FIFO
   and are taken again only while more than _EMRTC_POOL_RESERVE of them wait (or no unused slot is
   left), so a slot is reused only after at least _EMRTC_POOL_RESERVE other creations, and a stale id
   matches a new object only after its slot has been reused 32,767 times. */
#include "emrtc_internal.h"

#include <stdlib.h>
#include <string.h>

#define GEN_BITS 15u
#define GEN_MAX ((1u << GEN_BITS) - 1u)

void _emrtc_pool_init(_emrtc_pool *pool, uint32_t max_slots) {
    memset(pool, 0, sizeof(*pool));
    if (max_slots > _EMRTC_POOL_MAX_SLOTS) max_slots = _EMRTC_POOL_MAX_SLOTS;
    pool->max = max_slots + 1u; /* slot 0 is never handed out */
    pool->unused = 1u;
}

void _emrtc_pool_free(_emrtc_pool *pool) {
    uint32_t max = pool->max;
    free(pool->objs);
    free(pool->gens);
    free(pool->free_slots);
    _emrtc_pool_init(pool, max - 1u);
}

/* Room for at least one more slot than used so far. */
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
    uint32_t *fs = malloc(ncap * sizeof(*fs));
    if (!fs) return false;
    for (uint32_t i = 0; i < pool->free_count; i++) fs[i] = pool->free_slots[(pool->free_head + i) % pool->cap];
    free(pool->free_slots);
    pool->free_slots = fs;
    pool->free_head = 0;
    for (uint32_t s = pool->cap; s < ncap; s++) {
        objs[s] = NULL;
        gens[s] = s ? 1u : 0u;
    }
    pool->cap = ncap;
    return true;
}

uint32_t _emrtc_pool_add(_emrtc_pool *pool, void *obj) {
    if (!obj) return 0;
    uint32_t slot;
    bool fresh = pool->free_count <= _EMRTC_POOL_RESERVE && (pool->unused < pool->cap || pool_grow(pool));
    if (fresh) {
        slot = pool->unused++;
    } else if (pool->free_count) {
        slot = pool->free_slots[pool->free_head];
        pool->free_head = (pool->free_head + 1u) % pool->cap;
        pool->free_count--;
    } else {
        return 0;
    }
    pool->objs[slot] = obj;
    pool->live++;
    return ((uint32_t)pool->gens[slot] << 16) | slot;
}

void *_emrtc_pool_get(const _emrtc_pool *pool, uint32_t id) {
    uint32_t slot = id & 0xFFFFu, gen = id >> 16;
    if (slot == 0 || slot >= pool->unused || gen == 0) return NULL;
    if (pool->gens[slot] != gen) return NULL;
    return pool->objs[slot];
}

void *_emrtc_pool_remove(_emrtc_pool *pool, uint32_t id) {
    void *obj = _emrtc_pool_get(pool, id);
    if (!obj) return NULL;
    uint32_t slot = id & 0xFFFFu;
    pool->objs[slot] = NULL;
    pool->gens[slot] = (uint16_t)(pool->gens[slot] >= GEN_MAX ? 1u : pool->gens[slot] + 1u);
    /* to the back of the FIFO (it has room for every slot) */
    pool->free_slots[(pool->free_head + pool->free_count) % pool->cap] = slot;
    pool->free_count++;
    pool->live--;
    return obj;
}
