/*
 * h_status.c - crossing-point status: the answer for one instant and kind of
 * traffic, new status changes, and the history with closure durations.
 */
#include "http/http_int.h"

#include <stdio.h>
#include <string.h>

#define ALL_DIRS  (LM_DIR_ENTRY | LM_DIR_EXIT)
#define ALL_MODES (LM_MODE_PEDESTRIAN | LM_MODE_VEHICLE | LM_MODE_CARGO)

static json_t *scope_json(const struct lm_status_change *s)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (s->directions)
		json_object_set_new(o, "directions",
		                    lm_json_bits_value(s->directions, ALL_DIRS, lm_dir_name));
	if (s->modes)
		json_object_set_new(o, "modes",
		                    lm_json_bits_value(s->modes, ALL_MODES, lm_mode_name));
	if (s->goods[0])
		json_object_set_new(o, "goods", json_string(s->goods));
	return o;
}

static json_t *change_json(const struct lm_status_change *s)
{
	/* set_by is empty for changes the program recorded itself (demo history). */
	return json_pack("{s:s, s:s, s:o, s:s, s:o, s:o, s:s?, s:o}", "id", s->id, "state",
	                 lm_cp_state_name(s->state), "scope", scope_json(s), "reason", s->reason,
	                 "from", lm_json_time_value(s->from), "until", lm_json_time_value(s->until),
	                 "set_by", s->set_by[0] ? s->set_by : NULL, "created_at",
	                 lm_json_time_value(s->created_at));
}

int h_status_get(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	const char *at = lm_req_query(req, "at"), *dir = lm_req_query(req, "direction"),
	           *mode = lm_req_query(req, "mode"), *goods = lm_req_query(req, "goods");
	struct lm_status_query q = {lm_time_now(), 0, 0, NULL};
	struct lm_status_report r;
	char local[40];
	json_t *body;
	int rc;

	if (at && (rc = lm_time_parse(at, strlen(at), 0, &q.at, "at", &ctx->err)))
		return rc;
	if (dir && (q.direction = lm_dir_bit(dir)) == 0)
		return lm_error_set(&ctx->err, LM_EINVAL, "direction", "must be entry or exit");
	if (mode && (q.mode = lm_mode_bit(mode)) == 0)
		return lm_error_set(&ctx->err, LM_EINVAL, "mode",
		                    "must be pedestrian, vehicle or cargo");
	if (goods && (!goods[0] || strlen(goods) > LM_GOODS_MAX))
		return lm_error_set(&ctx->err, LM_EINVAL, "goods", "must be 1 to %d bytes",
		                    LM_GOODS_MAX);
	q.goods = goods;
	if ((rc = lm_app_status_at(ctx->app, &ctx->actor, req->params[0], &q, &r, &ctx->err)))
		return rc;
	snprintf(local, sizeof(local), "%04d-%02u-%02uT%02u:%02u%c%02d:%02d", r.answer.local.year,
	         r.answer.local.month, r.answer.local.day, r.answer.local.minute_of_day / 60,
	         r.answer.local.minute_of_day % 60, r.answer.local.offset_min < 0 ? '-' : '+',
	         (r.answer.local.offset_min < 0 ? -r.answer.local.offset_min
	                                        : r.answer.local.offset_min) /
	             60,
	         (r.answer.local.offset_min < 0 ? -r.answer.local.offset_min
	                                        : r.answer.local.offset_min) %
	             60);
	body = json_pack(
	    "{s:s, s:o, s:b, s:s, s:b, s:s, s:s, s:o, s:o, s:o}", "crossing_point", r.point.code,
	    "at", lm_json_time_value(q.at), "open", r.answer.open, "state",
	    lm_cp_state_name(r.answer.state), "within_opening_hours", r.answer.within_hours,
	    "local_time", local, "time_zone", r.point.tz, "traffic",
	    json_pack("{s:s?, s:s?, s:s?}", "direction",
	              q.direction ? lm_dir_name(q.direction) : NULL, "mode",
	              q.mode ? lm_mode_name(q.mode) : NULL, "goods", q.goods),
	    "decided_by", r.answer.rule >= 0 ? change_json(&r.decided_by) : json_null(),
	    "next_change", lm_json_time_value(r.answer.next_change));
	if (body && r.nparts > 1) {
		json_t *parts = json_array();
		for (size_t i = 0; parts && i < r.nparts; i++)
			json_array_append_new(
			    parts, json_pack("{s:s, s:s, s:b, s:s}", "direction",
			                     lm_dir_name(r.parts[i].direction), "mode",
			                     lm_mode_name(r.parts[i].mode), "open", r.parts[i].open,
			                     "state", lm_cp_state_name(r.parts[i].state)));
		json_object_set_new(body, "by_traffic", parts);
	}
	lm_resp_header(resp, "Cache-Control", "no-store");
	return lm_resp_json(resp, 200, body);
}

/* A replayed POST answers with the change the first attempt stored. */
static int find_change(struct lm_ctx *ctx, const char *point, const char *id,
                       struct lm_status_change *out)
{
	struct lm_status_history h;
	int rc = lm_app_status_history(ctx->app, &ctx->actor, point, &h, &ctx->err);

	if (rc)
		return rc;
	rc = lm_error_set(&ctx->err, LM_ENOTFOUND, "", "the status change is gone");
	for (size_t i = 0; i < h.nchanges; i++)
		if (strcmp(h.changes[i].id, id) == 0) {
			*out = h.changes[i];
			rc = 0;
			break;
		}
	lm_status_history_release(&h);
	return rc;
}

