#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/country.h"

static void test_alpha2_and_alpha3(void **state)
{
	const struct lm_country *mm = lm_country_find("MM");
	const struct lm_country *cn = lm_country_find("CN");

	assert_non_null(mm);
	assert_string_equal(mm->alpha3, "MMR");
	assert_string_equal(mm->name, "Myanmar");
	assert_ptr_equal(lm_country_find("MMR"), mm);
	assert_non_null(cn);
	assert_string_equal(cn->alpha2, "CN");
	assert_string_equal(cn->alpha3, "CHN");
	assert_ptr_equal(lm_country_find("CHN"), cn);
}

static void test_unknown_and_malformed(void **state)
{
	assert_null(lm_country_find("XX"));
	assert_null(lm_country_find("XXX"));
	assert_null(lm_country_find("mm"));
	assert_null(lm_country_find("mmr"));
	assert_null(lm_country_find("Mm"));
	assert_null(lm_country_find(""));
	assert_null(lm_country_find("M"));
	assert_null(lm_country_find("MMRR"));
	assert_null(lm_country_find("M1"));
	assert_null(lm_country_find(" MM"));
	assert_null(lm_country_find(NULL));
}

/* The generated table must really be sorted, or the binary search silently misses codes. */
static void test_table_sorted_and_complete(void **state)
{
	assert_true(lm__countries_len >= 249);
	for (size_t i = 1; i < lm__countries_len; i++)
		assert_true(strcmp(lm__countries[i - 1].alpha2, lm__countries[i].alpha2) < 0);
	for (size_t i = 0; i < lm__countries_len; i++) {
		assert_int_equal(strlen(lm__countries[i].alpha2), 2);
		assert_int_equal(strlen(lm__countries[i].alpha3), 3);
		assert_ptr_equal(lm_country_find(lm__countries[i].alpha2), &lm__countries[i]);
		assert_ptr_equal(lm_country_find(lm__countries[i].alpha3), &lm__countries[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alpha2_and_alpha3),
	    cmocka_unit_test(test_unknown_and_malformed),
	    cmocka_unit_test(test_table_sorted_and_complete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
