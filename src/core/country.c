#include "core/country.h"

#include <stdlib.h>
#include <string.h>

static int upper_code(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return 0;
	return 1;
}

static int cmp_alpha2(const void *key, const void *elem)
{
	return strcmp(key, ((const struct lm_country *)elem)->alpha2);
}

const struct lm_country *lm_country_find(const char *code)
{
	size_t n;

	if (!code)
		return NULL;
	n = strlen(code);
	if ((n != 2 && n != 3) || !upper_code(code, n))
		return NULL;
	if (n == 2)
		return bsearch(code, lm__countries, lm__countries_len, sizeof(lm__countries[0]),
		               cmp_alpha2);
	/* The table is ordered by alpha-2 only; 249 short compares cost less than a second index.
	 */
	for (size_t i = 0; i < lm__countries_len; i++)
		if (strcmp(lm__countries[i].alpha3, code) == 0)
			return &lm__countries[i];
	return NULL;
}
