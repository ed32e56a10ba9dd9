/*
 * hours.h - weekly opening hours of a crossing point, in its local time.
 *
 * A week has 7 days in ISO order (0 = Monday .. 6 = Sunday), each with up to
 * LM_HOURS_SPANS spans. A span is [open, close) in minutes after local
 * midnight:
 *
 *	open	0..1439				("00:00".."23:59")
 *	close	0..1440, close != open		("24:00" = the end of the day)
 *
 * close < open means the span runs past midnight: "22:00-06:00" on Friday
 * is open from Friday 22:00 to Saturday 06:00 (Sunday's overnight span runs
 * into Monday). A close of "00:00" is stored as 1440: both mean "until
 * midnight", and one spelling keeps the text form canonical.
 *
 * Invariants of a checked week (lm_hours_check() enforces them all):
 *   - `always` is 1 (no hours stated: open 24/7, every n[d] == 0), or 0 and
 *     at least one day has a span (a point closed every day is expressed as
 *     a status change in core/status, not as hours);
 *   - spans of a day are sorted by `open`;
 *   - no two spans overlap, including a span that runs past midnight against
 *     the next day's spans. Spans may touch ("08:00-12:00,12:00-18:00").
 *
 * Text form (storage and CLI), canonical and round-tripping:
 *	""						always open
 *	"mon=08:00-20:00;tue=08:00-12:00,13:00-18:00"	days in order, no spaces;
 *							days not listed are closed
 *
 * USAGE (building from API input, one span at a time):
 *	struct lm_hours h;
 *	lm_hours_init_always(&h);	// the first span clears `always`
 *	for each day d, span i:
 *		if (lm_hours_add_span(&h, d, s, len, "opening_hours/mon/0", &err)) fail;
 *	if (lm_hours_check(&h, &err)) fail;
 *	lm_hours_format(&h, &buf);	// store buf.ptr
 *
 *	if (lm_hours_parse(text, len, &h, &err)) fail;	// from storage
 *	open = lm_hours_open_at(&h, &local);		// local from core/tz
 *
 * All functions are pure and thread-safe; struct lm_hours is a plain value
 * (no heap), copy it freely.
 */
#ifndef LM_CORE_HOURS_H
#define LM_CORE_HOURS_H

#include <stddef.h>
#include <stdint.h>

#include "core/tz.h"
#include "util/buf.h"
#include "util/error.h"

/*
 * Spans per day: enough for split shifts with a lunch break and a night slot,
 * and small enough that the canonical text of a full week stays under 364
 * bytes (7 x "mon=" + 4 x "HH:MM-HH:MM" + separators).
 */
#define LM_HOURS_SPANS 4

struct lm_hours_span {
	uint16_t open, close; /* minutes after local midnight; see the rules above */
};

struct lm_hours {
	int always;   /* 1 = open 24/7 (no hours stated) */
	uint8_t n[7]; /* spans in use per day */
	struct lm_hours_span span[7][LM_HOURS_SPANS];
};

/* Open 24/7: always = 1, no spans. */
void lm_hours_init_always(struct lm_hours *h);

/*
 * Parse one "HH:MM-HH:MM" span (exactly that: two digits each, no spaces) and
 * add it to weekday `day` (0 = Monday), keeping the day sorted and clearing
 * h->always. Rejects with LM_EINVAL and err->field = `field` (e.g.
 * "opening_hours/mon/0"): malformed text, hours above 23 or minutes above 59
 * ("24:00" is allowed as a close only), open == close, a fifth span, and a
 * span overlapping another one of the same day, the previous day's span that
 * runs past midnight into this morning, or (for a span running past midnight)
 * the next day's spans. On failure h is unchanged. `day` above 6 is a bug.
 */
int lm_hours_add_span(struct lm_hours *h, unsigned day, const char *s, size_t len,
                      const char *field, struct lm_error *err);

/*
 * Check every invariant above on a week however it was filled. LM_EINVAL with
 * err->field "opening_hours" or "opening_hours/<day>/<i>" for the first
 * problem found.
 */
int lm_hours_check(const struct lm_hours *h, struct lm_error *err);

/*
 * Append the canonical text of h to `out` ("" when always). LM_EINVAL for a
 * week that fails lm_hours_check(); LM_ENOMEM / LM_ETOOBIG from the buffer.
 * On failure `out` is left as it was.
 */
int lm_hours_format(const struct lm_hours *h, struct lm_buf *out);

/*
 * Parse the text form into *out: "" is always open. Days may come in any
 * order but at most once each; spans of a day are separated by ',' and
 * may come in any order. The result passes lm_hours_check(). On failure
 * LM_EINVAL with err->field "opening_hours" or "opening_hours/<day>/<i>" and
 * err->offset the byte offset; *out is then unspecified.
 */
int lm_hours_parse(const char *s, size_t len, struct lm_hours *out, struct lm_error *err);

/* "08:00-20:00" ("...-24:00" for a span to midnight) for day d, span i < h->n[d]. */
void lm_hours_span_text(const struct lm_hours *h, unsigned d, unsigned i, char out[12]);

/* "mon" .. "sun" for 0..6; NULL for anything else. */
const char *lm_hours_day_name(unsigned d);
/* 0..6 for "mon".."sun" (lower case, exactly len bytes); -1 otherwise. */
int lm_hours_day_parse(const char *s, size_t len);

/*
 * 1 when a local wall-clock time (l->weekday, l->minute_of_day; the other
 * fields are ignored) falls inside a span, counting spans that began the
 * previous day and run past midnight; always 1 for an always-open week.
 */
int lm_hours_open_at(const struct lm_hours *h, const struct lm_local *l);

/*
 * The same question for minute `m` of the week (0 = Monday 00:00 .. 10079 =
 * Sunday 23:59), which is what core/status uses to walk forward in time.
 */
int lm_hours_open_at_week_minute(const struct lm_hours *h, unsigned m);

#endif
