/*
 * routes.c - the one route table. A known path with a method it does not
 * have is 405 with Allow; an unknown path is 404. Every route but the
 * LM_ROUTE_PUBLIC ones needs a bearer token; what the caller's role may do
 * is decided in app/, not here.
 */
#include "core/text.h"
#include "http/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct route {
	const char *method;
	const char *path; /* segments; "{name}" matches one segment */
	lm_handler handler;
	unsigned flags;
};

static const struct route routes[] = {
    {"GET", "/healthz", h_health, LM_ROUTE_PUBLIC},
    {"GET", "/metrics", h_metrics, 0},
    {"GET", "/api/v1/openapi.json", h_openapi, LM_ROUTE_PUBLIC},
    {"POST", "/api/v1/sessions", h_session_create, LM_ROUTE_PUBLIC},
    {"DELETE", "/api/v1/sessions/current", h_session_delete, 0},
    {"GET", "/api/v1/me", h_me, 0},
    {"GET", "/api/v1/tokens", h_token_list, 0},
    {"POST", "/api/v1/tokens", h_token_create, 0},
    {"DELETE", "/api/v1/tokens/{id}", h_token_revoke, 0},
    {"POST", "/api/v1/me/password", h_me_password, 0},
    {"GET", "/api/v1/agencies", h_agency_list, 0},
    {"POST", "/api/v1/agencies", h_agency_create, 0},
    {"GET", "/api/v1/agencies/{id}", h_agency_get, 0},
    {"PATCH", "/api/v1/agencies/{id}", h_agency_patch, 0},
    {"GET", "/api/v1/users", h_user_list, 0},
    {"POST", "/api/v1/users", h_user_create, 0},
    {"GET", "/api/v1/users/{id}", h_user_get, 0},
    {"PATCH", "/api/v1/users/{id}", h_user_patch, 0},
    {"POST", "/api/v1/users/{id}/password", h_user_password, 0},
    {"GET", "/api/v1/crossing-points", h_point_list, 0},
    {"POST", "/api/v1/crossing-points", h_point_create, 0},
    {"GET", "/api/v1/crossing-points/{code}", h_point_get, 0},
    {"PATCH", "/api/v1/crossing-points/{code}", h_point_patch, 0},
    {"DELETE", "/api/v1/crossing-points/{code}", h_point_delete, 0},
    {"GET", "/api/v1/crossing-points/{code}/status", h_status_get, 0},
    {"POST", "/api/v1/crossing-points/{code}/status", h_status_create, 0},
    {"GET", "/api/v1/crossing-points/{code}/status/history", h_status_history, 0},
    {"GET", "/api/v1/segments", h_segment_list, 0},
    {"POST", "/api/v1/segments", h_segment_create, 0},
    {"GET", "/api/v1/segments/{code}", h_segment_get, 0},
    {"PATCH", "/api/v1/segments/{code}", h_segment_patch, 0},
    {"DELETE", "/api/v1/segments/{code}", h_segment_delete, 0},
    {"GET", "/api/v1/markers", h_marker_list, 0},
    {"POST", "/api/v1/markers", h_marker_create, 0},
    {"GET", "/api/v1/markers/{pillar}", h_marker_get, 0},
    {"PATCH", "/api/v1/markers/{pillar}", h_marker_patch, 0},
    {"DELETE", "/api/v1/markers/{pillar}", h_marker_delete, 0},
    {"GET", "/api/v1/markers/{pillar}/inspections", h_inspection_list, 0},
    {"POST", "/api/v1/markers/{pillar}/inspections", h_inspection_create, 0},
    {"GET", "/api/v1/audit", h_audit_list, 0},
    {"GET", "/", h_static, LM_ROUTE_PUBLIC},
    {"GET", "/static/{path}", h_static, LM_ROUTE_PUBLIC | LM_ROUTE_PREFIX},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

size_t lm_http_route_count(void)
{
	return NROUTES;
}

void lm_http_route_info(size_t i, const char **method, const char **path)
{
	*method = routes[i].method;
	*path = routes[i].path;
}

size_t lm__route_slots(void)
{
	return NROUTES + 1;
}

const char *lm__route_name(size_t slot)
{
	return slot < NROUTES ? routes[slot].path : "unmatched";
}

#define LM_PATH_SEGMENTS 16 /* deeper than any route; longer paths are simply 404 */

struct split_path {
	char *seg[LM_PATH_SEGMENTS];
	size_t off[LM_PATH_SEGMENTS]; /* offset of each segment in the original path */
	size_t n;
	int trailing_slash;
};

/* Split "/a/b/c" in place into segments. 0 on success, -1 when it is not a path we serve. */
static int split(char *scratch, struct split_path *sp)
{
	char *s = scratch;

	sp->n = 0;
	sp->trailing_slash = 0;
	if (*s != '/')
		return -1;
	if (s[1] == '\0')
		return 0; /* "/" has no segments */
	while (*s == '/') {
		char *start = ++s;
		if (sp->n == LM_PATH_SEGMENTS)
			return -1;
		while (*s && *s != '/')
			s++;
		if (s == start) {
			if (*s != '\0')
				return -1;      /* "//" */
			sp->trailing_slash = 1; /* "/a/" */
			break;
		}
		sp->off[sp->n] = (size_t)(start - scratch);
		sp->seg[sp->n++] = start;
	}
	/* Terminate each segment where the next one's '/' stood. */
	for (size_t i = 0; i < sp->n; i++) {
		char *slash = strchr(sp->seg[i], '/');
		if (slash)
			*slash = '\0';
	}
	return 0;
}

static int match(const struct route *r, const struct split_path *sp, const char *path,
                 struct lm_req *req)
{
	const char *p = r->path;
	size_t i = 0, np = 0;

	if (strcmp(p, "/") == 0)
		return sp->n == 0 && !sp->trailing_slash;
	if (sp->trailing_slash)
		return 0;
	while (*p == '/') {
		const char *start = ++p;
		size_t len;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - start);
		if (i == sp->n)
			return 0;
		if (start[0] == '{') {
			if (np == LM_HTTP_PARAMS_MAX)
				return 0;
			if ((r->flags & LM_ROUTE_PREFIX) && *p == '\0') {
				req->params[np++] = path + sp->off[i];
				req->nparams = np;
				return 1;
			}
			req->params[np++] = sp->seg[i];
		} else if (strlen(sp->seg[i]) != len || memcmp(sp->seg[i], start, len) != 0) {
			return 0;
		}
		i++;
	}
	if (i != sp->n)
		return 0;
	req->nparams = np;
	return 1;
}

