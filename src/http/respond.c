/*
 * respond.c - building responses and reading the request's common parts
 * (pagination, If-Match, Idempotency-Key).
 */
#include "http/http_int.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lm_resp_init(struct lm_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	lm_buf_init(&resp->body, 0);
	resp->status = 200;
	resp->content_type = "application/json";
}

void lm_resp_release(struct lm_resp *resp)
{
	lm_buf_release(&resp->body);
}

int lm_resp_header(struct lm_resp *resp, const char *key, const char *fmt, ...)
{
	va_list ap;

	if (resp->nheaders == LM_HTTP_HEADERS_OUT)
		LM_BUG("too many response headers");
	va_start(ap, fmt);
	vsnprintf(resp->header_store[resp->nheaders], LM_HTTP_HEADER_VALUE_MAX, fmt, ap);
	va_end(ap);
	resp->headers[resp->nheaders].key = key;
	resp->headers[resp->nheaders].value = resp->header_store[resp->nheaders];
	resp->nheaders++;
	return 0;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
	return lm_buf_add(data, buffer, size) ? -1 : 0;
}

int lm_resp_json(struct lm_resp *resp, int status, json_t *body)
{
	int rc;

	lm_buf_reset(&resp->body);
	resp->status = status;
	resp->content_type = "application/json";
	if (!body) {
		resp->status = 500;
		return lm_buf_puts(&resp->body, "{\"title\":\"out of memory\",\"status\":500}");
	}
	/* 12 significant digits: coordinates keep their 7 decimals without binary noise. */
	rc = json_dump_callback(body, dump_cb, &resp->body, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(body);
	if (rc) {
		resp->status = 500;
		lm_buf_reset(&resp->body);
		return LM_ENOMEM;
	}
	return 0;
}

void lm_resp_etag(struct lm_resp *resp, int64_t version)
{
	lm_resp_header(resp, "ETag", "\"v%lld\"", (long long)version);
}

const char *lm_req_query(const struct lm_req *req, const char *key)
{
	for (size_t i = 0; i < req->nquery; i++)
		if (strcmp(req->query[i].key, key) == 0)
			return req->query[i].value ? req->query[i].value : "";
	return NULL;
}

static int parse_ll(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return (errno || end == s || *end) ? -1 : 0;
}

int lm_req_page(const struct lm_req *req, struct lm_page *pg, struct lm_error *err)
{
	const char *limit = lm_req_query(req, "limit"), *after = lm_req_query(req, "after");
	long long n;

	pg->limit = LM_HTTP_PAGE_DEFAULT;
	pg->after[0] = '\0';
	if (limit) {
		if (parse_ll(limit, &n) || n < 1 || n > LM_HTTP_PAGE_MAX)
			return lm_error_set(err, LM_EINVAL, "limit",
			                    "must be an integer from 1 to %d", LM_HTTP_PAGE_MAX);
		pg->limit = (int)n;
	}
	if (after) {
		if (strlen(after) >= sizeof(pg->after))
			return lm_error_set(err, LM_EINVAL, "after",
			                    "is not a cursor of this list");
		snprintf(pg->after, sizeof(pg->after), "%s", after);
	}
	return 0;
}

int lm_req_if_match(const struct lm_req *req, int64_t *version, struct lm_error *err)
{
	const char *h = req->if_match;
	char tmp[32];
	size_t n;
	long long v;

	if (!h)
		return lm_error_set(err, LM_EPRECOND, "If-Match",
		                    "required: send the ETag of the version you read");
	n = strlen(h);
	if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
		h++;
		n -= 2;
	}
	if (n < 2 || n >= sizeof(tmp) || h[0] != 'v')
		return lm_error_set(err, LM_ESTALE, "If-Match", "does not match the current ETag");
	memcpy(tmp, h + 1, n - 1);
	tmp[n - 1] = '\0';
	if (parse_ll(tmp, &v) || v < 1)
		return lm_error_set(err, LM_ESTALE, "If-Match", "does not match the current ETag");
	*version = v;
	return 0;
}

int lm_req_idem(const struct lm_req *req, const char *route, struct lm_idem_req *idem,
                struct lm_error *err)
{
	crypto_generichash_state st;
	unsigned char h[32];

