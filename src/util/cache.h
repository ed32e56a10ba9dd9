/*
 * cache.h - a small direct-mapped cache of fixed-size values by string key,
 * for read-mostly records on hot paths (sessions, crossing points, rendered
 * responses), so they need no database read.
 *
 * Entries live in fixed slots chosen by a hash of the key; a collision simply
 * replaces the older entry. Slots are guarded by striped mutexes, so readers
 * of different keys rarely meet.
 *
 * Coherence is the caller's: lm_cache_clear() invalidates everything at once
 * (a generation bump, O(1)), and a non-zero ttl bounds how long any entry
 * lives. A value read from its source after lm_cache_gen() was taken is put
 * with that generation, so a clear that raced with the read wins.
 *
 * USAGE:
 *	struct lm_cache *c = lm_cache_new(1024, sizeof(struct rec), 5000);
 *	if (!lm_cache_get(c, key, &rec)) {
 *		uint64_t gen = lm_cache_gen(c);
 *		load(&rec);
 *		lm_cache_put(c, key, &rec, gen);
 *	}
 *	lm_cache_free(c);
 * Every function accepts a NULL cache and then does nothing (a miss).
 */
#ifndef LM_CACHE_H
#define LM_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "util/time.h"

#define LM_CACHE_KEY_MAX 80 /* longer keys are never cached */

struct lm_cache;

/* ttl in ms; 0 = entries never expire (for values keyed by an immutable version). */
struct lm_cache *lm_cache_new(size_t nslots, size_t value_size, lm_time_ms ttl);
void lm_cache_free(struct lm_cache *c);
/* 1 and *out filled (value_size bytes) on a hit. */
int lm_cache_get(struct lm_cache *c, const char *key, void *out);
void lm_cache_put(struct lm_cache *c, const char *key, const void *val, uint64_t gen);
uint64_t lm_cache_gen(struct lm_cache *c);
void lm_cache_clear(struct lm_cache *c);

#endif
