#include "core/status.h"
#include "core/core_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_MS   60000LL
#define DAY_MS   86400000LL
#define WEEK_MIN (7u * 1440u)
/* Hours repeat weekly; a week plus a day of slack for a clock change finds every boundary. */
#define HOURS_HORIZON_MS (8 * DAY_MS)
/* Offset changes ICU may report within the horizon: a handful at most; a bound keeps the loop
 * finite. */
#define MAX_TRANSITIONS 16

static const char *const state_names[] = {NULL, "open", "restricted", "closed"};

const char *lm_cp_state_name(enum lm_cp_state s)
{
	return s >= LM_CP_OPEN && s <= LM_CP_CLOSED ? state_names[s] : NULL;
}

int lm_cp_state_parse(const char *s, enum lm_cp_state *out)
{
	if (!s)
		return LM_EINVAL;
	for (int i = LM_CP_OPEN; i <= LM_CP_CLOSED; i++)
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum lm_cp_state)i;
			return 0;
		}
	return LM_EINVAL;
}

struct bit_name {
	unsigned bit;
	const char *name;
};

static const struct bit_name dir_names[] = {{LM_DIR_ENTRY, "entry"}, {LM_DIR_EXIT, "exit"}};
static const struct bit_name mode_names[] = {
    {LM_MODE_PEDESTRIAN, "pedestrian"}, {LM_MODE_VEHICLE, "vehicle"}, {LM_MODE_CARGO, "cargo"}};

static unsigned bit_of(const struct bit_name *t, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, t[i].name) == 0)
			return t[i].bit;
	return 0;
}

static const char *name_of(const struct bit_name *t, size_t n, unsigned bit)
{
	for (size_t i = 0; i < n; i++)
		if (bit == t[i].bit)
			return t[i].name;
	return NULL;
}

unsigned lm_dir_bit(const char *s)
{
	return bit_of(dir_names, sizeof(dir_names) / sizeof(dir_names[0]), s);
}

const char *lm_dir_name(unsigned bit)
{
	return name_of(dir_names, sizeof(dir_names) / sizeof(dir_names[0]), bit);
}

unsigned lm_mode_bit(const char *s)
{
	return bit_of(mode_names, sizeof(mode_names) / sizeof(mode_names[0]), s);
}

const char *lm_mode_name(unsigned bit)
{
	return name_of(mode_names, sizeof(mode_names) / sizeof(mode_names[0]), bit);
}

/* ---- rules ------------------------------------------------------------- */

static int check_query(const struct lm_status_query *q, struct lm_error *err)
{
	if (q->direction & ~(unsigned)LM_DIR_ALL)
		return lm__error_at(err, LM_EINVAL, "direction", -1,
		                    "direction must be entry, exit or not given");
	if (q->mode & ~(unsigned)LM_MODE_ALL)
		return lm__error_at(err, LM_EINVAL, "mode", -1,
		                    "mode must be pedestrian, vehicle, cargo or not given");
	return 0;
}

static int check_rules(const struct lm_status_rule *rules, size_t n, struct lm_error *err)
{
	char f[48];

	/* Answers name the deciding rule by an int index. */
	if (n > INT_MAX)
		return lm__error_at(err, LM_EINVAL, "rules", -1, "too many rules");
	for (size_t i = 0; i < n; i++) {
		const struct lm_status_rule *r = &rules[i];
		const char *what = NULL, *msg = NULL;

		if (!lm_cp_state_name(r->state))
			what = "state", msg = "state must be open, restricted or closed";
		else if (r->directions & ~(unsigned)LM_DIR_ALL)
			what = "directions", msg = "unknown direction bits";
		else if (r->modes & ~(unsigned)LM_MODE_ALL)
			what = "modes", msg = "unknown mode bits";
		else if (r->from == LM_TIME_NONE)
			what = "from", msg = "a rule needs a start time";
		else if (r->until != LM_TIME_NONE && r->until <= r->from)
			what = "until", msg = "until must be later than from";
		if (what) {
			snprintf(f, sizeof(f), "rules/%zu/%s", i, what);
			return lm__error_at(err, LM_EINVAL, f, -1, "%s", msg);
		}
	}
	return 0;
}

