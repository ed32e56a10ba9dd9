/*
 * status.h - is a crossing point open for this traffic at this instant?
 *
 * A crossing point's state is not one flag. Its history is a list of status
 * rules set by the post commander ("closed to all from 2020-04-01", "open to
 * cargo only from 2021-09-01", "closed to all from 2021-10-05 until
 * 2021-10-20" after an outbreak, "open to all from 2023-01-08"), each scoped
 * to some directions, modes of traffic and goods, and the point has weekly
 * opening hours in its own time zone. This module answers, for one kind of
 * traffic, what those rules mean at an instant, and when that traffic was
 * closed over the whole history. It sees rules as plain views of the stored
 * records (strings borrowed) and does no I/O.
 *
 * States:
 *	open		traffic in scope may cross, during opening hours
 *	restricted	may cross during opening hours, with extra conditions (the
 *			rule's reason says which); counts as open here
 *	closed		may not cross at any hour
 *
 * Rules:
 *   - In force at t when from <= t < until (until = LM_TIME_NONE: for ever).
 *   - A rule covers a query when (1) its direction mask is 0 or contains every
 *     direction queried, (2) likewise for modes, and (3) its goods is NULL or
 *     "" or equals the query's goods. A query direction (or mode) of 0 means
 *     ALL directions (modes), not "any one of them": a query without a
 *     direction asks about all traffic, so a rule limited to entry does not
 *     cover it, while a rule for entry|exit does. Likewise a rule for one
 *     kind of goods covers only queries that name those goods.
 *   - Among rules in force that cover the query, the one with the latest
 *     `from` decides (the most recent decision wins); ties go to the later
 *     `set_at`, then to the later index in the array.
 *   - No rule deciding: the point is OPEN.
 *   - open = within_hours for OPEN and RESTRICTED; open = 0 for CLOSED.
 *
 * Worked example, the Ruili history above as rules 0..3:
 *	2022-06-01, pedestrians	closed (rule 0; rule 1 covers cargo only)
 *	2022-06-01, cargo	open   (rule 1: its from is later than rule 0's)
 *	2021-10-10, cargo	closed (rule 2)
 *	2023-02-01, pedestrians	open   (rule 3)
 * lm_status_closures() for pedestrians gives 2020-04-01 .. 2023-01-08 (1012
 * days: rule 2 lies inside and merges); for cargo 2020-04-01 .. 2021-09-01
 * and 2021-10-05 .. 2021-10-20.
 *
 * Cost: lm_status_at() is O(n) plus a few ICU calls; lm_status_closures() is
 * O(n^2) in the number of rules of one point, which is tens, not thousands.
 *
 * USAGE:
 *	struct lm_status_query q = {.at = now, .direction = LM_DIR_ENTRY,
 *				    .mode = LM_MODE_CARGO, .goods = NULL};
 *	struct lm_status_answer a;
 *	if (lm_status_at(&hours, "Asia/Shanghai", rules, n, &q, &a, &err)) fail;
 *	if (!a.open) refuse(lm_cp_state_name(a.state), a.rule >= 0 ? rules[a.rule].reason : "");
 *
 *	struct lm_interval *iv; size_t niv;
 *	if (lm_status_closures(rules, n, &q, now, &iv, &niv, &err)) fail;
 *	... free(iv);
 *
 * Pure and thread-safe.
 */
#ifndef LM_CORE_STATUS_H
#define LM_CORE_STATUS_H

#include <stddef.h>

#include "core/hours.h"
#include "core/tz.h"
#include "util/error.h"
#include "util/time.h"

enum lm_cp_state {
	LM_CP_OPEN = 1,       /* traffic in scope crosses during opening hours */
	LM_CP_RESTRICTED = 2, /* crosses during opening hours, with conditions */
	LM_CP_CLOSED = 3,     /* no crossing */
};

enum lm_dir_bits {
	LM_DIR_ENTRY = 1 << 0, /* into this side's country */
	LM_DIR_EXIT = 1 << 1,  /* out of it */
};
#define LM_DIR_ALL (LM_DIR_ENTRY | LM_DIR_EXIT)

enum lm_mode_bits {
	LM_MODE_PEDESTRIAN = 1 << 0, /* people on foot */
	LM_MODE_VEHICLE = 1 << 1,    /* private and passenger vehicles */
	LM_MODE_CARGO = 1 << 2,      /* goods vehicles */
};
#define LM_MODE_ALL (LM_MODE_PEDESTRIAN | LM_MODE_VEHICLE | LM_MODE_CARGO)

/* "open", "restricted", "closed"; NULL for a value outside the enum. */
const char *lm_cp_state_name(enum lm_cp_state s);
/* Exact lower-case name to state: 0, or LM_EINVAL (s NULL or unknown; *out untouched). */
int lm_cp_state_parse(const char *s, enum lm_cp_state *out);
/* "entry" / "exit" to its bit, 0 for anything else (NULL included). */
unsigned lm_dir_bit(const char *s);
/* A single direction bit to its name; NULL for 0, several bits or unknown bits. */
const char *lm_dir_name(unsigned bit);
/* "pedestrian" / "vehicle" / "cargo" to its bit, 0 for anything else. */
unsigned lm_mode_bit(const char *s);
/* A single mode bit to its name; NULL otherwise. */
const char *lm_mode_name(unsigned bit);

