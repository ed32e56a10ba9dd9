/*
 * h_people.c - agencies and user accounts over HTTP.
 */
#include "http/http_int.h"

#include <stdio.h>
#include <string.h>

static json_t *agency_json(const struct lm_agency *a)
{
	char created[LM_TIME_STRLEN];

	lm_time_format(a->created_at, created);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id", a->id, "code", a->code,
	                 "name", a->name, "kind", a->kind, "country", a->country, "created_at",
	                 created, "version", (json_int_t)a->version);
}

static int agency_row(void *ctx, const struct lm_agency *a)
{
	return lm_list_add(ctx, agency_json(a), a->id);
}

static int agency_list_fetch(struct lm_ctx *ctx, const struct lm_page *pg, struct lm_list_out *l)
{
	return lm_app_agency_list(ctx->app, &ctx->actor, pg, agency_row, l, &ctx->err);
}

int h_agency_list(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	return lm_list_respond(ctx, req, resp, 0, agency_list_fetch);
}

int h_agency_get(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_agency a;
	int rc = lm_app_agency_get(ctx->app, &ctx->actor, req->params[0], &a, &ctx->err);

	if (rc)
		return rc;
	lm_resp_etag(resp, a.version);
	return lm_resp_json(resp, 200, agency_json(&a));
}

int h_agency_create(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	static const char *const allowed[] = {"code", "name", "kind", "country", NULL};
	struct lm_agency a;
	struct lm_idem_req idem;
	struct lm_created cr;
	json_t *body = NULL;
	int rc;

	memset(&a, 0, sizeof(a));
	if ((rc = lm_req_idem(req, "/api/v1/agencies", &idem, &ctx->err)) ||
	    (rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, allowed, "", &ctx->err)) ||
	    (rc = lm_json_str(body, "code", a.code, sizeof(a.code), 1, "code", &ctx->err)) ||
	    (rc = lm_json_str(body, "name", a.name, sizeof(a.name), 1, "name", &ctx->err)) ||
	    (rc = lm_json_str(body, "kind", a.kind, sizeof(a.kind), 1, "kind", &ctx->err)) ||
	    (rc = lm_json_str(body, "country", a.country, sizeof(a.country), 1, "country",
	                      &ctx->err)) ||
	    (rc = lm_app_agency_create(ctx->app, &ctx->actor, &idem, &a, &cr, &ctx->err)) ||
	    (rc = lm_app_agency_get(ctx->app, &ctx->actor, cr.id, &a, &ctx->err)))
		goto out;
	lm_resp_created(resp, &cr, "/api/v1/agencies/%s", agency_json(&a));
	lm_resp_etag(resp, a.version);
out:
	json_decref(body);
	return rc;
}

int h_agency_patch(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	static const char *const allowed[] = {"code", "name", "kind", "country", NULL};
	struct lm_agency a;
	json_t *body = NULL;
	int64_t version;
	int rc;

	if ((rc = lm_req_if_match(req, &version, &ctx->err)) ||
	    (rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, allowed, "", &ctx->err)) ||
	    (rc = lm_app_agency_get(ctx->app, &ctx->actor, req->params[0], &a, &ctx->err)) ||
	    (rc = lm_json_str(body, "code", a.code, sizeof(a.code), 0, "code", &ctx->err)) ||
	    (rc = lm_json_str(body, "name", a.name, sizeof(a.name), 0, "name", &ctx->err)) ||
	    (rc = lm_json_str(body, "kind", a.kind, sizeof(a.kind), 0, "kind", &ctx->err)) ||
	    (rc = lm_json_str(body, "country", a.country, sizeof(a.country), 0, "country",
	                      &ctx->err)) ||
	    (rc = lm_app_agency_update(ctx->app, &ctx->actor, &a, version, &ctx->err)) ||
	    (rc = lm_app_agency_get(ctx->app, &ctx->actor, a.id, &a, &ctx->err)))
		goto out;
	lm_resp_etag(resp, a.version);
	rc = lm_resp_json(resp, 200, agency_json(&a));
out:
	json_decref(body);
	return rc;
}

/* ---- users ------------------------------------------------------------------ */

static int user_row(void *ctx, const struct lm_user_view *v)
{
	return lm_list_add(ctx, lm__user_json(v), v->user.username);
}

static int user_list_fetch(struct lm_ctx *ctx, const struct lm_page *pg, struct lm_list_out *l)
{
	return lm_app_user_list(ctx->app, &ctx->actor, pg, user_row, l, &ctx->err);
}

int h_user_list(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	lm_resp_header(resp, "Cache-Control", "no-store");
	return lm_list_respond(ctx, req, resp, 0, user_list_fetch);
}

int h_user_get(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_user_view v;
	int rc = lm_app_user_get(ctx->app, &ctx->actor, req->params[0], &v, &ctx->err);

	if (rc)
		return rc;
	lm_resp_etag(resp, v.user.version);
	lm_resp_header(resp, "Cache-Control", "no-store");
	return lm_resp_json(resp, 200, lm__user_json(&v));
}

