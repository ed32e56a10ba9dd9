/*
 * h_misc.c - health, metrics, the OpenAPI document, static files, sessions,
 * the caller's own account, and the audit log.
 */
#include "http/http_int.h"
#include "util/embed.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const struct lm_embedded lm_openapi[];

int h_health(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	int rc = lm_app_health(ctx->app, &ctx->err);

	(void)req;
	lm_resp_header(resp, "Cache-Control", "no-store");
	return lm_resp_json(
	    resp, rc ? 503 : 200,
	    json_pack("{s:s, s:s}", "status", rc ? "unavailable" : "ok", "version", LIMES_VERSION));
}

int h_metrics(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	(void)req;
	if (lm_metrics_render(ctx->app, &resp->body))
		return lm_error_set(&ctx->err, LM_ENOMEM, "", "out of memory");
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	lm_resp_header(resp, "Cache-Control", "no-store");
	return 0;
}

int h_openapi(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	(void)ctx;
	(void)req;
	if (lm_buf_add(&resp->body, lm_openapi[0].data, lm_openapi[0].len))
		return lm_error_set(&ctx->err, LM_ENOMEM, "", "out of memory");
	lm_resp_header(resp, "Cache-Control", "public, max-age=300");
	return 0;
}

static const char *content_type_of(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".mjs", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".json", "application/json"},
	    {".geojson", "application/geo+json"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".ico", "image/x-icon"},
	    {".woff2", "font/woff2"},
	    {".woff", "font/woff"},
	    {".txt", "text/plain; charset=utf-8"},
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* Files bigger than this are not part of a console. */
#define LM_STATIC_MAX (16u << 20)

int h_static(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	const char *rel = req->nparams ? req->params[0] : "index.html";
	char root[PATH_MAX], full[PATH_MAX], real[PATH_MAX];
	struct stat st;
	int fd = -1, rc = 0;
	ssize_t n;

	/* Refuse anything but plain relative names before touching the file system. */
	if (strstr(rel, "..") || rel[0] == '/' || strchr(rel, '\\') || strlen(rel) > 200)
		return lm_error_set(&ctx->err, LM_ENOTFOUND, "", "no such file");
	if (!ctx->web_root || !realpath(ctx->web_root, root))
		return lm_error_set(&ctx->err, LM_ENOTFOUND, "", "no such file");
	if ((size_t)snprintf(full, sizeof(full), "%s/%s", root, rel) >= sizeof(full))
		return lm_error_set(&ctx->err, LM_ENOTFOUND, "", "no such file");
	/* And check where the name really leads, so a symlink cannot escape the root. */
	if (!realpath(full, real) || strncmp(real, root, strlen(root)) != 0 ||
	    real[strlen(root)] != '/')
		return lm_error_set(&ctx->err, LM_ENOTFOUND, "", "no such file");
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > LM_STATIC_MAX) {
		rc = lm_error_set(&ctx->err, LM_ENOTFOUND, "", "no such file");
		goto out;
	}
	if ((rc = lm_buf_grow(&resp->body, (size_t)st.st_size))) {
		rc = lm_error_set(&ctx->err, rc, "", "out of memory");
		goto out;
	}
	while ((n = read(fd, resp->body.ptr + resp->body.len,
	                 (size_t)st.st_size - resp->body.len)) > 0)
		resp->body.len += (size_t)n;
	resp->body.ptr[resp->body.len] = '\0';
	resp->content_type = content_type_of(real);
	lm_resp_header(resp, "Cache-Control", "no-cache");
	lm_resp_header(resp, "Content-Security-Policy",
	               "default-src 'self'; img-src 'self' data:; object-src 'none'; "
	               "base-uri 'none'; frame-ancestors 'none'");
	lm_resp_header(resp, "Referrer-Policy", "no-referrer");
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