static int covers(const struct lm_status_rule *r, const struct lm_status_query *q)
{
	/* 0 in the query means all of them, so the rule must contain every bit. */
	unsigned qd = q->direction ? q->direction : LM_DIR_ALL;
	unsigned qm = q->mode ? q->mode : LM_MODE_ALL;

	if (r->directions && (r->directions & qd) != qd)
		return 0;
	if (r->modes && (r->modes & qm) != qm)
		return 0;
	if (r->goods && *r->goods)
		return q->goods && strcmp(r->goods, q->goods) == 0;
	return 1;
}

static int in_force(const struct lm_status_rule *r, lm_time_ms t)
{
	return r->from <= t && (r->until == LM_TIME_NONE || t < r->until);
}

/* 1 when rule i beats rule j: later from, then later set_at, then later index. */
static int beats(const struct lm_status_rule *rules, size_t i, size_t j)
{
	if (rules[i].from != rules[j].from)
		return rules[i].from > rules[j].from;
	if (rules[i].set_at != rules[j].set_at)
		return rules[i].set_at > rules[j].set_at;
	return i > j;
}

/* Index of the rule deciding for q at t, -1 when none. */
static int decide(const struct lm_status_rule *rules, size_t n, const struct lm_status_query *q,
                  lm_time_ms t)
{
	int best = -1;

	for (size_t i = 0; i < n; i++)
		if (in_force(&rules[i], t) && covers(&rules[i], q) &&
		    (best < 0 || beats(rules, i, (size_t)best)))
			best = (int)i;
	return best;
}

/* ---- opening hours over time -------------------------------------------- */

static int64_t floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/*
 * First instant in (t, limit] at which lm_hours_open_at() of the local time
 * differs from `cur`, or LM_TIME_NONE. Between two offset transitions local
 * time runs in step with UTC, so each stretch is searched on the wall clock
 * (span edges, in minutes of the week) and mapped back with that stretch's
 * offset; at a transition the wall clock jumps and the answer is checked
 * there. Only span edges can flip the answer, so walking one week of edges
 * per stretch is enough.
 */
static int hours_next_change(const struct lm_hours *h, const char *tz, lm_time_ms t, int cur,
                             lm_time_ms *out, struct lm_error *err)
{
	lm_time_ms limit = t + HOURS_HORIZON_MS;
	unsigned edges[7 * LM_HOURS_SPANS * 2], ne = 0;
	struct lm_local l;
	int rc;

	*out = LM_TIME_NONE;
	if (h->always)
		return 0;
	for (unsigned d = 0; d < 7; d++)
		for (unsigned i = 0; i < h->n[d]; i++) {
			struct lm_hours_span sp = h->span[d][i];
			unsigned close =
			    sp.close > sp.open ? d * 1440u + sp.close : (d + 1) * 1440u + sp.close;

			edges[ne++] = d * 1440u + sp.open;
			edges[ne++] = close % WEEK_MIN;
		}
	for (int k = 0; k < MAX_TRANSITIONS; k++) {
		lm_time_ms tr, minute_start, best = LM_TIME_NONE;
		int64_t off;
		unsigned pos;

		if ((rc = lm_tz_local(tz, t, &l, err)) ||
		    (rc = lm_tz_next_transition(tz, t, &tr, err)))
			return rc;
		off = (int64_t)l.offset_min * MIN_MS;
		minute_start = floordiv(t + off, MIN_MS) * MIN_MS; /* on the wall clock */
		pos = l.weekday * 1440u + l.minute_of_day;
		/* The nearest edge after the current minute whose side differs from cur. */
		for (unsigned e = 0; e < ne; e++) {
			unsigned delta = (edges[e] + WEEK_MIN - pos) % WEEK_MIN;
			lm_time_ms cand;

			if (delta == 0)
				delta = WEEK_MIN;
			if (lm_hours_open_at_week_minute(h, edges[e]) == cur)
				continue;
			cand = minute_start + (lm_time_ms)delta * MIN_MS - off;
			if (best == LM_TIME_NONE || cand < best)
				best = cand;
		}
		if (best != LM_TIME_NONE && (tr == LM_TIME_NONE || best < tr)) {
			if (best <= limit)
				*out = best;
			return 0;
		}
		if (tr == LM_TIME_NONE || tr > limit)
			return 0;
		if ((rc = lm_tz_local(tz, tr, &l, err)))
			return rc;
		if (lm_hours_open_at(h, &l) != cur) {
			*out = tr;
			return 0;
		}
		t = tr;
	}
	return 0;
}

