/*
 * tz.h - IANA time zones, for opening hours only.
 *
 * limes stores and exchanges every instant in UTC (util/time.h). Local time
 * matters in one place: a crossing point's opening hours are stated in its
 * own zone, and the two sides of one border can differ (Ruili is UTC+8,
 * Muse across the river UTC+6:30). This module turns an instant into the
 * wall-clock date and time of a zone, using ICU's copy of the IANA tz
 * database, so daylight-saving rules and historical changes are ICU's
 * problem, not ours.
 *
 * Zone ids are IANA names ("Asia/Yangon"), canonical or alias ("Asia/Rangoon"),
 * as ICU knows them. Refused: custom offsets ("GMT+8", "UTC+08:00"), because
 * a fixed offset stops being right the day a government changes the clock
 * and a crossing point is a place, so it gets the place's zone; and the ids
 * ICU adds that IANA does not have ("PST", "IST", "SystemV/EST5"), some of
 * which are ambiguous.
 *
 * The calendar fields are proleptic Gregorian (as util/time.h) and computed
 * from the zone's UTC offset at the instant, so results agree with
 * lm_civil_from_days() for every supported instant: 0001-01-01 up to, not
 * including, 10000-01-01 UTC.
 *
 * USAGE:
 *	if (!lm_tz_valid(tz)) return lm_error_set(err, LM_EINVAL, "tz", "unknown time zone");
 *	struct lm_local l;
 *	if (lm_tz_local("Asia/Shanghai", t, &l, &err)) fail;
 *	// l.weekday 0 = Monday, l.minute_of_day 0..1439, l.offset_min 480
 *
 * Thread-safe: each call opens its own ICU calendar (a few microseconds;
 * ICU caches the zone data itself), so HTTP threads share nothing here.
 */
#ifndef LM_CORE_TZ_H
#define LM_CORE_TZ_H

#include "util/error.h"
#include "util/time.h"

/* Longest zone id accepted; the longest IANA id today is 32 characters. */
#define LM_TZ_ID_MAX 64

/*
 * 1 when ICU knows `zone` as a time zone id exactly, canonical or alias
 * ("Asia/Yangon", "Asia/Rangoon", "UTC"); 0 for unknown ids ("Mars/Base"),
 * "", NULL, custom offsets ("UTC+8", "GMT+08:00"), ICU-only ids ("IST") and
 * ids longer than LM_TZ_ID_MAX. Case matters, as in the tz database.
 */
int lm_tz_valid(const char *zone);

/* An instant as seen on a wall clock in one zone. */
struct lm_local {
	int year;
	unsigned month, day;    /* 1..12, 1..31 */
	unsigned weekday;       /* ISO order: 0 = Monday .. 6 = Sunday */
	unsigned minute_of_day; /* 0..1439, seconds dropped */
	int offset_min;         /* UTC offset in force at that instant: 480, 390, -300 */
};

/*
 * Fill *out with instant t in `zone`. LM_EINVAL with err->field "tz" for a
 * zone lm_tz_valid() rejects, or "time" for an instant outside the supported
 * range (LM_TIME_NONE included); LM_EINTERNAL when ICU fails. *out is
 * written only on success.
 */
int lm_tz_local(const char *zone, lm_time_ms t, struct lm_local *out, struct lm_error *err);

/*
 * The first instant after t at which `zone`'s rules change (in practice: a
 * daylight-saving switch), or LM_TIME_NONE in *out when the zone has none
 * scheduled (Asia/Shanghai since 1991). Errors as lm_tz_local().
 * core/status uses this to find when local opening hours next begin or end.
 */
int lm_tz_next_transition(const char *zone, lm_time_ms t, lm_time_ms *out, struct lm_error *err);

#endif
