#include "util/cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define LM_CACHE_STRIPES 64
#define LM_CACHE_KEY_MAX 80

struct slot {
	char key[LM_CACHE_KEY_MAX];
	uint64_t gen;
	lm_time_ms until;
};

struct lm_cache {
	size_t nslots, value_size;
	lm_time_ms ttl;
	atomic_uint_fast64_t gen;
	pthread_mutex_t stripe[LM_CACHE_STRIPES];
	struct slot *slots;
	unsigned char *values;
};

struct lm_cache *lm_cache_new(size_t nslots, size_t value_size, lm_time_ms ttl)
{
	struct lm_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->slots = calloc(nslots, sizeof(*c->slots));
	c->values = calloc(nslots, value_size);
	if (!c->slots || !c->values) {
		free(c->slots);
		free(c->values);
		free(c);
		return NULL;
	}
	c->nslots = nslots;
	c->value_size = value_size;
	c->ttl = ttl;
	atomic_init(&c->gen, 1);
	for (int i = 0; i < LM_CACHE_STRIPES; i++)
		pthread_mutex_init(&c->stripe[i], NULL);
	return c;
}

void lm_cache_free(struct lm_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < LM_CACHE_STRIPES; i++)
		pthread_mutex_destroy(&c->stripe[i]);
	free(c->slots);
	free(c->values);
	free(c);
}

static size_t slot_of(const struct lm_cache *c, const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return (size_t)(h % c->nslots);
}

int lm_cache_get(struct lm_cache *c, const char *key, void *out)
{
	size_t i;
	struct slot *s;
	int hit;

	if (!c || strlen(key) >= LM_CACHE_KEY_MAX)
		return 0;
	i = slot_of(c, key);
	s = &c->slots[i];
	pthread_mutex_lock(&c->stripe[i % LM_CACHE_STRIPES]);
	hit = s->gen == atomic_load(&c->gen) && (c->ttl == 0 || s->until > lm_time_now()) &&
	      !strcmp(s->key, key);
	if (hit)
		memcpy(out, c->values + i * c->value_size, c->value_size);
	pthread_mutex_unlock(&c->stripe[i % LM_CACHE_STRIPES]);
	return hit;
}

void lm_cache_put(struct lm_cache *c, const char *key, const void *val, uint64_t gen)
{
	size_t i, n = strlen(key);
	struct slot *s;

	if (!c || n >= LM_CACHE_KEY_MAX)
		return;
	i = slot_of(c, key);
	s = &c->slots[i];
	pthread_mutex_lock(&c->stripe[i % LM_CACHE_STRIPES]);
	memcpy(s->key, key, n + 1);
	/* Stamped with the generation seen before the read: a clear that raced
	 * with the read leaves this entry already invalid. */
	s->gen = gen;
	s->until = lm_time_now() + c->ttl;
	memcpy(c->values + i * c->value_size, val, c->value_size);
	pthread_mutex_unlock(&c->stripe[i % LM_CACHE_STRIPES]);
}

uint64_t lm_cache_gen(struct lm_cache *c)
{
	return c ? atomic_load(&c->gen) : 0;
}

void lm_cache_clear(struct lm_cache *c)
{
	if (c)
		atomic_fetch_add(&c->gen, 1);
}
