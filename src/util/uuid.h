/*
 * uuid.h - UUIDv7 identifiers (RFC 9562): 48 bits of Unix milliseconds, then
 * a 12-bit counter, then 62 random bits. Time-ordered, so B-tree inserts stay
 * at the right edge (random UUIDs halved ingest on a 1M-row table), and unique
 * across posts without coordination.
 *
 * Ids made by one process are strictly increasing, even within one
 * millisecond (the counter) and across small backward clock steps.
 * Thread-safe. Requires lm_uuid_global_init() (libsodium) once.
 */
#ifndef LM_UUID_H
#define LM_UUID_H

#include <stddef.h>

#define LM_UUID_STRLEN 37 /* 36 characters and a NUL */

int lm_uuid_global_init(void);
void lm_uuid_v7(char out[LM_UUID_STRLEN]);
/* 1 when s[0..len) is a canonical lower- or upper-case UUID text. */
int lm_uuid_valid(const char *s, size_t len);

#endif
