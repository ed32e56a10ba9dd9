#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/status.h"

#define DAY_MS 86400000LL

static lm_time_ms at(const char *iso)
{
	lm_time_ms t = 0;

	assert_int_equal(lm_time_parse(iso, strlen(iso), 1, &t, "t", NULL), 0);
	return t;
}

static struct lm_hours hours(const char *s)
{
	struct lm_hours h;

	assert_int_equal(lm_hours_parse(s, strlen(s), &h, NULL), 0);
	return h;
}

static struct lm_status_rule rule(enum lm_cp_state st, unsigned dirs, unsigned modes,
                                  const char *goods, const char *from, const char *until)
{
	struct lm_status_rule r = {st,       dirs,         modes,    goods,
	                           at(from), LM_TIME_NONE, at(from), "test"};

	if (until)
		r.until = at(until);
	return r;
}

/* The Wanding-Ruili crossing from 2020 to 2023. */
static void ruili(struct lm_status_rule r[4])
{
	r[0] = rule(LM_CP_CLOSED, 0, 0, NULL, "2020-04-01", NULL);
	r[1] = rule(LM_CP_OPEN, 0, LM_MODE_CARGO, NULL, "2021-09-01", NULL);
	r[2] = rule(LM_CP_CLOSED, 0, 0, "", "2021-10-05", "2021-10-20");
	r[3] = rule(LM_CP_OPEN, 0, 0, NULL, "2023-01-08", NULL);
}

static struct lm_status_answer ask(const struct lm_hours *h, const char *tz,
                                   const struct lm_status_rule *r, size_t n, const char *when,
                                   unsigned dir, unsigned mode, const char *goods)
{
	struct lm_status_query q = {at(when), dir, mode, goods};
	struct lm_status_answer a;
	struct lm_error err;

	lm_error_init(&err);
	if (lm_status_at(h, tz, r, n, &q, &a, &err))
		fail_msg("lm_status_at: %s: %s", err.field, err.msg);
	return a;
}

static void test_names(void **state)
{
	enum lm_cp_state s = LM_CP_OPEN;

	assert_string_equal(lm_cp_state_name(LM_CP_OPEN), "open");
	assert_string_equal(lm_cp_state_name(LM_CP_RESTRICTED), "restricted");
	assert_string_equal(lm_cp_state_name(LM_CP_CLOSED), "closed");
	assert_null(lm_cp_state_name((enum lm_cp_state)0));
	assert_null(lm_cp_state_name((enum lm_cp_state)4));
	assert_int_equal(lm_cp_state_parse("closed", &s), 0);
	assert_int_equal(s, LM_CP_CLOSED);
	assert_int_equal(lm_cp_state_parse("restricted", &s), 0);
	assert_int_equal(s, LM_CP_RESTRICTED);
	assert_int_equal(lm_cp_state_parse("Closed", &s), LM_EINVAL);
	assert_int_equal(lm_cp_state_parse("", &s), LM_EINVAL);
	assert_int_equal(lm_cp_state_parse(NULL, &s), LM_EINVAL);
	assert_int_equal(s, LM_CP_RESTRICTED);

	assert_int_equal(lm_dir_bit("entry"), LM_DIR_ENTRY);
	assert_int_equal(lm_dir_bit("exit"), LM_DIR_EXIT);
	assert_int_equal(lm_dir_bit("Exit"), 0);
	assert_int_equal(lm_dir_bit(NULL), 0);
	assert_string_equal(lm_dir_name(LM_DIR_ENTRY), "entry");
	assert_string_equal(lm_dir_name(LM_DIR_EXIT), "exit");
	assert_null(lm_dir_name(0));
	assert_null(lm_dir_name(LM_DIR_ALL));

	assert_int_equal(lm_mode_bit("pedestrian"), LM_MODE_PEDESTRIAN);
	assert_int_equal(lm_mode_bit("vehicle"), LM_MODE_VEHICLE);
	assert_int_equal(lm_mode_bit("cargo"), LM_MODE_CARGO);
	assert_int_equal(lm_mode_bit("truck"), 0);
	assert_string_equal(lm_mode_name(LM_MODE_CARGO), "cargo");
	assert_string_equal(lm_mode_name(LM_MODE_PEDESTRIAN), "pedestrian");
	assert_string_equal(lm_mode_name(LM_MODE_VEHICLE), "vehicle");
	assert_null(lm_mode_name(LM_MODE_CARGO | LM_MODE_VEHICLE));
	assert_null(lm_mode_name(8));
}

