#include "core/core_int.h"

#include <stdarg.h>
#include <stdio.h>

int lm__error_at(struct lm_error *err, int code, const char *field, long offset, const char *fmt,
                 ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return code;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lm_error_set(err, code, field, "%s", msg);
	err->offset = offset;
	return code;
}