static int authenticate(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	const char *h = req->authorization;
	int rc;

	if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
		lm_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"limes\"");
		lm_http_problem(resp, 401, "a bearer token is required (POST /api/v1/sessions)",
		                NULL);
		return -1;
	}
	rc = lm_app_authenticate(ctx->app, h + 7, &ctx->actor);
	if (rc == LM_EBUSY) {
		lm_http_problem(resp, 503, "the database is busy, retry", NULL);
		return -1;
	}
	if (rc) {
		lm_resp_header(resp, "WWW-Authenticate",
		               "Bearer realm=\"limes\", error=\"invalid_token\"");
		lm_http_problem(resp, 401, "the token is unknown, expired or revoked", NULL);
		return -1;
	}
	snprintf(ctx->actor.ip, sizeof(ctx->actor.ip), "%s", req->ip);
	snprintf(ctx->actor.request_id, sizeof(ctx->actor.request_id), "%s", req->request_id);
	if (req->purpose) {
		size_t bad;
		/* The purpose goes into the audit log verbatim: never cut, never control bytes. */
		if (strlen(req->purpose) >= sizeof(ctx->actor.purpose) ||
		    lm_text_check(req->purpose, strlen(req->purpose), 0, &bad)) {
			char detail[96];
			snprintf(detail, sizeof(detail),
			         "must be printable text of at most %zu bytes",
			         sizeof(ctx->actor.purpose) - 1);
			lm_http_problem(resp, 422, detail, "X-Purpose");
			return -1;
		}
		memcpy(ctx->actor.purpose, req->purpose, strlen(req->purpose) + 1);
	}
	return 0;
}

void lm_http_dispatch(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	size_t plen = strlen(req->path);
	char *scratch = malloc(plen + 1);
	struct split_path sp;
	char allow[64] = "";
	const struct route *found = NULL;
	int rc;

	ctx->route = "unmatched";
	ctx->route_index = (int)NROUTES;
	lm_error_init(&ctx->err);
	if (!scratch) {
		lm_http_problem(resp, 500, "out of memory", NULL);
		return;
	}
	memcpy(scratch, req->path, plen + 1);
	if (split(scratch, &sp) == 0) {
		for (size_t i = 0; i < NROUTES; i++) {
			const struct route *r = &routes[i];
			struct lm_req probe = *req;
			if (!match(r, &sp, req->path, &probe))
				continue;
			if (strcmp(r->method, req->method) == 0 ||
			    (strcmp(req->method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)) {
				found = r;
				ctx->route = r->path;
				ctx->route_index = (int)i;
				memcpy(req->params, probe.params, sizeof(req->params));
				req->nparams = probe.nparams;
				break;
			}
			if (!strstr(allow, r->method)) {
				size_t n = strlen(allow);
				snprintf(allow + n, sizeof(allow) - n, "%s%s%s", n ? ", " : "",
				         r->method, strcmp(r->method, "GET") ? "" : ", HEAD");
			}
		}
	}
	if (!found) {
		if (allow[0]) {
			lm_resp_header(resp, "Allow", "%s", allow);
			lm_http_problem(resp, 405, "this resource does not support that method",
			                NULL);
		} else {
			lm_http_problem(resp, 404, "no such resource", NULL);
		}
		goto out;
	}
	if (!(found->flags & LM_ROUTE_PUBLIC) && !ctx->preauthenticated &&
	    authenticate(ctx, req, resp))
		goto out;
	rc = found->handler(ctx, req, resp);
	if (rc) {
		if (ctx->err.code == 0)
			lm_error_set(&ctx->err, rc, "", "%s", lm_strerror(rc));
		/* Keep the headers the handler set (Retry-After, Allow); replace the body. */
		lm_buf_reset(&resp->body);
		lm_http_problem_err(resp, &ctx->err);
	}
out:
	free(scratch);
}
