/*
 * status.c - crossing-point status: recording changes, answering "is it open
 * for this traffic now?", and the history with closure durations.
 *
 * The decision itself is core/status.c; this file loads the point and its
 * changes from the store and maps records to core's view of them.
 */
#include "app/app_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Changes of one point, loaded whole: a point sees a few changes a year. */
#define LM_STATUS_CHANGES_MAX 100000

struct change_vec {
	struct lm_status_change *v;
	size_t n, cap;
	int rc;
};

static int collect_change(void *ctx, const struct lm_status_change *s)
{
	struct change_vec *cv = ctx;

	if (cv->n == LM_STATUS_CHANGES_MAX) {
		cv->rc = LM_EINTERNAL;
		return 1;
	}
	if (cv->n == cv->cap) {
		size_t cap = cv->cap ? cv->cap * 2 : 16;
		struct lm_status_change *p;
		p = realloc(cv->v, cap * sizeof(*p));
		if (!p) {
			cv->rc = LM_ENOMEM;
			return 1;
		}
		cv->v = p;
		cv->cap = cap;
	}
	cv->v[cv->n++] = *s;
	return 0;
}

static struct lm_status_rule *rules_of(const struct lm_status_change *v, size_t n)
{
	struct lm_status_rule *r = calloc(n ? n : 1, sizeof(*r));

	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		r[i].state = v[i].state;
		r[i].directions = v[i].directions;
		r[i].modes = v[i].modes;
		r[i].goods = v[i].goods;
		r[i].from = v[i].from;
		r[i].until = v[i].until;
		r[i].set_at = v[i].created_at;
		r[i].reason = v[i].reason;
	}
	return r;
}

/* Load a point and every change of it in one read transaction. */
static int load_point(struct lm_app *app, const char *key, struct lm_crossing_point *p,
                      struct change_vec *cv, struct lm_error *err)
{
	struct lm_conn *c = lm_store_acquire(app->st, LM_CONN_READ);
	enum lm_qs qs;
	int rc;

	if ((rc = lm__qs(app, c, lm_store_begin(c), "transaction", err)))
		goto out;
	qs = lm_store_point_get(c, key, p);
	if ((rc = lm__qs(app, c, qs, "crossing point", err)))
		goto out;
	if (qs == LM_QS_NONE) {
		rc = lm_error_set(err, LM_ENOTFOUND, "", "no crossing point %s", key);
		goto out;
	}
	rc = lm__qs(app, c, lm_store_status_list(c, p->id, collect_change, cv), "status changes",
	            err);
	if (!rc && cv->rc)
		rc = lm_error_set(err, cv->rc, "", "too many status changes");
out:
	lm_store_rollback(c); /* read-only: nothing to commit */
	lm_store_release(c);
	return rc;
}

static int check_change(const struct lm_status_change *s, struct lm_error *err)
{
	int rc;

	if (s->state < LM_CP_OPEN || s->state > LM_CP_CLOSED)
		return lm_error_set(err, LM_EINVAL, "state", "must be open, restricted or closed");
	if (s->directions & ~(unsigned)(LM_DIR_ENTRY | LM_DIR_EXIT))
		return lm_error_set(err, LM_EINVAL, "scope/directions", "must be entry or exit");
	if (s->modes & ~(unsigned)(LM_MODE_PEDESTRIAN | LM_MODE_VEHICLE | LM_MODE_CARGO))
		return lm_error_set(err, LM_EINVAL, "scope/modes",
		                    "must be pedestrian, vehicle or cargo");
	if ((rc = lm__check_text(s->goods, LM_GOODS_MAX, 0, "scope/goods", err)) ||
	    (rc = lm__check_text(s->reason, LM_TEXT_MAX, 1, "reason", err)))
		return rc;
	if (s->from == LM_TIME_NONE)
		return lm_error_set(err, LM_EINVAL, "from", "is required");
	if (s->until != LM_TIME_NONE && s->until <= s->from)
		return lm_error_set(err, LM_EINVAL, "until", "must be after from");
	return 0;
}

struct status_write {
	struct lm_status_change s;
	const struct lm_actor *a;
};

static int status_fn(struct lm_app *app, struct lm_conn *c, void *arg, char *object_id,
                     size_t object_id_len, struct lm_error *err)
{
	struct status_write *sw = arg;
	struct lm_crossing_point p;
	enum lm_qs qs;
	int rc;

	qs = lm_store_point_get(c, sw->s.point_id, &p);
	if ((rc = lm__qs(app, c, qs, "crossing point", err)))
		return rc;
	if (qs == LM_QS_NONE)
		return lm_error_set(err, LM_ENOTFOUND, "", "no crossing point %s", sw->s.point_id);
	if ((rc = lm__require_point(app, c, sw->a, p.code, "status.create", err)))
		return rc;
	memcpy(sw->s.point_id, p.id, sizeof(p.id));
	lm_uuid_v7(sw->s.id);
	sw->s.created_at = lm_time_now();
	snprintf(sw->s.set_by, sizeof(sw->s.set_by), "%s", sw->a->user_id);
	snprintf(object_id, object_id_len, "%s", sw->s.id);
	return lm__qs(app, c, lm_store_status_insert(c, &sw->s), "status change", err);
}

