/*
 * http_int.h - what handlers see: a plain request and response, never MHD.
 *
 * Handlers take (ctx, req, resp), fill resp and return 0, or return a
 * negative LM_E code with ctx->err filled, which the router turns into a
 * problem+json answer (lm_http_status_of maps the codes).
 *
 * JSON ownership follows jansson's words: "new" references are the caller's
 * to json_decref, "borrowed" ones are not, "stolen" ones are taken over by
 * the callee (json_object_set_new and friends).
 */
#ifndef LM_HTTP_INT_H
#define LM_HTTP_INT_H

#include <jansson.h>

#include "http/http.h"
#include "util/buf.h"
#include "util/cache.h"

/* Caps that protect the server; each says why. */
#define LM_HTTP_QUERY_MAX        16   /* query parameters kept; the API uses at most 6 */
#define LM_HTTP_PARAMS_MAX       4    /* {param} segments in one route */
#define LM_HTTP_HEADERS_OUT      8    /* extra response headers */
#define LM_HTTP_HEADER_VALUE_MAX 256  /* longest header value we copy (If-Match, keys) */
#define LM_HTTP_PAGE_MAX         1000 /* largest page; bigger exports use the GeoJSON/CSV forms */
#define LM_HTTP_PAGE_DEFAULT     100

struct lm_kv {
	const char *key;
	const char *value;
};

struct lm_req {
	const char *method;
	const char *path; /* decoded, without the query */
	struct lm_kv query[LM_HTTP_QUERY_MAX];
	size_t nquery;
	const char *authorization;
	const char *content_type;
	const char *accept;
	const char *if_match;
	const char *idem_key;
	const char *purpose;
	char ip[LM_IP_MAX + 1];
	char request_id[LM_UUID_STRLEN];
	const char *body;
	size_t body_len;
	const char *params[LM_HTTP_PARAMS_MAX]; /* route {params}, decoded */
	size_t nparams;
};

struct lm_resp {
	int status;
	const char *content_type;
	struct lm_buf body;
	struct lm_kv headers[LM_HTTP_HEADERS_OUT];
	char header_store[LM_HTTP_HEADERS_OUT][LM_HTTP_HEADER_VALUE_MAX];
	size_t nheaders;
};

struct lm_ctx {
	struct lm_app *app;
	struct lm_actor actor; /* valid when the route needs authentication */
	const char *web_root;
	struct lm_error err;
	const char *route; /* route pattern, for logs: never the raw path */
	int route_index;
	int preauthenticated;    /* lm_http_call: actor already set, skip the token */
	struct lm_cache *render; /* rendered bodies by "<id>:<version>"; may be NULL */
};

/* A rendered JSON body as kept in ctx->render: bodies that do not fit are not cached. */
struct lm_rendered {
	uint32_t len;
	char body[4092];
};

typedef int (*lm_handler)(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp);

/* routes.c */
enum lm_route_flags {
	LM_ROUTE_PUBLIC = 1 << 0, /* no token needed (login, health, static, OpenAPI) */
	LM_ROUTE_PREFIX = 1 << 1, /* the last {param} takes the rest of the path (static files) */
};

/* Route the request and run its handler; always leaves a complete response. */
void lm_http_dispatch(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp);
size_t lm__route_slots(void); /* routes + 1 for "unmatched", for metrics */
const char *lm__route_name(size_t slot);

/* problem.c */
int lm_http_status_of(int code);
void lm_http_problem(struct lm_resp *resp, int status, const char *detail, const char *field);
void lm_http_problem_err(struct lm_resp *resp, const struct lm_error *err);

