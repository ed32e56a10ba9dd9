#include "core/text.h"

#include <unicode/utf8.h>

int lm_text_check(const char *s, size_t len, unsigned flags, size_t *bad_offset)
{
	const uint8_t *p = (const uint8_t *)s;
	int32_t i = 0, n;
	UChar32 c;

	/* Inputs are bounded by the API limits long before INT32_MAX. */
	if (len > INT32_MAX) {
		*bad_offset = 0;
		return -1;
	}
	n = (int32_t)len;
	while (i < n) {
		int32_t at = i;
		U8_NEXT(p, i, n, c);
		if (c < 0 ||
		    (c < 0x20 && !((flags & LM_TEXT_MULTILINE) && (c == '\n' || c == '\t'))) ||
		    c == 0x7f || (c >= 0x80 && c < 0xa0)) {
			*bad_offset = (size_t)at;
			return -1;
		}
	}
	return 0;
}
