/*
 * embed.h - files compiled into the binary by cmake/embed.cmake. Each table
 * ends with an entry whose name is NULL; `data` is NUL-terminated.
 */
#ifndef LM_EMBED_H
#define LM_EMBED_H

#include <stddef.h>

struct lm_embedded {
	const char *name;
	const char *data;
	size_t len;
};

#endif
