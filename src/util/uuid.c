#include "util/uuid.h"
#include "util/time.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * Last issued (ms << 12 | counter): one atomic word, so threads order their
 * ids without a lock. The counter starts low in each new millisecond so a
 * burst within it cannot overflow; if it does, the id borrows the next ms.
 */
static atomic_uint_fast64_t last_state;

/* Random bits come from a per-thread pool refilled by libsodium (one getrandom
 * call per 4 KiB instead of one per id: every request takes a request id). */
#define POOL_SIZE 4096
static _Thread_local unsigned char pool[POOL_SIZE];
static _Thread_local size_t pool_left;

static void random_bytes(unsigned char *out, size_t n)
{
	if (pool_left < n) {
		randombytes_buf(pool, sizeof(pool));
		pool_left = sizeof(pool);
	}
	memcpy(out, pool + sizeof(pool) - pool_left, n);
	/* Used bytes are wiped so a later memory read cannot recover past ids' randomness. */
	sodium_memzero(pool + sizeof(pool) - pool_left, n);
	pool_left -= n;
}

int lm_uuid_global_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void lm_uuid_v7(char out[LM_UUID_STRLEN])
{
	unsigned char r[10];
	uint64_t now = (uint64_t)lm_time_now(), ms, seq;
	uint_fast64_t prev, next;

	random_bytes(r, sizeof(r));
	prev = atomic_load(&last_state);
	do {
		uint64_t pms = prev >> 12, pseq = prev & 0xfff;
		if (now > pms) {
			ms = now;
			seq = ((unsigned)r[8] << 8 | r[9]) & 0x1ff;
		} else if (pseq < 0xfff) {
			ms = pms;
			seq = pseq + 1;
		} else {
			ms = pms + 1;
			seq = 0;
		}
		next = ms << 12 | seq;
	} while (!atomic_compare_exchange_weak(&last_state, &prev, next));

	snprintf(out, LM_UUID_STRLEN, "%08x-%04x-%04x-%04x-%02x%02x%02x%02x%02x%02x",
	         (unsigned)(ms >> 16), (unsigned)(ms & 0xffff), (unsigned)(0x7000u | seq),
	         0x8000u | (((unsigned)r[0] << 8 | r[1]) & 0x3fff), r[2], r[3], r[4], r[5], r[6],
	         r[7]);
}

int lm_uuid_valid(const char *s, size_t len)
{
	if (len != 36)
		return 0;
	for (size_t i = 0; i < 36; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		             (c >= 'A' && c <= 'F'))) {
			return 0;
		}
	}
	return 1;
}