/* respond.c */
void lm_resp_init(struct lm_resp *resp);
void lm_resp_release(struct lm_resp *resp);
int lm_resp_header(struct lm_resp *resp, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Serialise `body` (stolen) as the response with this status. */
int lm_resp_json(struct lm_resp *resp, int status, json_t *body);
void lm_resp_etag(struct lm_resp *resp, int64_t version);
/*
 * 200 with render(rec) as the body, served from ctx->render when this id and
 * version were rendered before: the desk and the map ask for the same few
 * records all day, and rendering costs more than the rest of the request.
 */
int lm_resp_json_cached(struct lm_ctx *ctx, struct lm_resp *resp, const char *id, int64_t version,
                        json_t *(*render)(const void *rec), const void *rec);
const char *lm_req_query(const struct lm_req *req, const char *key);
/* Keyset page from ?limit=&after=; LM_EINVAL for a bad limit. */
int lm_req_page(const struct lm_req *req, struct lm_page *pg, struct lm_error *err);
/* Version from If-Match ("v12" with or without quotes, W/ refused); 428 when missing. */
int lm_req_if_match(const struct lm_req *req, int64_t *version, struct lm_error *err);
/* The idempotency key and request hash for a POST. */
int lm_req_idem(const struct lm_req *req, const char *route, struct lm_idem_req *idem,
                struct lm_error *err);
/* 1 when the client asked for GeoJSON (?format=geojson or Accept: application/geo+json). */
int lm_req_wants_geojson(const struct lm_req *req);
/* Answer a create: the object `render` produced, 201 + Location, or the replayed status. */
void lm_resp_created(struct lm_resp *resp, const struct lm_created *cr, const char *location_fmt,
                     json_t *obj);

/* A page being built by a list callback; lm_resp_list sends it with its `next` cursor. */
struct lm_list_out {
	json_t *items; /* new reference, released by lm_resp_list */
	char last[64]; /* key of the last row: the next page's `after` */
	int n;
	int geojson; /* items are GeoJSON Features */
};

int lm_list_init(struct lm_list_out *l, int geojson, struct lm_error *err);
/* Appends (stolen) item with its keyset key. Returns 0, or 1 to stop on out of memory. */
int lm_list_add(struct lm_list_out *l, json_t *item, const char *key);
/* {"items": [...], "next": key|null} or a GeoJSON FeatureCollection; releases l. */
int lm_resp_list(struct lm_resp *resp, struct lm_list_out *l, const struct lm_page *pg);
/*
 * A whole list endpoint: reads ?limit=&after= (and ?format=geojson when
 * geojson_ok), lets `fetch` fill the page through an app/ list call, answers.
 */
int lm_list_respond(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp, int geojson_ok,
                    int (*fetch)(struct lm_ctx *ctx, const struct lm_page *pg,
                                 struct lm_list_out *l));

/* json.c — request bodies. */
/* Parse the body as a JSON object: 415 unless application/json, 400 with the byte offset. */
int lm_json_body(const struct lm_req *req, json_t **out, struct lm_error *err);
/* LM_EINVAL naming the first member of obj that is not in `allowed` (NULL-terminated). */
int lm_json_only(json_t *obj, const char *const *allowed, const char *prefix, struct lm_error *err);
/*
 * Field readers. When the member is absent: LM_EINVAL if `required`, else 0 and
 * the destination untouched (so PATCH applies onto the current record).
 * JSON null counts as absent for optional fields.
 */
int lm_json_str(json_t *obj, const char *key, char *dst, size_t cap, int required,
                const char *field, struct lm_error *err);
int lm_json_int(json_t *obj, const char *key, long long min, long long max, long long *dst,
                int required, const char *field, struct lm_error *err);
int lm_json_num(json_t *obj, const char *key, double *dst, int required, const char *field,
                struct lm_error *err);
int lm_json_bool(json_t *obj, const char *key, int *dst, int required, const char *field,
                 struct lm_error *err);
/* ISO 8601 instant; null sets LM_TIME_NONE when allow_null. */
int lm_json_time(json_t *obj, const char *key, lm_time_ms *dst, int required, int allow_null,
                 const char *field, struct lm_error *err);
/* Array of names mapped to bits by `bit_of` (0 = unknown name). */
int lm_json_bits(json_t *obj, const char *key, unsigned (*bit_of)(const char *), unsigned *dst,
                 int required, const char *field, const char *what, struct lm_error *err);
/* {"lon":..,"lat":..} */
int lm_json_position(json_t *obj, const char *key, double *lon, double *lat, int required,
                     struct lm_error *err);
/* Time as text for JSON: null for LM_TIME_NONE. New reference. */
json_t *lm_json_time_value(lm_time_ms t);
/* Bit set as array of names. New reference. */
json_t *lm_json_bits_value(unsigned bits, unsigned all, const char *(*name_of)(unsigned));

/* Handlers, one group per file. */
int h_health(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_metrics(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_openapi(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_static(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_session_create(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_session_delete(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_me(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_token_list(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_token_create(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_token_revoke(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_me_password(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_agency_list(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_agency_create(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_agency_get(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_agency_patch(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_user_list(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_user_create(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_user_get(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_user_patch(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_user_password(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_point_list(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_point_create(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_point_get(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_point_patch(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_point_delete(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_segment_delete(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_marker_delete(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_status_get(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_status_create(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_status_history(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_segment_list(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_segment_create(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_segment_get(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_segment_patch(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_marker_list(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_marker_create(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_marker_get(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_marker_patch(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_inspection_list(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_inspection_create(struct lm_ctx *, struct lm_req *, struct lm_resp *);
int h_audit_list(struct lm_ctx *, struct lm_req *, struct lm_resp *);

/* h_misc.c: a user account as JSON (also for h_people.c). New reference. */
json_t *lm__user_json(const struct lm_user_view *v);

/* metrics.c */
void lm_metrics_init(void);
void lm_metrics_observe(size_t route_slot, int status, double seconds);
int lm_metrics_render(struct lm_app *app, struct lm_buf *out);

#endif
