#include "util/buf.h"
#include "util/error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char lm__buf_empty[1];

void lm_buf_init(struct lm_buf *b, size_t max)
{
	b->ptr = lm__buf_empty;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void lm_buf_release(struct lm_buf *b)
{
	if (b->cap)
		free(b->ptr);
	lm_buf_init(b, b->max);
}

void lm_buf_reset(struct lm_buf *b)
{
	b->len = 0;
	/* Never write to the shared empty string: every thread's empty buffer points at it. */
	if (b->cap)
		b->ptr[0] = '\0';
}

int lm_buf_grow(struct lm_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return LM_ENOMEM;
	need = b->len + extra + 1;
	if (b->max && need > b->max + 1)
		return LM_ETOOBIG;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = b->cap ? realloc(b->ptr, cap) : malloc(cap);
	if (!p)
		return LM_ENOMEM;
	if (!b->cap)
		p[0] = '\0';
	b->ptr = p;
	b->cap = cap;
	return 0;
}

int lm_buf_add(struct lm_buf *b, const void *data, size_t len)
{
	int rc = lm_buf_grow(b, len);

	if (rc)
		return rc;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int lm_buf_puts(struct lm_buf *b, const char *s)
{
	return lm_buf_add(b, s, strlen(s));
}

int lm_buf_putc(struct lm_buf *b, char c)
{
	return lm_buf_add(b, &c, 1);
}

int lm_buf_vprintf(struct lm_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return LM_EINVAL;
	rc = lm_buf_grow(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int lm_buf_printf(struct lm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = lm_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *lm_buf_detach(struct lm_buf *b)
{
	char *p;

	/* An empty buffer still points at the shared "": give the caller its own copy. */
	if (!b->cap && lm_buf_grow(b, 0))
		return NULL;
	p = b->ptr;
	lm_buf_init(b, b->max);
	return p;
}
