#include "core/tz.h"
#include "core/core_int.h"

#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

/* 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z: four-digit years, as util/time prints them. */
#define T_MIN  (-62135596800000LL)
#define T_END  253402300800000LL
#define DAY_MS 86400000LL

/* A zone id converted for ICU; `len` 0 when the id is not acceptable. */
struct uzone {
	UChar id[LM_TZ_ID_MAX + 1];
	int32_t len;
};

/*
 * IANA ids use only these characters; screening them first means hostile
 * text never reaches ICU and the ASCII-to-UTF-16 copy below is exact.
 */
static int id_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '/' || c == '_' || c == '-' || c == '+';
}

/*
 * Ids ICU knows that are not in the IANA database: Java's three-letter
 * compatibility ids, several of them ambiguous ("IST" is India, Israel or
 * Ireland; "CST" US Central or China), and the SystemV/ zones IANA dropped.
 * "Factory" is IANA's but means "local time unknown", never a place.
 */
static int not_iana(const char *zone, size_t n)
{
	static const char icu_only[] = "ACT AET AGT ART AST BET BST CAT CNT CST CTT EAT ECT IET "
	                               "IST JST MIT NET NST PLT PNT PRT PST SST VST ";

	if (n == 3) {
		for (const char *p = icu_only; *p; p += 4)
			if (memcmp(p, zone, 3) == 0)
				return 1;
	}
	return strncmp(zone, "SystemV/", 8) == 0 || strcmp(zone, "Factory") == 0;
}

static int uzone_from(const char *zone, struct uzone *z)
{
	UChar canon[LM_TZ_ID_MAX + 1];
	static const UChar unknown[] = {'E', 't', 'c', '/', 'U', 'n', 'k', 'n', 'o', 'w', 'n', 0};
	UErrorCode st = U_ZERO_ERROR;
	UBool system = 0;
	size_t n;
	int32_t clen;

	z->len = 0;
	if (!zone)
		return 0;
	n = strlen(zone);
	if (n == 0 || n > LM_TZ_ID_MAX || not_iana(zone, n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!id_char(zone[i]))
			return 0;
		z->id[i] = (UChar)zone[i];
	}
	z->id[n] = 0;
	clen =
	    ucal_getCanonicalTimeZoneID(z->id, (int32_t)n, canon, LM_TZ_ID_MAX + 1, &system, &st);
	/* Custom ids ("GMT+8") canonicalise fine but are not system ids: refuse them. */
	if (U_FAILURE(st) || !system || clen <= 0)
		return 0;
	if (u_strcmp(canon, unknown) == 0)
		return 0;
	z->len = (int32_t)n;
	return 1;
}

int lm_tz_valid(const char *zone)
{
	struct uzone z;

	return uzone_from(zone, &z);
}

/* Opens a calendar of `zone` set to instant t; the caller closes *out. */
static int open_at(const char *zone, lm_time_ms t, UCalendar **out, struct lm_error *err)
{
	struct uzone z;
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal;

	if (!uzone_from(zone, &z))
		return lm__error_at(err, LM_EINVAL, "tz", -1,
		                    "\"%.64s\" is not a known IANA time zone", zone ? zone : "");
	if (t < T_MIN || t >= T_END)
		return lm__error_at(err, LM_EINVAL, "time", -1,
		                    "instant outside the years 0001..9999");
	/* Only the zone's offsets are used, so the locale and calendar system do not matter. */
	cal = ucal_open(z.id, z.len, "en_US_POSIX", UCAL_GREGORIAN, &st);
	if (U_SUCCESS(st))
		ucal_setMillis(cal, (UDate)t, &st);
	if (U_FAILURE(st)) {
		if (cal)
			ucal_close(cal);
		return lm__error_at(err, LM_EINTERNAL, "tz", -1, "ICU calendar: %s",
		                    u_errorName(st));
	}
	*out = cal;
	return 0;
}

static int64_t floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int lm_tz_local(const char *zone, lm_time_ms t, struct lm_local *out, struct lm_error *err)
{
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal;
	int32_t raw, dst;
	int64_t wall, days;
	int y, rc;
	unsigned m, d;

	if ((rc = open_at(zone, t, &cal, err)))
		return rc;
	raw = ucal_get(cal, UCAL_ZONE_OFFSET, &st);
	dst = ucal_get(cal, UCAL_DST_OFFSET, &st);
	ucal_close(cal);
	if (U_FAILURE(st))
		return lm__error_at(err, LM_EINTERNAL, "tz", -1, "ICU offset: %s", u_errorName(st));
	wall = t + raw + dst;
	days = floordiv(wall, DAY_MS);
	lm_civil_from_days(days, &y, &m, &d);
	out->year = y;
	out->month = m;
	out->day = d;
	/* 1970-01-01 was a Thursday, ISO weekday 3 counting Monday as 0. */
	out->weekday = (unsigned)(((days + 3) % 7 + 7) % 7);
	out->minute_of_day = (unsigned)((wall - days * DAY_MS) / 60000);
	/* Whole minutes: only local mean time before about 1900 had seconds in its offset. */
	out->offset_min = (raw + dst) / 60000;
	return 0;
}

int lm_tz_next_transition(const char *zone, lm_time_ms t, lm_time_ms *out, struct lm_error *err)
{
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal;
	UDate next = 0;
	UBool found;
	int rc;

	if ((rc = open_at(zone, t, &cal, err)))
		return rc;
	found = ucal_getTimeZoneTransitionDate(cal, UCAL_TZ_TRANSITION_NEXT, &next, &st);
	ucal_close(cal);
	if (U_FAILURE(st))
		return lm__error_at(err, LM_EINTERNAL, "tz", -1, "ICU transition: %s",
		                    u_errorName(st));
	*out = found && next < (UDate)T_END ? (lm_time_ms)next : LM_TIME_NONE;
	return 0;
}