/* Fields shared by create and PATCH; absent members leave `v` as it is. */
static int user_fields(json_t *body, struct lm_user_view *v, int create, struct lm_error *err)
{
	char role[32] = "";
	json_t *pts;
	int rc;

	if ((rc = lm_json_str(body, "display_name", v->user.display_name,
	                      sizeof(v->user.display_name), create, "display_name", err)) ||
	    (rc = lm_json_str(body, "agency", v->user.agency_id, sizeof(v->user.agency_id), create,
	                      "agency", err)) ||
	    (rc = lm_json_str(body, "role", role, sizeof(role), create, "role", err)) ||
	    (rc = lm_json_bool(body, "disabled", &v->user.disabled, 0, "disabled", err)))
		return rc;
	if (role[0] && lm_role_parse(role, &v->user.role))
		return lm_error_set(err, LM_EINVAL, "role",
		                    "must be officer, supervisor, analyst, admin, auditor or "
		                    "humanitarian");
	pts = json_object_get(body, "crossing_points");
	if (pts && !json_is_null(pts)) {
		size_t i;
		json_t *e;
		if (!json_is_array(pts))
			return lm_error_set(err, LM_EINVAL, "crossing_points",
			                    "must be an array of crossing-point codes");
		if (json_array_size(pts) > LM_USER_POINTS_MAX)
			return lm_error_set(err, LM_EINVAL, "crossing_points", "at most %d",
			                    LM_USER_POINTS_MAX);
		v->npoints = 0;
		json_array_foreach(pts, i, e)
		{
			char f[48];
			snprintf(f, sizeof(f), "crossing_points/%zu", i);
			if (!json_is_string(e) || json_string_length(e) > LM_POINT_CODE_MAX ||
			    json_string_length(e) == 0)
				return lm_error_set(err, LM_EINVAL, f,
				                    "must be a crossing-point code");
			snprintf(v->points[v->npoints++], sizeof(v->points[0]), "%s",
			         json_string_value(e));
		}
	}
	return 0;
}

int h_user_create(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	static const char *const allowed[] = {"username",        "display_name", "agency",   "role",
	                                      "crossing_points", "password",     "disabled", NULL};
	char password[LM_PASSWORD_MAX + 1] = "";
	struct lm_user_view v;
	struct lm_idem_req idem;
	struct lm_created cr;
	json_t *body = NULL;
	int rc;

	memset(&v, 0, sizeof(v));
	if ((rc = lm_req_idem(req, "/api/v1/users", &idem, &ctx->err)) ||
	    (rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, allowed, "", &ctx->err)) ||
	    (rc = lm_json_str(body, "username", v.user.username, sizeof(v.user.username), 1,
	                      "username", &ctx->err)) ||
	    (rc = user_fields(body, &v, 1, &ctx->err)) ||
	    (rc = lm_json_str(body, "password", password, sizeof(password), 1, "password",
	                      &ctx->err)) ||
	    (rc = lm_app_user_create(ctx->app, &ctx->actor, &idem, &v, password, &cr, &ctx->err)))
		goto out;
	lm_resp_created(resp, &cr, "/api/v1/users/%s", lm__user_json(&v));
	lm_resp_etag(resp, v.user.version);
out:
	memset(password, 0, sizeof(password));
	json_decref(body);
	return rc;
}

int h_user_patch(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	static const char *const allowed[] = {"display_name",    "agency",   "role",
	                                      "crossing_points", "disabled", NULL};
	struct lm_user_view v;
	json_t *body = NULL;
	int64_t version;
	int rc;

	if ((rc = lm_req_if_match(req, &version, &ctx->err)) ||
	    (rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, allowed, "", &ctx->err)) ||
	    (rc = lm_app_user_get(ctx->app, &ctx->actor, req->params[0], &v, &ctx->err)) ||
	    (rc = user_fields(body, &v, 0, &ctx->err)) ||
	    (rc = lm_app_user_update(ctx->app, &ctx->actor, &v, version, &ctx->err)) ||
	    (rc = lm_app_user_get(ctx->app, &ctx->actor, v.user.id, &v, &ctx->err)))
		goto out;
	lm_resp_etag(resp, v.user.version);
	rc = lm_resp_json(resp, 200, lm__user_json(&v));
out:
	json_decref(body);
	return rc;
}

int h_user_password(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	static const char *const allowed[] = {"password", NULL};
	char password[LM_PASSWORD_MAX + 1] = "";
	json_t *body = NULL;
	int rc;

	if ((rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, allowed, "", &ctx->err)) ||
	    (rc = lm_json_str(body, "password", password, sizeof(password), 1, "password",
	                      &ctx->err)) ||
	    (rc = lm_app_user_set_password(ctx->app, &ctx->actor, req->params[0], password,
	                                   &ctx->err)))
		goto out;
	resp->status = 204;
out:
	memset(password, 0, sizeof(password));
	json_decref(body);
	return rc;
}