json_t *lm__user_json(const struct lm_user_view *v)
{
	json_t *points = json_array();
	char created[LM_TIME_STRLEN];

	for (size_t i = 0; points && i < v->npoints; i++)
		json_array_append_new(points, json_string(v->points[i]));
	lm_time_format(v->user.created_at, created);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:s, s:I}", "id", v->user.id,
	                 "username", v->user.username, "display_name", v->user.display_name,
	                 "agency_id", v->user.agency_id, "agency", v->agency_code, "role",
	                 lm_role_name(v->user.role), "disabled", v->user.disabled,
	                 "crossing_points", points ? points : json_array(), "created_at", created,
	                 "version", (json_int_t)v->user.version);
}

int h_session_create(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	static const char *const allowed[] = {"username", "password", NULL};
	char username[LM_USERNAME_MAX + 1] = "", password[LM_PASSWORD_MAX + 1] = "";
	struct lm_login login;
	lm_time_ms retry = 0;
	json_t *body = NULL;
	char exp[LM_TIME_STRLEN];
	int rc;

	if ((rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, allowed, "", &ctx->err)) ||
	    (rc = lm_json_str(body, "username", username, sizeof(username), 1, "username",
	                      &ctx->err)) ||
	    (rc = lm_json_str(body, "password", password, sizeof(password), 1, "password",
	                      &ctx->err)))
		goto out;
	rc = lm_app_login(ctx->app, username, password, req->ip, req->request_id, &login, &retry,
	                  &ctx->err);
	if (rc == LM_ERATELIMIT)
		lm_resp_header(resp, "Retry-After", "%lld", (long long)((retry + 999) / 1000));
	if (rc)
		goto out;
	lm_time_format(login.expires_at, exp);
	snprintf(ctx->actor.user_id, sizeof(ctx->actor.user_id), "%s", login.user.id);
	lm_resp_header(resp, "Cache-Control", "no-store");
	rc = lm_resp_json(resp, 201,
	                  json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "token", login.token,
	                            "token_type", "Bearer", "expires_at", exp, "user", "id",
	                            login.user.id, "username", login.user.username, "role",
	                            lm_role_name(login.user.role), "agency_id",
	                            login.user.agency_id));
out:
	memset(password, 0, sizeof(password));
	json_decref(body);
	return rc;
}

int h_session_delete(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	int rc = lm_app_logout(ctx->app, &ctx->actor, &ctx->err);

	(void)req;
	if (rc)
		return rc;
	resp->status = 204;
	return 0;
}

int h_me(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_user_view v;
	int rc = lm_app_user_get(ctx->app, &ctx->actor, ctx->actor.user_id, &v, &ctx->err);

	(void)req;
	if (rc)
		return rc;
	lm_resp_etag(resp, v.user.version);
	lm_resp_header(resp, "Cache-Control", "no-store");
	return lm_resp_json(resp, 200, lm__user_json(&v));
}

int h_me_password(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	static const char *const allowed[] = {"current_password", "new_password", NULL};
	char current[LM_PASSWORD_MAX + 1] = "", password[LM_PASSWORD_MAX + 1] = "";
	lm_time_ms retry = 0;
	json_t *body = NULL;
	int rc;

	if ((rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, allowed, "", &ctx->err)) ||
	    (rc = lm_json_str(body, "current_password", current, sizeof(current), 1,
	                      "current_password", &ctx->err)) ||
	    (rc = lm_json_str(body, "new_password", password, sizeof(password), 1, "new_password",
	                      &ctx->err)))
		goto out;
	rc =
	    lm_app_change_own_password(ctx->app, &ctx->actor, current, password, &retry, &ctx->err);
	if (rc == LM_ERATELIMIT)
		lm_resp_header(resp, "Retry-After", "%lld", (long long)((retry + 999) / 1000));
	if (!rc)
		resp->status = 204;
out:
	sodium_memzero(current, sizeof(current));
	sodium_memzero(password, sizeof(password));
	json_decref(body);
	return rc;
}

/* ---- API tokens ------------------------------------------------------------------ */

static json_t *token_json(const struct lm_token_view *t)
{
	json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o}", "id", t->s.id, "label", t->s.label,
	                      "created_at", lm_json_time_value(t->s.created_at), "expires_at",
	                      lm_json_time_value(t->s.expires_at), "revoked_at",
	                      lm_json_time_value(t->s.revoked_at));

	if (o && t->token[0])
		json_object_set_new(o, "token", json_string(t->token));
	return o;
}