int lm_status_at(const struct lm_hours *hours, const char *tz, const struct lm_status_rule *rules,
                 size_t n, const struct lm_status_query *q, struct lm_status_answer *out,
                 struct lm_error *err)
{
	struct lm_status_answer a;
	lm_time_ms hn;
	int rc;

	if (q->at == LM_TIME_NONE)
		return lm__error_at(err, LM_EINVAL, "at", -1, "an instant is required");
	if ((rc = check_query(q, err)) || (rc = check_rules(rules, n, err)) ||
	    (hours && (rc = lm_hours_check(hours, err))) ||
	    (rc = lm_tz_local(tz, q->at, &a.local, err)))
		return rc;
	a.within_hours = hours ? lm_hours_open_at(hours, &a.local) : 1;
	a.rule = decide(rules, n, q, q->at);
	a.state = a.rule < 0 ? LM_CP_OPEN : rules[a.rule].state;
	a.open = a.state == LM_CP_CLOSED ? 0 : a.within_hours;

	a.next_change = LM_TIME_NONE;
	for (size_t i = 0; i < n; i++) {
		const struct lm_status_rule *r = &rules[i];

		/* A rule that does not cover the query cannot change its answer. */
		if (!covers(r, q))
			continue;
		if (r->from > q->at && (a.next_change == LM_TIME_NONE || r->from < a.next_change))
			a.next_change = r->from;
		if (r->until != LM_TIME_NONE && r->until > q->at &&
		    (a.next_change == LM_TIME_NONE || r->until < a.next_change))
			a.next_change = r->until;
	}
	if (hours) {
		if ((rc = hours_next_change(hours, tz, q->at, a.within_hours, &hn, err)))
			return rc;
		if (hn != LM_TIME_NONE && (a.next_change == LM_TIME_NONE || hn < a.next_change))
			a.next_change = hn;
	}
	*out = a;
	return 0;
}

/* ---- closure history ---------------------------------------------------- */

static int cmp_time(const void *a, const void *b)
{
	lm_time_ms x = *(const lm_time_ms *)a, y = *(const lm_time_ms *)b;

	return (x > y) - (x < y);
}

