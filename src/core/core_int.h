/*
 * core_int.h - helpers shared by the files of src/core only; not part of any
 * module's interface.
 */
#ifndef LM_CORE_INT_H
#define LM_CORE_INT_H

#include "util/error.h"

/*
 * lm_error_set() plus the byte offset of the problem (-1 when it is not tied
 * to a position in a text), so a stale offset from an earlier error never
 * survives. Returns `code`; err may be NULL.
 */
int lm__error_at(struct lm_error *err, int code, const char *field, long offset, const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));

#endif
