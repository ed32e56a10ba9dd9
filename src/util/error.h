/*
 * error.h - the one project-wide error code and a caller-owned error record.
 *
 * Every function that can fail returns an `int`: 0 (LM_OK) on success, a
 * negative LM_E* code otherwise. Parsers and validators additionally fill a
 * caller-owned `struct lm_error` naming the field, the byte offset and a
 * human sentence, so that a bad MRZ or a bad JSON body says exactly what is
 * wrong (jansson's json_error_t is the model).
 *
 * Library code never prints or exits; programmer errors use LM_BUG().
 */
#ifndef LM_ERROR_H
#define LM_ERROR_H

#include <stddef.h>

/* X(name, value, message). Values are stable: the CLI and logs show them. */
#define LM_ERRNO_MAP(X)                                                                            \
	X(OK, 0, "success")                                                                        \
	X(NOMEM, -1, "out of memory")                                                              \
	X(INVAL, -2, "invalid input")                                                              \
	X(NOTFOUND, -3, "not found")                                                               \
	X(EXISTS, -4, "already exists")                                                            \
	X(CONFLICT, -5, "conflict with the current state")                                         \
	X(STALE, -6, "the object changed since it was read")                                       \
	X(AUTH, -7, "authentication required or failed")                                           \
	X(FORBIDDEN, -8, "not allowed for this role or agency")                                    \
	X(TOOBIG, -9, "too large")                                                                 \
	X(DB, -10, "database error")                                                               \
	X(BUSY, -11, "temporarily busy, retry")                                                    \
	X(IO, -12, "input/output error")                                                           \
	X(SCHEMA, -13, "database schema is newer than this program")                               \
	X(RATELIMIT, -14, "too many attempts, slow down")                                          \
	X(INTERNAL, -15, "internal error")                                                         \
	X(PRECOND, -16, "a precondition is required (If-Match)")                                   \
	X(MEDIA, -17, "unsupported media type")

enum lm_errno {
#define LM__ERR_ENUM(name, val, msg) LM_E##name = (val),
	LM_ERRNO_MAP(LM__ERR_ENUM)
#undef LM__ERR_ENUM
};
#define LM_OK LM_EOK

/* Static English text for an error code; never NULL. */
const char *lm_strerror(int code);
/* Stable short name ("INVAL") for logs and problem types; never NULL. */
const char *lm_errname(int code);

/*
 * A caller-owned description of the first problem found. `field` is a
 * JSON-pointer-like path ("opening_hours/2/open") or "" when the problem is
 * not tied to one field; `offset` is a byte offset into the input or -1.
 */
struct lm_error {
	int code;
	long offset;
	char field[96];
	char msg[160];
};

void lm_error_init(struct lm_error *e);
/* Record a problem; returns `code` so callers can `return lm_error_set(...)`. */
int lm_error_set(struct lm_error *e, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Abort with a message: for broken invariants only, never for bad input. */
_Noreturn void lm__bug(const char *file, int line, const char *msg);
#define LM_BUG(msg) lm__bug(__FILE__, __LINE__, (msg))

#endif