	memset(idem, 0, sizeof(*idem));
	if (!req->idem_key)
		return 0;
	if (req->idem_key[0] == '\0' || strlen(req->idem_key) > LM_IDEM_KEY_MAX)
		return lm_error_set(err, LM_EINVAL, "Idempotency-Key", "must be 1 to %d characters",
		                    LM_IDEM_KEY_MAX);
	for (const char *p = req->idem_key; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return lm_error_set(err, LM_EINVAL, "Idempotency-Key",
			                    "must be printable ASCII without spaces");
	idem->key = req->idem_key;
	/* The same key with another body is a client bug, not a retry: hash what was asked. */
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)req->method, strlen(req->method) + 1);
	crypto_generichash_update(&st, (const unsigned char *)req->path, strlen(req->path) + 1);
	crypto_generichash_update(&st, (const unsigned char *)route, strlen(route) + 1);
	if (req->body_len)
		crypto_generichash_update(&st, (const unsigned char *)req->body, req->body_len);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(idem->request_hash, sizeof(idem->request_hash), h, sizeof(h));
	return 0;
}

int lm_req_wants_geojson(const struct lm_req *req)
{
	const char *f = lm_req_query(req, "format");

	if (f)
		return strcmp(f, "geojson") == 0;
	return req->accept && strstr(req->accept, "application/geo+json") != NULL;
}

void lm_resp_created(struct lm_resp *resp, const struct lm_created *cr, const char *location_fmt,
                     json_t *obj)
{
	lm_resp_json(resp, cr->replayed ? (cr->status ? cr->status : 201) : 201, obj);
	if (location_fmt)
		lm_resp_header(resp, "Location", location_fmt, cr->id);
	if (cr->replayed)
		lm_resp_header(resp, "Idempotent-Replayed", "true");
}

int lm_list_init(struct lm_list_out *l, int geojson, struct lm_error *err)
{
	memset(l, 0, sizeof(*l));
	l->geojson = geojson;
	l->items = json_array();
	return l->items ? 0 : lm_error_set(err, LM_ENOMEM, "", "out of memory");
}

int lm_list_add(struct lm_list_out *l, json_t *item, const char *key)
{
	if (!item || json_array_append_new(l->items, item))
		return 1;
	snprintf(l->last, sizeof(l->last), "%s", key);
	l->n++;
	return 0;
}

int lm_resp_list(struct lm_resp *resp, struct lm_list_out *l, const struct lm_page *pg)
{
	json_t *next = pg->limit > 0 && l->n == pg->limit ? json_string(l->last) : json_null();
	json_t *body;
	int rc;

	if (l->geojson) {
		body = json_pack("{s:s, s:o, s:o}", "type", "FeatureCollection", "features",
		                 l->items, "next", next);
		rc = lm_resp_json(resp, 200, body);
		resp->content_type = "application/geo+json";
	} else {
		body = json_pack("{s:o, s:o}", "items", l->items, "next", next);
		rc = lm_resp_json(resp, 200, body);
	}
	l->items = NULL;
	return rc;
}

int lm_resp_json_cached(struct lm_ctx *ctx, struct lm_resp *resp, const char *id, int64_t version,
                        json_t *(*render)(const void *rec), const void *rec)
{
	struct lm_rendered r; /* 4 KiB on a pool thread's stack */
	char key[LM_CACHE_KEY_MAX];
	uint64_t gen = lm_cache_gen(ctx->render);
	int rc;

	snprintf(key, sizeof(key), "%.60s:%lld", id, (long long)version);
	if (lm_cache_get(ctx->render, key, &r)) {
		resp->status = 200;
		resp->content_type = "application/json";
		return lm_buf_add(&resp->body, r.body, r.len);
	}
	rc = lm_resp_json(resp, 200, render(rec));
	if (!rc && ctx->render && resp->body.len <= sizeof(r.body)) {
		r.len = (uint32_t)resp->body.len;
		memcpy(r.body, resp->body.ptr, resp->body.len);
		lm_cache_put(ctx->render, key, &r, gen);
	}
	return rc;
}

int lm_list_respond(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp, int geojson_ok,
                    int (*fetch)(struct lm_ctx *ctx, const struct lm_page *pg,
                                 struct lm_list_out *l))
{
	struct lm_list_out l;
	struct lm_page pg;
	int rc;

	if ((rc = lm_req_page(req, &pg, &ctx->err)) ||
	    (rc = lm_list_init(&l, geojson_ok && lm_req_wants_geojson(req), &ctx->err)))
		return rc;
	if ((rc = fetch(ctx, &pg, &l))) {
		json_decref(l.items);
		return rc;
	}
	return lm_resp_list(resp, &l, &pg);
}