/* One status change, as core sees it (a view of the stored record; strings borrowed). */
struct lm_status_rule {
	enum lm_cp_state state;
	unsigned directions; /* enum lm_dir_bits; 0 = every direction */
	unsigned modes;      /* enum lm_mode_bits; 0 = every mode */
	const char *goods;   /* NULL or "" = all goods */
	lm_time_ms from;     /* required */
	lm_time_ms until;    /* LM_TIME_NONE = open-ended; otherwise > from */
	lm_time_ms set_at;   /* when it was recorded: breaks ties */
	const char *reason;  /* not used for the decision; carried for the caller */
};

struct lm_status_query {
	lm_time_ms at;      /* ignored by lm_status_closures() */
	unsigned direction; /* enum lm_dir_bits; 0 = all directions (see above) */
	unsigned mode;      /* enum lm_mode_bits; 0 = all modes */
	const char *goods;  /* NULL or "" = not about particular goods */
};

struct lm_status_answer {
	int open;               /* 1 when this traffic may cross at `at` */
	enum lm_cp_state state; /* state in force for this traffic (OPEN when no rule applies) */
	int rule;               /* index of the deciding rule, -1 when none */
	int within_hours;       /* 1 when `at` is inside the opening hours */
	struct lm_local local;  /* `at` in the point's own zone */
	/*
	 * Next instant after `at` at which the answer may change: the start or
	 * end of a rule covering the query, or the next change of within_hours
	 * (opening-hours boundary, daylight-saving switches included) within 8
	 * days; LM_TIME_NONE when there is none. Weekly hours repeat, so 8 days
	 * (a week and slack for a clock change) finds every hours boundary there
	 * is.
	 */
	lm_time_ms next_change;
};

/*
 * Answer q for a point with opening hours `hours` (NULL = always open) in
 * IANA zone `tz`, given its n rules. LM_EINVAL for a bad query ("at",
 * "direction", "mode"), bad hours (fields as lm_hours_check()), a bad zone
 * ("tz") or a bad rule ("rules/<i>/state", ".../directions", ".../modes",
 * ".../from", ".../until"); LM_EINTERNAL when ICU fails. *out is written
 * only on success.
 */
int lm_status_at(const struct lm_hours *hours, const char *tz, const struct lm_status_rule *rules,
                 size_t n, const struct lm_status_query *q, struct lm_status_answer *out,
                 struct lm_error *err);

/* The answer for one concrete kind of traffic, part of an overall answer. */
struct lm_status_part {
	unsigned direction; /* one bit */
	unsigned mode;      /* one bit */
	int open;
	enum lm_cp_state state;
	int rule; /* deciding rule, -1 when none */
};

#define LM_STATUS_PARTS_MAX 6 /* 2 directions x 3 modes */

/*
 * "Is the point open?" without naming the traffic: the question a map or a
 * desk asks. A single lm_status_at() with direction or mode 0 asks about ALL
 * traffic at once, which a rule closing only pedestrians does not cover, so
 * it would say OPEN through a 1,000-day passenger closure. Instead this
 * answers for every concrete (direction, mode) the query leaves open, within
 * the point's own `point_modes`, and combines them:
 *	state	OPEN when every part is OPEN, CLOSED when every part is CLOSED,
 *		RESTRICTED otherwise (some traffic may cross, some may not)
 *	open	1 when some traffic may cross now
 *	rule	the deciding rule of the most restrictive part (CLOSED, then
 *		RESTRICTED), -1 when no rule decides any part
 *	next_change, within_hours, local: the earliest / shared values
 * `parts` receives each part (at most LM_STATUS_PARTS_MAX). A query that
 * names both direction and mode gives exactly lm_status_at()'s answer.
 * Errors as lm_status_at().
 */
int lm_status_overall(const struct lm_hours *hours, const char *tz,
                      const struct lm_status_rule *rules, size_t n, const struct lm_status_query *q,
                      unsigned point_modes, struct lm_status_answer *out,
                      struct lm_status_part parts[LM_STATUS_PARTS_MAX], size_t *nparts,
                      struct lm_error *err);

struct lm_interval {
	lm_time_ms from, until; /* until = LM_TIME_NONE when still running at `now` */
	int rule;               /* the rule that started it */
};

/*
 * The maximal intervals, oldest first, during which the traffic described by
 * q (q->at and opening hours are ignored) was CLOSED, sweeping every rule
 * boundary: consecutive closures merge even when different rules decide
 * them. Intervals starting after `now` (scheduled, not history) are left out;
 * one running at `now` has until = LM_TIME_NONE.
 *
 * On success *out is a malloc'ed array of *n_out intervals that the caller
 * frees (NULL when there are none). Errors as lm_status_at() for the query
 * and rules, "now" for now = LM_TIME_NONE, LM_ENOMEM; *out is then NULL.
 */
int lm_status_closures(const struct lm_status_rule *rules, size_t n,
                       const struct lm_status_query *q, lm_time_ms now, struct lm_interval **out,
                       size_t *n_out, struct lm_error *err);

#endif
