/*
 * time.h - instants as milliseconds since the Unix epoch, UTC, and their
 * ISO 8601 text form. limes keeps every stored time in UTC with a 'Z'
 * (DESIGN.md); local time exists only inside core/tz for opening hours.
 *
 * The calendar arithmetic is proleptic Gregorian and pure, so it does not
 * depend on the process time zone (no gmtime/timegm/TZ).
 */
#ifndef LM_TIME_H
#define LM_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef int64_t lm_time_ms;

/* No instant: used for open-ended ranges ("until" not set). */
#define LM_TIME_NONE INT64_MIN
/* Room for any int year (the compiler checks the worst case), far above 25 characters. */
#define LM_TIME_STRLEN 64

lm_time_ms lm_time_now(void);

/* Days since 1970-01-01 for a proleptic Gregorian date, and back. */
int64_t lm_days_from_civil(int y, unsigned m, unsigned d);
void lm_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);
int lm_days_in_month(int y, unsigned m);

/* "2026-11-29T00:18:35Z", or with ".123" when the milliseconds are not zero. */
void lm_time_format(lm_time_ms t, char out[LM_TIME_STRLEN]);

/*
 * Parse an ISO 8601 / RFC 3339 instant: "YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM|-HH:MM)".
 * A date alone ("YYYY-MM-DD") is midnight UTC when `allow_date` is set.
 * Calendar dates are validated (no 2026-02-30). On failure fills `err`
 * (field `field`) and returns LM_EINVAL.
 */
int lm_time_parse(const char *s, size_t len, int allow_date, lm_time_ms *out, const char *field,
                  struct lm_error *err);

#endif
