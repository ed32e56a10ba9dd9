#include "util/uuid.h"
#include "util/time.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>

static pthread_mutex_t uuid_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t last_ms;
static unsigned last_seq;

int lm_uuid_global_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void lm_uuid_v7(char out[LM_UUID_STRLEN])
{
	unsigned char r[10];
	uint64_t ms = (uint64_t)lm_time_now();
	unsigned seq;

	randombytes_buf(r, sizeof(r));
	pthread_mutex_lock(&uuid_lock);
	if (ms > last_ms) {
		/* Start low in the counter space so a burst in one ms cannot overflow it. */
		seq = ((unsigned)r[8] << 8 | r[9]) & 0x1ff;
	} else {
		ms = last_ms;
		seq = last_seq + 1;
		if (seq > 0xfff) {
			ms++;
			seq = 0;
		}
	}
	last_ms = ms;
	last_seq = seq;
	pthread_mutex_unlock(&uuid_lock);

	snprintf(out, LM_UUID_STRLEN, "%08x-%04x-%04x-%04x-%02x%02x%02x%02x%02x%02x",
	         (unsigned)(ms >> 16), (unsigned)(ms & 0xffff), 0x7000u | seq,
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
