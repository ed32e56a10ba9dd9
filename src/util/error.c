#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *lm_strerror(int code)
{
	switch (code) {
#define LM__ERR_CASE(name, val, msg)                                                               \
	case val:                                                                                  \
		return msg;
		LM_ERRNO_MAP(LM__ERR_CASE)
#undef LM__ERR_CASE
	}
	return "unknown error";
}

const char *lm_errname(int code)
{
	switch (code) {
#define LM__ERR_NAME(name, val, msg)                                                               \
	case val:                                                                                  \
		return #name;
		LM_ERRNO_MAP(LM__ERR_NAME)
#undef LM__ERR_NAME
	}
	return "UNKNOWN";
}

void lm_error_init(struct lm_error *e)
{
	e->code = LM_OK;
	e->offset = -1;
	e->field[0] = '\0';
	e->msg[0] = '\0';
}

int lm_error_set(struct lm_error *e, int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

void lm__bug(const char *file, int line, const char *msg)
{
	fprintf(stderr, "BUG: %s:%d: %s\n", file, line, msg);
	abort();
}
