/*
 * country.h - ISO 3166-1 country codes.
 *
 * The table is not typed in by hand: cmake/iso3166.cmake generates it at
 * build time (build/gen/iso3166_data.c) from Debian's iso-codes, so limes
 * follows the standard as the distribution ships it. The table is sorted by
 * alpha-2 code, which lets a lookup by alpha-2 be a binary search.
 *
 * Codes are matched exactly: upper-case ASCII only. Callers that accept user
 * input decide themselves whether to upper-case it first; stored data and the
 * API always carry the canonical upper-case form, so a lower-case code here
 * is a sign of data that skipped validation.
 *
 * USAGE:
 *	const struct lm_country *c = lm_country_find("MMR");
 *	if (!c) return lm_error_set(err, LM_EINVAL, "country", "unknown country code");
 *	use(c->alpha2, c->name);	// "MM", "Myanmar"
 *
 * The table and its strings are static and immutable: thread-safe, never freed.
 */
#ifndef LM_CORE_COUNTRY_H
#define LM_CORE_COUNTRY_H

#include <stddef.h>

struct lm_country {
	const char *alpha2; /* "MM" */
	const char *alpha3; /* "MMR" */
	const char *name;   /* English short name, "Myanmar" */
};

/* Generated at build time (cmake/iso3166.cmake); sorted by alpha2. */
extern const struct lm_country lm__countries[];
extern const size_t lm__countries_len;

/* Exact match on an upper-case alpha-2 or alpha-3 code; NULL when unknown (or code is NULL). */
const struct lm_country *lm_country_find(const char *code);

#endif