static void test_ruili(void **state)
{
	struct lm_status_rule r[4];
	struct lm_status_answer a;

	ruili(r);
	a = ask(NULL, "Asia/Shanghai", r, 4, "2022-06-01T04:00:00Z", 0, LM_MODE_PEDESTRIAN, NULL);
	assert_int_equal(a.open, 0);
	assert_int_equal(a.state, LM_CP_CLOSED);
	assert_int_equal(a.rule, 0);
	assert_int_equal(a.within_hours, 1);
	assert_true(a.next_change == at("2023-01-08"));

	a = ask(NULL, "Asia/Shanghai", r, 4, "2022-06-01T04:00:00Z", 0, LM_MODE_CARGO, NULL);
	assert_int_equal(a.open, 1);
	assert_int_equal(a.state, LM_CP_OPEN);
	assert_int_equal(a.rule, 1);

	a = ask(NULL, "Asia/Shanghai", r, 4, "2021-10-10T04:00:00Z", LM_DIR_ENTRY, LM_MODE_CARGO,
	        "rice");
	assert_int_equal(a.open, 0);
	assert_int_equal(a.rule, 2);
	assert_true(a.next_change == at("2021-10-20"));

	a = ask(NULL, "Asia/Shanghai", r, 4, "2023-02-01T04:00:00Z", 0, LM_MODE_PEDESTRIAN, NULL);
	assert_int_equal(a.open, 1);
	assert_int_equal(a.rule, 3);
	assert_true(a.next_change == LM_TIME_NONE);

	/* Before any rule the point is open; the first rule is the next change. */
	a = ask(NULL, "Asia/Shanghai", r, 4, "2019-12-31T00:00:00Z", 0, 0, NULL);
	assert_int_equal(a.open, 1);
	assert_int_equal(a.state, LM_CP_OPEN);
	assert_int_equal(a.rule, -1);
	assert_true(a.next_change == at("2020-04-01"));

	/* All traffic (mode 0) is not covered by the cargo-only reopening. */
	a = ask(NULL, "Asia/Shanghai", r, 4, "2022-06-01T04:00:00Z", 0, 0, NULL);
	assert_int_equal(a.open, 0);
	assert_int_equal(a.rule, 0);
}

