/*
 * buf.h - a growable, always NUL-terminated byte buffer (git's strbuf).
 *
 * USAGE:
 *	struct lm_buf b = LM_BUF_INIT;
 *	if (lm_buf_printf(&b, "%d", n) || lm_buf_add(&b, s, len)) goto fail;
 *	use(b.ptr, b.len);
 *	lm_buf_release(&b);
 *
 * Invariant: after LM_BUF_INIT or any successful call, `ptr` points to `len`
 * bytes followed by a NUL (an empty buffer points at a static "").
 * On failure (LM_ENOMEM / LM_ETOOBIG) the buffer is left as it was.
 */
#ifndef LM_BUF_H
#define LM_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct lm_buf {
	char *ptr;
	size_t len;
	size_t cap; /* 0 while ptr points at the shared empty string */
	size_t max; /* 0 = unlimited; otherwise growing past it fails with LM_ETOOBIG */
};

extern char lm__buf_empty[];
#define LM_BUF_INIT                                                                                \
	{                                                                                          \
		lm__buf_empty, 0, 0, 0                                                             \
	}

void lm_buf_init(struct lm_buf *b, size_t max);
void lm_buf_release(struct lm_buf *b);
void lm_buf_reset(struct lm_buf *b);
int lm_buf_grow(struct lm_buf *b, size_t extra);
int lm_buf_add(struct lm_buf *b, const void *data, size_t len);
int lm_buf_puts(struct lm_buf *b, const char *s);
int lm_buf_putc(struct lm_buf *b, char c);
int lm_buf_printf(struct lm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int lm_buf_vprintf(struct lm_buf *b, const char *fmt, va_list ap);
/* Hand the heap string to the caller (never NULL on success); the buffer is re-initialised. */
char *lm_buf_detach(struct lm_buf *b);

#endif