int lm_status_closures(const struct lm_status_rule *rules, size_t n,
                       const struct lm_status_query *q, lm_time_ms now, struct lm_interval **out,
                       size_t *n_out, struct lm_error *err)
{
	lm_time_ms *b = NULL;
	struct lm_interval *iv = NULL;
	size_t nb = 0, ni = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	if (now == LM_TIME_NONE)
		return lm__error_at(err, LM_EINVAL, "now", -1, "an instant is required");
	if ((rc = check_query(q, err)) || (rc = check_rules(rules, n, err)))
		return rc;
	if (n == 0)
		return 0;
	/* Only boundaries of covering rules can change which rule decides for q. */
	b = malloc(2 * n * sizeof(*b));
	iv = malloc(2 * n * sizeof(*iv));
	if (!b || !iv) {
		rc = lm__error_at(err, LM_ENOMEM, "", -1, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!covers(&rules[i], q))
			continue;
		b[nb++] = rules[i].from;
		if (rules[i].until != LM_TIME_NONE)
			b[nb++] = rules[i].until;
	}
	qsort(b, nb, sizeof(*b), cmp_time);
	/* The decision is constant on [b[k], b[k+1]); walk the pieces, merging closed runs. */
	for (size_t k = 0; k < nb; k++) {
		int r;

		if (k > 0 && b[k] == b[k - 1])
			continue;
		/* Later boundaries are the future: a closure still open here is running at now. */
		if (b[k] > now)
			break;
		r = decide(rules, n, q, b[k]);
		if (r < 0 || rules[r].state != LM_CP_CLOSED) {
			if (ni && iv[ni - 1].until == LM_TIME_NONE)
				iv[ni - 1].until = b[k];
			continue;
		}
		if (ni && iv[ni - 1].until == LM_TIME_NONE)
			continue; /* the closure goes on under another rule */
		iv[ni].from = b[k];
		iv[ni].until = LM_TIME_NONE;
		iv[ni].rule = r;
		ni++;
	}
	if (ni) {
		*out = iv;
		*n_out = ni;
		iv = NULL;
	}
	rc = 0;
out:
	free(b);
	free(iv);
	return rc;
}

/* Most restrictive first: what a combined answer reports as its deciding part. */
static int severity(enum lm_cp_state s)
{
	return s == LM_CP_CLOSED ? 2 : s == LM_CP_RESTRICTED ? 1 : 0;
}

int lm_status_overall(const struct lm_hours *hours, const char *tz,
                      const struct lm_status_rule *rules, size_t n, const struct lm_status_query *q,
                      unsigned point_modes, struct lm_status_answer *out,
                      struct lm_status_part parts[LM_STATUS_PARTS_MAX], size_t *nparts,
                      struct lm_error *err)
{
	unsigned dirs = q->direction ? q->direction : LM_DIR_ALL;
	unsigned modes =
	    q->mode ? q->mode
	            : (point_modes & LM_MODE_ALL ? point_modes & LM_MODE_ALL : LM_MODE_ALL);
	struct lm_status_answer all, one;
	size_t k = 0, nopen = 0, nclosed = 0, nplain = 0;
	int worst = -1, rc;

	memset(&all, 0, sizeof(all));
	all.rule = -1;
	all.next_change = LM_TIME_NONE;
	for (unsigned d = LM_DIR_ENTRY; d <= LM_DIR_EXIT; d <<= 1) {
		if (!(dirs & d))
			continue;
		for (unsigned m = LM_MODE_PEDESTRIAN; m <= LM_MODE_CARGO; m <<= 1) {
			struct lm_status_query part = *q;
			if (!(modes & m))
				continue;
			part.direction = d;
			part.mode = m;
			if ((rc = lm_status_at(hours, tz, rules, n, &part, &one, err)))
				return rc;
			parts[k].direction = d;
			parts[k].mode = m;
			parts[k].open = one.open;
			parts[k].state = one.state;
			parts[k].rule = one.rule;
			k++;
			nopen += one.open != 0;
			nclosed += one.state == LM_CP_CLOSED;
			nplain += one.state == LM_CP_OPEN;
			all.within_hours = one.within_hours;
			all.local = one.local;
			if (one.next_change != LM_TIME_NONE &&
			    (all.next_change == LM_TIME_NONE || one.next_change < all.next_change))
				all.next_change = one.next_change;
			if (one.rule >= 0 && severity(one.state) > worst) {
				worst = severity(one.state);
				all.rule = one.rule;
			}
		}
	}
	all.open = nopen > 0;
	all.state = nclosed == k ? LM_CP_CLOSED : nplain == k ? LM_CP_OPEN : LM_CP_RESTRICTED;
	*out = all;
	*nparts = k;
	return 0;
}
