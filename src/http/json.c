/*
 * json.c - reading request bodies with jansson, field by field, so that
 * every wrong type, missing or unknown member gets an error naming it.
 */
#include "http/http_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int media_is_json(const char *ct)
{
	size_t n;

	if (!ct)
		return 0;
	n = strcspn(ct, ";");
	while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	return n == strlen("application/json") && strncasecmp(ct, "application/json", n) == 0;
}

int lm_json_body(const struct lm_req *req, json_t **out, struct lm_error *err)
{
	json_error_t jerr;
	json_t *j;

	*out = NULL;
	if (!media_is_json(req->content_type))
		return lm_error_set(err, LM_EMEDIA, "Content-Type",
		                    "unsupported media type: send application/json");
	/* jansson rejects invalid UTF-8 and \u0000 by default: both are 400s here. */
	j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		err->offset = jerr.position;
		return lm_error_set(err, LM_EINVAL, "", "malformed JSON at byte %d: %s",
		                    jerr.position, jerr.text);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return lm_error_set(err, LM_EINVAL, "", "the body must be a JSON object");
	}
	*out = j;
	return 0;
}

int lm_json_only(json_t *obj, const char *const *allowed, const char *prefix, struct lm_error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		int ok = 0;
		for (size_t i = 0; allowed[i] && !ok; i++)
			ok = strcmp(key, allowed[i]) == 0;
		if (!ok) {
			char field[96];
			snprintf(field, sizeof(field), "%s%s%.60s", prefix ? prefix : "",
			         prefix && prefix[0] ? "/" : "", key);
			return lm_error_set(err, LM_EINVAL, field, "unknown field");
		}
	}
	return 0;
}

/* Returns the member, NULL when absent (or null and optional); sets *rc on error. */
static json_t *member(json_t *obj, const char *key, int required, const char *field, int *rc,
                      struct lm_error *err)
{
	json_t *v = json_object_get(obj, key);

	*rc = 0;
	if (!v || (json_is_null(v) && !required)) {
		if (required)
			*rc = lm_error_set(err, LM_EINVAL, field, "is required");
		return NULL;
	}
	return v;
}

int lm_json_str(json_t *obj, const char *key, char *dst, size_t cap, int required,
                const char *field, struct lm_error *err)
{
	int rc;
	json_t *v = member(obj, key, required, field, &rc, err);
	size_t n;

	if (!v)
		return rc;
	if (!json_is_string(v))
		return lm_error_set(err, LM_EINVAL, field, "must be a string");
	n = json_string_length(v);
	if (n >= cap)
		return lm_error_set(err, LM_EINVAL, field, "longer than %zu bytes", cap - 1);
	memcpy(dst, json_string_value(v), n + 1);
	return 0;
}

int lm_json_int(json_t *obj, const char *key, long long min, long long max, long long *dst,
                int required, const char *field, struct lm_error *err)
{
	int rc;
	json_t *v = member(obj, key, required, field, &rc, err);
	long long n;

	if (!v)
		return rc;
	if (!json_is_integer(v))
		return lm_error_set(err, LM_EINVAL, field, "must be an integer");
	n = json_integer_value(v);
	if (n < min || n > max)
		return lm_error_set(err, LM_EINVAL, field, "must be from %lld to %lld", min, max);
	*dst = n;
	return 0;
}

int lm_json_num(json_t *obj, const char *key, double *dst, int required, const char *field,
                struct lm_error *err)
{
	int rc;
	json_t *v = member(obj, key, required, field, &rc, err);

	if (!v)
		return rc;
	if (!json_is_number(v))
		return lm_error_set(err, LM_EINVAL, field, "must be a number");
	*dst = json_number_value(v);
	if (!isfinite(*dst))
		return lm_error_set(err, LM_EINVAL, field, "must be finite");
	return 0;
}

int lm_json_bool(json_t *obj, const char *key, int *dst, int required, const char *field,
                 struct lm_error *err)
{
	int rc;
	json_t *v = member(obj, key, required, field, &rc, err);

	if (!v)
		return rc;
	if (!json_is_boolean(v))
		return lm_error_set(err, LM_EINVAL, field, "must be true or false");
	*dst = json_is_true(v);
	return 0;
}

int lm_json_time(json_t *obj, const char *key, lm_time_ms *dst, int required, int allow_null,
                 const char *field, struct lm_error *err)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		if (required)
			return lm_error_set(err, LM_EINVAL, field, "is required");
		return 0;
	}
	if (json_is_null(v)) {
		if (!allow_null)
			return lm_error_set(err, LM_EINVAL, field, "may not be null");
		*dst = LM_TIME_NONE;
		return 0;
	}
	if (!json_is_string(v))
		return lm_error_set(err, LM_EINVAL, field, "must be an ISO 8601 time string");
	return lm_time_parse(json_string_value(v), json_string_length(v), 1, dst, field, err);
}

int lm_json_bits(json_t *obj, const char *key, unsigned (*bit_of)(const char *), unsigned *dst,
                 int required, const char *field, const char *what, struct lm_error *err)
{
	int rc;
	json_t *v = member(obj, key, required, field, &rc, err), *e;
	unsigned bits = 0;
	size_t i;

	if (!v)
		return rc;
	if (!json_is_array(v))
		return lm_error_set(err, LM_EINVAL, field, "must be an array of %s", what);
	json_array_foreach(v, i, e)
	{
		unsigned b;
		char f[96];
		snprintf(f, sizeof(f), "%s/%zu", field, i);
		if (!json_is_string(e) || (b = bit_of(json_string_value(e))) == 0)
			return lm_error_set(err, LM_EINVAL, f, "must be one of %s", what);
		if (bits & b)
			return lm_error_set(err, LM_EINVAL, f, "is listed twice");
		bits |= b;
	}
	*dst = bits;
	return 0;
}

int lm_json_position(json_t *obj, const char *key, double *lon, double *lat, int required,
                     struct lm_error *err)
{
	static const char *const allowed[] = {"lon", "lat", NULL};
	char field[64];
	int rc;
	json_t *v = member(obj, key, required, key, &rc, err);

	if (!v)
		return rc;
	if (!json_is_object(v))
		return lm_error_set(err, LM_EINVAL, key,
		                    "must be an object {\"lon\": .., \"lat\": ..}");
	if ((rc = lm_json_only(v, allowed, key, err)))
		return rc;
	snprintf(field, sizeof(field), "%s/lon", key);
	if ((rc = lm_json_num(v, "lon", lon, 1, field, err)))
		return rc;
	snprintf(field, sizeof(field), "%s/lat", key);
	return lm_json_num(v, "lat", lat, 1, field, err);
}

json_t *lm_json_time_value(lm_time_ms t)
{
	char s[LM_TIME_STRLEN];

	if (t == LM_TIME_NONE)
		return json_null();
	lm_time_format(t, s);
	return json_string(s);
}

json_t *lm_json_bits_value(unsigned bits, unsigned all, const char *(*name_of)(unsigned))
{
	json_t *a = json_array();

	for (unsigned b = 1; a && b && b <= all; b <<= 1)
		if ((bits & b) && (all & b))
			json_array_append_new(a, json_string(name_of(b)));
	return a;
}