int h_status_create(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	static const char *const allowed[] = {"state", "scope", "reason", "from", "until", NULL};
	static const char *const scope_allowed[] = {"directions", "modes", "goods", NULL};
	struct lm_status_change s;
	struct lm_idem_req idem;
	struct lm_created cr;
	char state[16] = "";
	json_t *body = NULL, *scope;
	int rc;

	memset(&s, 0, sizeof(s));
	s.from = lm_time_now();
	s.until = LM_TIME_NONE;
	if (strlen(req->params[0]) >= sizeof(s.point_id))
		return lm_error_set(&ctx->err, LM_ENOTFOUND, "", "no such crossing point");
	snprintf(s.point_id, sizeof(s.point_id), "%s", req->params[0]);
	if ((rc = lm_req_idem(req, "/api/v1/crossing-points/{code}/status", &idem, &ctx->err)) ||
	    (rc = lm_json_body(req, &body, &ctx->err)) ||
	    (rc = lm_json_only(body, allowed, "", &ctx->err)) ||
	    (rc = lm_json_str(body, "state", state, sizeof(state), 1, "state", &ctx->err)) ||
	    (rc =
	         lm_json_str(body, "reason", s.reason, sizeof(s.reason), 1, "reason", &ctx->err)) ||
	    (rc = lm_json_time(body, "from", &s.from, 0, 0, "from", &ctx->err)) ||
	    (rc = lm_json_time(body, "until", &s.until, 0, 1, "until", &ctx->err)))
		goto out;
	if (lm_cp_state_parse(state, &s.state)) {
		rc = lm_error_set(&ctx->err, LM_EINVAL, "state",
		                  "must be open, restricted or closed");
		goto out;
	}
	scope = json_object_get(body, "scope");
	if (scope && !json_is_null(scope)) {
		if (!json_is_object(scope)) {
			rc = lm_error_set(&ctx->err, LM_EINVAL, "scope", "must be an object");
			goto out;
		}
		if ((rc = lm_json_only(scope, scope_allowed, "scope", &ctx->err)) ||
		    (rc = lm_json_bits(scope, "directions", lm_dir_bit, &s.directions, 0,
		                       "scope/directions", "entry, exit", &ctx->err)) ||
		    (rc = lm_json_bits(scope, "modes", lm_mode_bit, &s.modes, 0, "scope/modes",
		                       "pedestrian, vehicle, cargo", &ctx->err)) ||
		    (rc = lm_json_str(scope, "goods", s.goods, sizeof(s.goods), 0, "scope/goods",
		                      &ctx->err)))
			goto out;
		/* Both directions (or every mode) listed is the same as no restriction. */
		if (s.directions == ALL_DIRS)
			s.directions = 0;
		if (s.modes == ALL_MODES)
			s.modes = 0;
	}
	if ((rc = lm_app_status_set(ctx->app, &ctx->actor, &idem, &s, &cr, &ctx->err)))
		goto out;
	if (cr.replayed && (rc = find_change(ctx, req->params[0], cr.id, &s)))
		goto out;
	{
		char loc[128];
		snprintf(loc, sizeof(loc), "/api/v1/crossing-points/%s/status/history",
		         req->params[0]);
		lm_resp_created(resp, &cr, NULL, change_json(&s));
		lm_resp_header(resp, "Location", "%s", loc);
	}
out:
	json_decref(body);
	return rc;
}

static json_t *closures_json(const struct lm_interval *v, size_t n, lm_time_ms now)
{
	json_t *a = json_array();
	double total = 0;

	for (size_t i = 0; a && i < n; i++) {
		lm_time_ms end = v[i].until == LM_TIME_NONE ? now : v[i].until;
		double days = (double)(end - v[i].from) / 86400000.0;
		total += days;
		json_array_append_new(a, json_pack("{s:o, s:o, s:b, s:f}", "from",
		                                   lm_json_time_value(v[i].from), "until",
		                                   lm_json_time_value(v[i].until), "ongoing",
		                                   v[i].until == LM_TIME_NONE, "days", days));
	}
	return json_pack("{s:o, s:f}", "periods", a, "total_days", total);
}

int h_status_history(struct lm_ctx *ctx, struct lm_req *req, struct lm_resp *resp)
{
	struct lm_status_history h;
	json_t *changes, *body;
	int rc = lm_app_status_history(ctx->app, &ctx->actor, req->params[0], &h, &ctx->err);

	if (rc)
		return rc;
	changes = json_array();
	for (size_t i = 0; changes && i < h.nchanges; i++)
		json_array_append_new(changes, change_json(&h.changes[i]));
	body = json_pack("{s:s, s:o, s:o, s:{s:o, s:o, s:o, s:o}}", "crossing_point", h.point.code,
	                 "as_of", lm_json_time_value(h.now), "changes", changes, "closures",
	                 "all_traffic", closures_json(h.closures[0], h.nclosures[0], h.now),
	                 "pedestrian", closures_json(h.closures[1], h.nclosures[1], h.now),
	                 "vehicle", closures_json(h.closures[2], h.nclosures[2], h.now), "cargo",
	                 closures_json(h.closures[3], h.nclosures[3], h.now));
	lm_status_history_release(&h);
	return lm_resp_json(resp, 200, body);
}