static int token_row(void *ctx, const struct lm_token_view *t)
{
	return lm_list_add(ctx, token_json(t), t->s.id);
}

int h_token_list(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_list_out l;
	struct lm_page pg = {"", 0}; /* a person holds a handful of tokens: one page */
	int rc;

	(void)req;
	if ((rc = lm_list_init(&l, 0, &ctx->err)))
		return rc;
	if ((rc = lm_app_token_list(ctx->app, &ctx->actor, token_row, &l, &ctx->err))) {
		json_decref(l.items);
		return rc;
	}
	lm_resp_header(resp, "Cache-Control", "no-store");
	return lm_resp_list(resp, &l, &pg);
}

int h_token_create(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	static const char *const allowed[] = {"label", "expires_in_days", NULL};
	char label[LM_TOKEN_LABEL_MAX + 1] = "";
	struct lm_token_view t;
	long long days = 90;
	json_t *body = NULL;
	int rc;

	if ((rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, allowed, "", &ctx->err)) ||
	    (rc = lm_json_str(body, "label", label, sizeof(label), 1, "label", &ctx->err)) ||
	    (rc = lm_json_int(body, "expires_in_days", 1, LM_TOKEN_DAYS_MAX, &days, 0,
	                      "expires_in_days", &ctx->err)) ||
	    (rc = lm_app_token_create(ctx->app, &ctx->actor, label, (int)days, &t, &ctx->err)))
		goto out;
	lm_resp_header(resp, "Cache-Control", "no-store");
	lm_resp_header(resp, "Location", "/api/v1/tokens/%s", t.s.id);
	rc = lm_resp_json(resp, 201, token_json(&t));
	sodium_memzero(t.token, sizeof(t.token));
out:
	json_decref(body);
	return rc;
}

int h_token_revoke(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	int rc = lm_app_token_revoke(ctx->app, &ctx->actor, req->params[0], &ctx->err);

	if (rc)
		return rc;
	resp->status = 204;
	return 0;
}

/* ---- audit ----------------------------------------------------------------- */

static int audit_row(void *ctx, const struct lm_audit *ev)
{
	char at[LM_TIME_STRLEN];

	lm_time_format(ev->at, at);
	return lm_list_add(
	    ctx,
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "id",
	              ev->id, "at", at, "user_id", ev->user_id, "username", ev->username, "role",
	              lm_role_name(ev->role), "agency_id", ev->agency_id, "action", ev->action,
	              "object_type", ev->object_type, "object_id", ev->object_id, "ip", ev->ip,
	              "purpose", ev->purpose, "outcome", ev->outcome, "request_id", ev->request_id),
	    ev->id);
}

int h_audit_list(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_audit_filter f = {NULL, NULL, NULL, LM_TIME_NONE, LM_TIME_NONE};
	struct lm_list_out l;
	struct lm_page pg;
	const char *from = lm_req_query(req, "from"), *until = lm_req_query(req, "until");
	int rc;

	if ((rc = lm_list_init(&l, 0, &ctx->err)))
		return rc;
	if ((rc = lm_req_page(req, &pg, &ctx->err)))
		goto out;
	f.user_id = lm_req_query(req, "user_id");
	f.object_type = lm_req_query(req, "object_type");
	f.object_id = lm_req_query(req, "object_id");
	if (from && (rc = lm_time_parse(from, strlen(from), 1, &f.from, "from", &ctx->err)))
		goto out;
	if (until && (rc = lm_time_parse(until, strlen(until), 1, &f.until, "until", &ctx->err)))
		goto out;
	if ((rc = lm_app_audit_list(ctx->app, &ctx->actor, &f, &pg, audit_row, &l, &ctx->err)))
		goto out;
	lm_resp_header(resp, "Cache-Control", "no-store");
	return lm_resp_list(resp, &l, &pg);
out:
	json_decref(l.items);
	return rc;
}