/* A question without a direction or mode is answered per kind of traffic, then combined. */
static void test_overall(void **state)
{
	struct lm_status_rule r[5];
	struct lm_status_part parts[LM_STATUS_PARTS_MAX];
	struct lm_status_query q = {at("2022-06-01T04:00:00Z"), 0, 0, NULL};
	struct lm_status_answer a;
	struct lm_error err;
	size_t n = 0;

	(void)state;
	lm_error_init(&err);
	/* Passengers closed by a mode-scoped rule: what a single all-traffic question misses. */
	r[0] = rule(LM_CP_CLOSED, 0, LM_MODE_PEDESTRIAN | LM_MODE_VEHICLE, NULL, "2020-04-01",
	            "2023-01-08");
	assert_int_equal(
	    lm_status_overall(NULL, "Asia/Shanghai", r, 1, &q, LM_MODE_ALL, &a, parts, &n, &err),
	    0);
	assert_int_equal(n, 6);      /* 2 directions x 3 modes */
	assert_int_equal(a.open, 1); /* cargo still crosses */
	assert_int_equal(a.state, LM_CP_RESTRICTED);
	assert_int_equal(a.rule, 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(parts[i].open, parts[i].mode == LM_MODE_CARGO);

	/* A point without cargo lanes: every part it has is closed, so it is closed. */
	assert_int_equal(lm_status_overall(NULL, "Asia/Shanghai", r, 1, &q,
	                                   LM_MODE_PEDESTRIAN | LM_MODE_VEHICLE, &a, parts, &n,
	                                   &err),
	                 0);
	assert_int_equal(n, 4);
	assert_int_equal(a.open, 0);
	assert_int_equal(a.state, LM_CP_CLOSED);

	/* Entry closed only; asked about exit only, the point is open. */
	r[0] = rule(LM_CP_CLOSED, LM_DIR_ENTRY, 0, NULL, "2020-04-01", NULL);
	q.direction = LM_DIR_EXIT;
	assert_int_equal(
	    lm_status_overall(NULL, "Asia/Shanghai", r, 1, &q, LM_MODE_ALL, &a, parts, &n, &err),
	    0);
	assert_int_equal(n, 3);
	assert_int_equal(a.state, LM_CP_OPEN);
	assert_int_equal(a.rule, -1);
	q.direction = 0;
	assert_int_equal(
	    lm_status_overall(NULL, "Asia/Shanghai", r, 1, &q, LM_MODE_ALL, &a, parts, &n, &err),
	    0);
	assert_int_equal(a.state, LM_CP_RESTRICTED);

	/* Both named: exactly lm_status_at's answer, one part. */
	ruili(r);
	q.direction = LM_DIR_ENTRY;
	q.mode = LM_MODE_CARGO;
	assert_int_equal(
	    lm_status_overall(NULL, "Asia/Shanghai", r, 4, &q, LM_MODE_ALL, &a, parts, &n, &err),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(a.open, 1);
	assert_int_equal(a.state, LM_CP_OPEN);
	assert_int_equal(a.rule, 1);
}

/* The same instant is inside Ruili's hours and outside Muse's: UTC+8 against UTC+6:30. */
static void test_two_zones(void **state)
{
	struct lm_hours h = hours("mon=08:00-20:00;tue=08:00-20:00;wed=08:00-20:00;thu=08:00-"
	                          "20:00;fri=08:00-20:00;sat=08:00-20:00;sun=08:00-20:00");
	struct lm_status_answer cn, mm;

	cn = ask(&h, "Asia/Shanghai", NULL, 0, "2026-11-30T00:15:00Z", 0, 0, NULL);
	mm = ask(&h, "Asia/Yangon", NULL, 0, "2026-11-30T00:15:00Z", 0, 0, NULL);
	assert_int_equal(cn.within_hours, 1);
	assert_int_equal(cn.open, 1);
	assert_int_equal(cn.local.minute_of_day, 8 * 60 + 15);
	assert_int_equal(cn.local.offset_min, 480);
	assert_true(cn.next_change == at("2026-11-30T12:00:00Z"));
	assert_int_equal(mm.within_hours, 0);
	assert_int_equal(mm.open, 0);
	assert_int_equal(mm.state, LM_CP_OPEN);
	assert_int_equal(mm.local.minute_of_day, 6 * 60 + 45);
	assert_int_equal(mm.local.offset_min, 390);
	assert_true(mm.next_change == at("2026-11-30T01:30:00Z"));

	/* Twelve hours later it is the other way round. */
	cn = ask(&h, "Asia/Shanghai", NULL, 0, "2026-11-30T12:45:00Z", 0, 0, NULL);
	mm = ask(&h, "Asia/Yangon", NULL, 0, "2026-11-30T12:45:00Z", 0, 0, NULL);
	assert_int_equal(cn.open, 0);
	assert_int_equal(mm.open, 1);
	assert_true(cn.next_change == at("2026-12-01T00:00:00Z"));
	assert_true(mm.next_change == at("2026-11-30T13:30:00Z"));
}

static void test_hours_and_states(void **state)
{
	struct lm_hours h = hours("mon=08:00-18:00");
	struct lm_status_rule r[1];
	struct lm_status_answer a;
	/* 2026-11-30 is a Monday; 10:00 in Shanghai. */
	const char *monday = "2026-11-30T02:00:00Z", *tuesday = "2026-12-01T02:00:00Z";

	r[0] = rule(LM_CP_RESTRICTED, 0, 0, NULL, "2026-01-01", NULL);
	a = ask(&h, "Asia/Shanghai", r, 1, monday, 0, 0, NULL);
	assert_int_equal(a.state, LM_CP_RESTRICTED);
	assert_int_equal(a.open, 1);
	assert_true(a.next_change == at("2026-11-30T10:00:00Z"));
	a = ask(&h, "Asia/Shanghai", r, 1, tuesday, 0, 0, NULL);
	assert_int_equal(a.state, LM_CP_RESTRICTED);
	assert_int_equal(a.within_hours, 0);
	assert_int_equal(a.open, 0);
	/* Next Monday 08:00 local. */
	assert_true(a.next_change == at("2026-12-07T00:00:00Z"));

	r[0].state = LM_CP_CLOSED;
	a = ask(&h, "Asia/Shanghai", r, 1, monday, 0, 0, NULL);
	assert_int_equal(a.within_hours, 1);
	assert_int_equal(a.open, 0);
	assert_int_equal(a.rule, 0);
}

static void test_scope(void **state)
{
	struct lm_status_rule r[3];
	struct lm_status_answer a;
	const char *t = "2026-06-01T00:00:00Z";

	/* Closed for entry only. */
	r[0] = rule(LM_CP_CLOSED, LM_DIR_ENTRY, 0, NULL, "2026-01-01", NULL);
	assert_int_equal(ask(NULL, "UTC", r, 1, t, LM_DIR_ENTRY, 0, NULL).open, 0);
	assert_int_equal(ask(NULL, "UTC", r, 1, t, LM_DIR_EXIT, 0, NULL).open, 1);
	/* A query about all traffic is not answered by a one-direction rule. */
	a = ask(NULL, "UTC", r, 1, t, 0, 0, NULL);
	assert_int_equal(a.open, 1);
	assert_int_equal(a.rule, -1);
	r[0].directions = LM_DIR_ENTRY | LM_DIR_EXIT;
	assert_int_equal(ask(NULL, "UTC", r, 1, t, 0, 0, NULL).open, 0);
	assert_int_equal(ask(NULL, "UTC", r, 1, t, LM_DIR_EXIT, LM_MODE_CARGO, "rice").open, 0);

	/* Closed for pedestrians and vehicles, not cargo. */
	r[0] =
	    rule(LM_CP_CLOSED, 0, LM_MODE_PEDESTRIAN | LM_MODE_VEHICLE, NULL, "2026-01-01", NULL);
	assert_int_equal(ask(NULL, "UTC", r, 1, t, 0, LM_MODE_PEDESTRIAN, NULL).open, 0);
	assert_int_equal(ask(NULL, "UTC", r, 1, t, 0, LM_MODE_VEHICLE, NULL).open, 0);
	assert_int_equal(ask(NULL, "UTC", r, 1, t, 0, LM_MODE_CARGO, NULL).open, 1);
	assert_int_equal(ask(NULL, "UTC", r, 1, t, 0, 0, NULL).open, 1);

	/* Closed for timber only: other goods and non-goods queries pass. */
	r[0] = rule(LM_CP_CLOSED, LM_DIR_EXIT, LM_MODE_CARGO, "timber", "2026-01-01", NULL);
	assert_int_equal(ask(NULL, "UTC", r, 1, t, LM_DIR_EXIT, LM_MODE_CARGO, "timber").open, 0);
	assert_int_equal(ask(NULL, "UTC", r, 1, t, LM_DIR_EXIT, LM_MODE_CARGO, "rice").open, 1);
	assert_int_equal(ask(NULL, "UTC", r, 1, t, LM_DIR_EXIT, LM_MODE_CARGO, NULL).open, 1);
	assert_int_equal(ask(NULL, "UTC", r, 1, t, LM_DIR_ENTRY, LM_MODE_CARGO, "timber").open, 1);
	assert_int_equal(ask(NULL, "UTC", r, 1, t, LM_DIR_EXIT, LM_MODE_CARGO, "Timber").open, 1);

	/* A later narrow reopening wins over an earlier broad closure, only in its scope. */
	r[0] = rule(LM_CP_CLOSED, 0, 0, NULL, "2026-01-01", NULL);
	r[1] = rule(LM_CP_OPEN, LM_DIR_EXIT, LM_MODE_CARGO, "rice", "2026-03-01", NULL);
	r[2] = rule(LM_CP_CLOSED, 0, LM_MODE_PEDESTRIAN, NULL, "2026-02-01", NULL);
	a = ask(NULL, "UTC", r, 3, t, LM_DIR_EXIT, LM_MODE_CARGO, "rice");
	assert_int_equal(a.open, 1);
	assert_int_equal(a.rule, 1);
	a = ask(NULL, "UTC", r, 3, t, LM_DIR_EXIT, LM_MODE_CARGO, "timber");
	assert_int_equal(a.open, 0);
	assert_int_equal(a.rule, 0);
	a = ask(NULL, "UTC", r, 3, t, LM_DIR_ENTRY, LM_MODE_PEDESTRIAN, NULL);
	assert_int_equal(a.rule, 2);
}

static void test_ties_and_expiry(void **state)
{
	struct lm_status_rule r[3];
	struct lm_status_answer a;

	/* Same start: the one recorded later wins, whatever its position. */
	r[0] = rule(LM_CP_CLOSED, 0, 0, NULL, "2026-01-01", NULL);
	r[1] = rule(LM_CP_OPEN, 0, 0, NULL, "2026-01-01", NULL);
	r[0].set_at = at("2026-01-02");
	r[1].set_at = at("2026-01-01");
	a = ask(NULL, "UTC", r, 2, "2026-02-01T00:00:00Z", 0, 0, NULL);
	assert_int_equal(a.rule, 0);
	assert_int_equal(a.open, 0);
	r[1].set_at = at("2026-01-03");
	a = ask(NULL, "UTC", r, 2, "2026-02-01T00:00:00Z", 0, 0, NULL);
	assert_int_equal(a.rule, 1);
	assert_int_equal(a.open, 1);
	/* Same start and same record time: the later index. */
	r[0].set_at = r[1].set_at;
	a = ask(NULL, "UTC", r, 2, "2026-02-01T00:00:00Z", 0, 0, NULL);
	assert_int_equal(a.rule, 1);
	r[2] = r[0];
	a = ask(NULL, "UTC", r, 3, "2026-02-01T00:00:00Z", 0, 0, NULL);
	assert_int_equal(a.rule, 2);
	assert_int_equal(a.open, 0);

	/* until is exclusive: at the end instant the rule no longer applies. */
	r[0] = rule(LM_CP_CLOSED, 0, 0, NULL, "2026-01-01", "2026-01-10");
	a = ask(NULL, "UTC", r, 1, "2026-01-01T00:00:00Z", 0, 0, NULL);
	assert_int_equal(a.rule, 0);
	a = ask(NULL, "UTC", r, 1, "2026-01-09T23:59:59.999Z", 0, 0, NULL);
	assert_int_equal(a.open, 0);
	assert_true(a.next_change == at("2026-01-10"));
	a = ask(NULL, "UTC", r, 1, "2026-01-10T00:00:00Z", 0, 0, NULL);
	assert_int_equal(a.open, 1);
	assert_int_equal(a.rule, -1);
	assert_true(a.next_change == LM_TIME_NONE);
	a = ask(NULL, "UTC", r, 1, "2025-12-31T23:59:59.999Z", 0, 0, NULL);
	assert_int_equal(a.rule, -1);
	assert_true(a.next_change == at("2026-01-01"));

	/* An expired later rule does not shadow an earlier open-ended one. */
	r[0] = rule(LM_CP_RESTRICTED, 0, 0, NULL, "2026-01-01", NULL);
	r[1] = rule(LM_CP_CLOSED, 0, 0, NULL, "2026-02-01", "2026-02-05");
	a = ask(NULL, "UTC", r, 2, "2026-03-01T00:00:00Z", 0, 0, NULL);
	assert_int_equal(a.rule, 0);
	assert_int_equal(a.state, LM_CP_RESTRICTED);
}

/* Opening-hours boundaries are found on the local clock, across daylight-saving switches. */
static void test_next_change_dst(void **state)
{
	struct lm_hours every = hours("mon=08:00-20:00;tue=08:00-20:00;wed=08:00-20:00;thu=08:00-"
	                              "20:00;fri=08:00-20:00;sat=08:00-20:00;sun=08:00-20:00");
	struct lm_hours gap = hours("sun=02:30-05:00");
	struct lm_hours twice = hours("sun=02:30-04:00");
	struct lm_hours full = hours("mon=00:00-24:00;tue=00:00-24:00;wed=00:00-24:00;thu=00:00-"
	                             "24:00;fri=00:00-24:00;sat=00:00-24:00;sun=00:00-24:00");
	struct lm_hours monday = hours("mon=09:00-10:00");
	struct lm_status_answer a;

	/* Saturday 20:30 CET; Sunday 08:00 is already summer time (UTC+2). */
	a = ask(&every, "Europe/Berlin", NULL, 0, "2026-03-28T19:30:00Z", 0, 0, NULL);
	assert_int_equal(a.open, 0);
	assert_true(a.next_change == at("2026-03-29T06:00:00Z"));
	/* Autumn: Sunday 08:00 is winter time again (UTC+1). */
	a = ask(&every, "Europe/Berlin", NULL, 0, "2026-10-24T19:30:00Z", 0, 0, NULL);
	assert_true(a.next_change == at("2026-10-25T07:00:00Z"));

	/* 02:30 does not exist on 2026-03-29 in Berlin: the point opens when clocks jump to 03:00.
	 */
	a = ask(&gap, "Europe/Berlin", NULL, 0, "2026-03-29T00:30:00Z", 0, 0, NULL);
	assert_int_equal(a.within_hours, 0);
	assert_true(a.next_change == at("2026-03-29T01:00:00Z"));
	a = ask(&gap, "Europe/Berlin", NULL, 0, "2026-03-29T01:00:00Z", 0, 0, NULL);
	assert_int_equal(a.within_hours, 1);
	assert_true(a.next_change == at("2026-03-29T03:00:00Z"));

	/* 02:30 happens twice on 2026-10-25: first in summer time. */
	a = ask(&twice, "Europe/Berlin", NULL, 0, "2026-10-25T00:00:00Z", 0, 0, NULL);
	assert_int_equal(a.within_hours, 0);
	assert_true(a.next_change == at("2026-10-25T00:30:00Z"));
	/* At 03:00 summer time the clock goes back to 02:00, before the span: closed again... */
	a = ask(&twice, "Europe/Berlin", NULL, 0, "2026-10-25T00:45:00Z", 0, 0, NULL);
	assert_int_equal(a.within_hours, 1);
	assert_true(a.next_change == at("2026-10-25T01:00:00Z"));
	a = ask(&twice, "Europe/Berlin", NULL, 0, "2026-10-25T01:00:00Z", 0, 0, NULL);
	assert_int_equal(a.within_hours, 0);
	assert_true(a.next_change == at("2026-10-25T01:30:00Z"));
	/* ...and open from 02:30 winter time until 04:00 winter time. */
	a = ask(&twice, "Europe/Berlin", NULL, 0, "2026-10-25T01:40:00Z", 0, 0, NULL);
	assert_int_equal(a.within_hours, 1);
	assert_true(a.next_change == at("2026-10-25T03:00:00Z"));

	/* Open around the clock: no hours boundary at all, even though edges exist. */
	a = ask(&full, "Asia/Shanghai", NULL, 0, "2026-11-30T00:00:00Z", 0, 0, NULL);
	assert_int_equal(a.within_hours, 1);
	assert_true(a.next_change == LM_TIME_NONE);

	/* One hour a week: from just after it closes, the next opening is 6 days 23 hours away. */
	a = ask(&monday, "Asia/Yangon", NULL, 0, "2026-11-30T03:30:00Z", 0, 0, NULL);
	assert_int_equal(a.within_hours, 0);
	assert_int_equal(a.local.minute_of_day, 10 * 60);
	assert_true(a.next_change == at("2026-12-07T02:30:00Z"));
	/* The seconds within the current minute do not matter. */
	a = ask(&monday, "Asia/Yangon", NULL, 0, "2026-11-30T03:29:59.999Z", 0, 0, NULL);
	assert_int_equal(a.within_hours, 1);
	assert_true(a.next_change == at("2026-11-30T03:30:00Z"));
}

static void test_errors(void **state)
{
	struct lm_status_rule r[2];
	struct lm_status_query q = {at("2026-01-01"), 0, 0, NULL};
	struct lm_status_answer a = {.rule = 42};
	struct lm_hours bad;
	struct lm_error err;

	r[0] = rule(LM_CP_CLOSED, 0, 0, NULL, "2026-01-01", NULL);
	r[1] = rule(LM_CP_OPEN, 0, 0, NULL, "2026-02-01", "2026-01-15");
	lm_error_init(&err);
	assert_int_equal(lm_status_at(NULL, "UTC", r, 2, &q, &a, &err), LM_EINVAL);
	assert_string_equal(err.field, "rules/1/until");
	r[1].until = LM_TIME_NONE;
	r[1].state = (enum lm_cp_state)0;
	assert_int_equal(lm_status_at(NULL, "UTC", r, 2, &q, &a, &err), LM_EINVAL);
	assert_string_equal(err.field, "rules/1/state");
	r[1].state = LM_CP_OPEN;
	r[1].directions = 4;
	assert_int_equal(lm_status_at(NULL, "UTC", r, 2, &q, &a, &err), LM_EINVAL);
	assert_string_equal(err.field, "rules/1/directions");
	r[1].directions = 0;
	r[1].modes = 8;
	assert_int_equal(lm_status_at(NULL, "UTC", r, 2, &q, &a, &err), LM_EINVAL);
	assert_string_equal(err.field, "rules/1/modes");
	r[1].modes = 0;
	r[1].from = LM_TIME_NONE;
	assert_int_equal(lm_status_at(NULL, "UTC", r, 2, &q, &a, &err), LM_EINVAL);
	assert_string_equal(err.field, "rules/1/from");
	r[1].from = at("2026-02-01");

	assert_int_equal(lm_status_at(NULL, "Mars/Base", r, 2, &q, &a, &err), LM_EINVAL);
	assert_string_equal(err.field, "tz");
	assert_int_equal(lm_status_at(NULL, NULL, r, 2, &q, &a, &err), LM_EINVAL);
	q.direction = 4;
	assert_int_equal(lm_status_at(NULL, "UTC", r, 2, &q, &a, &err), LM_EINVAL);
	assert_string_equal(err.field, "direction");
	q.direction = 0;
	q.mode = 9;
	assert_int_equal(lm_status_at(NULL, "UTC", r, 2, &q, &a, &err), LM_EINVAL);
	assert_string_equal(err.field, "mode");
	q.mode = 0;
	q.at = LM_TIME_NONE;
	assert_int_equal(lm_status_at(NULL, "UTC", r, 2, &q, &a, &err), LM_EINVAL);
	assert_string_equal(err.field, "at");
	q.at = at("2026-01-01");
	memset(&bad, 0, sizeof(bad));
	assert_int_equal(lm_status_at(&bad, "UTC", r, 2, &q, &a, &err), LM_EINVAL);
	assert_string_equal(err.field, "opening_hours");
	assert_int_equal(a.rule, 42);

	assert_int_equal(lm_status_at(NULL, "UTC", r, 2, &q, &a, &err), 0);
	assert_int_equal(a.rule, 0);
}

static void closures(const struct lm_status_rule *r, size_t n, unsigned dir, unsigned mode,
                     const char *goods, const char *now, struct lm_interval **iv, size_t *niv)
{
	struct lm_status_query q = {LM_TIME_NONE, dir, mode, goods};
	struct lm_error err;

	lm_error_init(&err);
	if (lm_status_closures(r, n, &q, at(now), iv, niv, &err))
		fail_msg("lm_status_closures: %s: %s", err.field, err.msg);
}

static void test_closures_ruili(void **state)
{
	struct lm_status_rule r[4];
	struct lm_interval *iv = NULL;
	size_t n = 0;

	ruili(r);
	closures(r, 4, 0, LM_MODE_PEDESTRIAN, NULL, "2026-01-01", &iv, &n);
	assert_int_equal(n, 1);
	assert_true(iv[0].from == at("2020-04-01"));
	assert_true(iv[0].until == at("2023-01-08"));
	assert_int_equal(iv[0].rule, 0);
	assert_int_equal((iv[0].until - iv[0].from) / DAY_MS, 1012);
	free(iv);

	closures(r, 4, LM_DIR_EXIT, LM_MODE_CARGO, NULL, "2026-01-01", &iv, &n);
	assert_int_equal(n, 2);
	assert_true(iv[0].from == at("2020-04-01"));
	assert_true(iv[0].until == at("2021-09-01"));
	assert_int_equal(iv[0].rule, 0);
	assert_true(iv[1].from == at("2021-10-05"));
	assert_true(iv[1].until == at("2021-10-20"));
	assert_int_equal(iv[1].rule, 2);
	free(iv);

	/* Seen from inside the outbreak closure, it is still running. */
	closures(r, 4, 0, LM_MODE_CARGO, NULL, "2021-10-12", &iv, &n);
	assert_int_equal(n, 2);
	assert_true(iv[1].from == at("2021-10-05"));
	assert_true(iv[1].until == LM_TIME_NONE);
	free(iv);

	/* Seen from 2022, the pedestrian closure has no end yet. */
	closures(r, 4, 0, LM_MODE_PEDESTRIAN, NULL, "2022-06-01", &iv, &n);
	assert_int_equal(n, 1);
	assert_true(iv[0].until == LM_TIME_NONE);
	free(iv);

	/* And before it began there is no history. */
	iv = (struct lm_interval *)1;
	closures(r, 4, 0, LM_MODE_PEDESTRIAN, NULL, "2020-03-31", &iv, &n);
	assert_int_equal(n, 0);
	assert_null(iv);
}

static void test_closures_merge_and_scope(void **state)
{
	struct lm_status_rule r[5];
	struct lm_interval *iv = NULL;
	size_t n = 0;

	/* Back-to-back closures by different rules merge; a restriction does not count. */
	r[0] = rule(LM_CP_CLOSED, 0, 0, NULL, "2026-01-01", "2026-01-05");
	r[1] = rule(LM_CP_CLOSED, 0, 0, NULL, "2026-01-05", "2026-01-09");
	r[2] = rule(LM_CP_RESTRICTED, 0, 0, NULL, "2026-02-01", "2026-02-10");
	/* A closure for entry only: outside the scope of an exit query. */
	r[3] = rule(LM_CP_CLOSED, LM_DIR_ENTRY, 0, NULL, "2026-01-07", "2026-03-01");
	/* Scheduled for the future: not history. */
	r[4] = rule(LM_CP_CLOSED, 0, 0, NULL, "2027-01-01", NULL);
	closures(r, 5, LM_DIR_EXIT, 0, NULL, "2026-06-01", &iv, &n);
	assert_int_equal(n, 1);
	assert_true(iv[0].from == at("2026-01-01"));
	assert_true(iv[0].until == at("2026-01-09"));
	assert_int_equal(iv[0].rule, 0);
	free(iv);

	/* For entry, the entry closure bridges the gap until 2026-03-01, over the restriction. */
	closures(r, 5, LM_DIR_ENTRY, 0, NULL, "2026-06-01", &iv, &n);
	assert_int_equal(n, 2);
	assert_true(iv[0].from == at("2026-01-01"));
	assert_true(iv[0].until == at("2026-02-01"));
	assert_true(iv[1].from == at("2026-02-10"));
	assert_true(iv[1].until == at("2026-03-01"));
	assert_int_equal(iv[1].rule, 3);
	free(iv);

	/* A closure that starts exactly now is running now. */
	closures(r, 5, LM_DIR_EXIT, 0, NULL, "2027-01-01", &iv, &n);
	assert_int_equal(n, 2);
	assert_true(iv[1].from == at("2027-01-01"));
	assert_true(iv[1].until == LM_TIME_NONE);
	assert_int_equal(iv[1].rule, 4);
	free(iv);

	iv = (struct lm_interval *)1;
	closures(NULL, 0, 0, 0, NULL, "2026-01-01", &iv, &n);
	assert_null(iv);
	assert_int_equal(n, 0);
}

static void test_closures_errors(void **state)
{
	struct lm_status_rule r[1];
	struct lm_status_query q = {0, 0, 0, NULL};
	struct lm_interval *iv = (struct lm_interval *)1;
	struct lm_error err;
	size_t n = 7;

	r[0] = rule(LM_CP_CLOSED, 0, 0, NULL, "2026-01-01", "2025-01-01");
	lm_error_init(&err);
	assert_int_equal(lm_status_closures(r, 1, &q, at("2026-06-01"), &iv, &n, &err), LM_EINVAL);
	assert_string_equal(err.field, "rules/0/until");
	assert_null(iv);
	assert_int_equal(n, 0);
	r[0].until = LM_TIME_NONE;
	assert_int_equal(lm_status_closures(r, 1, &q, LM_TIME_NONE, &iv, &n, &err), LM_EINVAL);
	assert_string_equal(err.field, "now");
	q.mode = 16;
	assert_int_equal(lm_status_closures(r, 1, &q, at("2026-06-01"), &iv, &n, &err), LM_EINVAL);
	assert_string_equal(err.field, "mode");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_overall),
	    cmocka_unit_test(test_ruili),
	    cmocka_unit_test(test_two_zones),
	    cmocka_unit_test(test_hours_and_states),
	    cmocka_unit_test(test_scope),
	    cmocka_unit_test(test_ties_and_expiry),
	    cmocka_unit_test(test_next_change_dst),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_closures_ruili),
	    cmocka_unit_test(test_closures_merge_and_scope),
	    cmocka_unit_test(test_closures_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
