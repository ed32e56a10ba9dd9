/*
 * fuzz_api.c - libFuzzer target for everything a request body goes through:
 * jansson parsing, the field readers of http/json.c, every resource's
 * validation in app/, and the store writes that follow. Each input is sent
 * as the body of a POST (the first byte picks the route) to an in-memory
 * database, through lm_http_call, as the system actor.
 *
 * Properties beyond "no crash, leak or undefined behaviour": every answer is
 * 201 or a 4xx problem (never a 5xx), and its body is valid JSON.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "util/uuid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lm_store *st;
static struct lm_app *app;

static const char *const routes[] = {
    "/api/v1/agencies",
    "/api/v1/crossing-points",
    "/api/v1/segments",
    "/api/v1/markers",
    "/api/v1/crossing-points/CNRUI/status",
    "/api/v1/markers/D-001/inspections",
    "/api/v1/users",
    "/api/v1/sessions",
};

static const char seed_point[] =
    "{\"code\":\"CNRUI\",\"name\":\"Ruili\",\"country\":\"CN\",\"country_other\":\"MM\","
    "\"kind\":\"international\",\"modes\":[\"cargo\"],\"position\":{\"lon\":97.9,\"lat\":24},"
    "\"time_zone\":\"Asia/Shanghai\"}";
static const char seed_marker[] =
    "{\"pillar\":\"D-001\",\"position\":{\"lon\":97.9,\"lat\":24},\"condition\":\"intact\"}";

static void setup(void)
{
	struct lm_error err;
	struct lm_actor sys;
	struct lm_buf out = LM_BUF_INIT;
	int from, to, status;

	lm_error_init(&err);
	if (lm_uuid_global_init() || lm_store_open("sqlite::memory:", LM_STORE_CREATE, &st, &err) ||
	    lm_store_migrate(st, &from, &to, &err) || lm_app_new(st, NULL, &app, &err))
		abort();
	lm_actor_system(&sys);
	/* Targets for the nested routes, so their validation is reached too. */
	lm_http_call(app, &sys, "POST", routes[1], seed_point, strlen(seed_point), &status, &out);
	lm_http_call(app, &sys, "POST", routes[3], seed_marker, strlen(seed_marker), &status, &out);
	lm_buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lm_buf out = LM_BUF_INIT;
	struct lm_actor sys;
	json_t *j;
	int status = 0;

	if (!app)
		setup();
	if (size < 1)
		return 0;
	lm_actor_system(&sys);
	lm_http_call(app, &sys, "POST", routes[data[0] % (sizeof(routes) / sizeof(routes[0]))],
	             (const char *)data + 1, size - 1, &status, &out);
	if (status >= 500 && status != 503) {
		fprintf(stderr, "5xx for a request body: %d %s\n", status, out.ptr);
		abort();
	}
	j = json_loadb(out.ptr, out.len, 0, NULL);
	if (!j) {
		fprintf(stderr, "answer is not JSON: %s\n", out.ptr);
		abort();
	}
	json_decref(j);
	lm_buf_release(&out);
	return 0;
}