int lm_app_status_set(struct lm_app *app, const struct lm_actor *a, const struct lm_idem_req *idem,
                      struct lm_status_change *in, struct lm_created *out, struct lm_error *err)
{
	struct status_write sw = {*in, a};
	struct lm__write w = {"status.create", "status_change", idem, status_fn, &sw, 0};
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_STATUS_WRITE, w.action, "crossing_point",
	                      in->point_id, err)) ||
	    (rc = check_change(in, err)))
		return rc;
	rc = lm__write(app, a, &w, out, err);
	if (rc == 0 && !out->replayed)
		*in = sw.s;
	return rc;
}

int lm_app_status_at(struct lm_app *app, const struct lm_actor *a, const char *point_key,
                     const struct lm_status_query *q, struct lm_status_report *out,
                     struct lm_error *err)
{
	struct change_vec cv = {0};
	struct lm_status_rule *rules = NULL;
	struct lm_hours hours;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = lm__require(app, a, LM_PERM_REGISTRY_READ, "status.read", "crossing_point",
	                      point_key, err)) ||
	    (rc = load_point(app, point_key, &out->point, &cv, err)))
		goto out;
	if ((rc = lm_hours_parse(out->point.hours, strlen(out->point.hours), &hours, err)))
		goto out;
	rules = rules_of(cv.v, cv.n);
	if (!rules) {
		rc = lm_error_set(err, LM_ENOMEM, "", "out of memory");
		goto out;
	}
	/* Unnamed direction or mode means "each of them", never "all at once". */
	rc = lm_status_overall(&hours, out->point.tz, rules, cv.n, q, out->point.modes,
	                       &out->answer, out->parts, &out->nparts, err);
	if (!rc && out->answer.rule >= 0)
		out->decided_by = cv.v[out->answer.rule];
out:
	free(rules);
	free(cv.v);
	return rc;
}

int lm_app_status_history(struct lm_app *app, const struct lm_actor *a, const char *point_key,
                          struct lm_status_history *out, struct lm_error *err)
{
	static const unsigned modes[4] = {0, LM_MODE_PEDESTRIAN, LM_MODE_VEHICLE, LM_MODE_CARGO};
	struct change_vec cv = {0};
	struct lm_status_rule *rules = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	out->now = lm_time_now();
	if ((rc = lm__require(app, a, LM_PERM_REGISTRY_READ, "status.history", "crossing_point",
	                      point_key, err)) ||
	    (rc = load_point(app, point_key, &out->point, &cv, err)))
		goto out;
	out->changes = cv.v;
	out->nchanges = cv.n;
	cv.v = NULL;
	rules = rules_of(out->changes, out->nchanges);
	if (!rules) {
		rc = lm_error_set(err, LM_ENOMEM, "", "out of memory");
		goto out;
	}
	for (int i = 0; i < 4 && !rc; i++) {
		struct lm_status_query q = {out->now, 0, modes[i], NULL};
		rc = lm_status_closures(rules, out->nchanges, &q, out->now, &out->closures[i],
		                        &out->nclosures[i], err);
	}
out:
	free(rules);
	free(cv.v);
	if (rc)
		lm_status_history_release(out);
	return rc;
}

void lm_status_history_release(struct lm_status_history *h)
{
	free(h->changes);
	for (int i = 0; i < 4; i++)
		free(h->closures[i]);
	memset(h, 0, sizeof(*h));
}

int lm_app_audit_list(struct lm_app *app, const struct lm_actor *a, const struct lm_audit_filter *f,
                      const struct lm_page *pg, int (*cb)(void *ctx, const struct lm_audit *ev),
                      void *ctx, struct lm_error *err)
{
	struct lm_conn *c;
	int rc;

	if ((rc = lm__require(app, a, LM_PERM_AUDIT_READ, "audit.list", "audit", "", err)))
		return rc;
	c = lm_store_acquire(app->st, LM_CONN_READ);
	rc = lm__qs(app, c, lm_store_audit_list(c, f, pg, cb, ctx), "audit events", err);
	lm_store_release(c);
	/*
	 * The log names people and where they worked from: reading it is itself
	 * recorded, after the page was read so a page never shows its own read.
	 * Reading it is the auditor's whole job, so a purpose is kept when given,
	 * not demanded.
	 */
	if (!rc)
		rc = lm__audit_alone(app, a, "audit.list", "audit",
		                     f && f->user_id ? f->user_id : "", 200, err);
	return rc;
}
