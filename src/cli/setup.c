/*
 * setup.c - opening the database for a command, first-run setup, and the
 * demo border loader.
 */
#include "cli/cli.h"
#include "util/embed.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern const struct lm_embedded lm_demo_files[];

/* Generated passwords: 20 characters of a 56-letter alphabet, about 116 bits. */
#define LM_GENERATED_PASSWORD_LEN 20

int lm_cli_open_store(const char *cmd, const char *path, int create, struct lm_store **out)
{
	struct lm_error err;
	char url[4096 + 8];
	int from, to, rc;

	lm_error_init(&err);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	rc = lm_store_open(url, create ? LM_STORE_CREATE : 0, out, &err);
	if (rc)
		return lm_cli_fail(LM_EXIT_DB, cmd, "cannot open database %s: %s", path, err.msg);
	rc = lm_store_migrate(*out, &from, &to, &err);
	if (rc) {
		lm_store_free(*out);
		*out = NULL;
		return lm_cli_fail(LM_EXIT_DB, cmd, "%s", err.msg);
	}
	return LM_EXIT_OK;
}

static int find_agency(void *ctx, const struct lm_agency *a)
{
	char *id = ctx;

	if (!id[0])
		snprintf(id, LM_UUID_STRLEN, "%s", a->id);
	return 1;
}

int lm_cli_bootstrap(const char *cmd, struct lm_app *app, int demo, FILE *out)
{
	const char *env_pw = getenv("LIMES_ADMIN_PASSWORD");
	const char *env_demo = getenv("LIMES_DEMO_PASSWORD");
	char admin_pw[LM_PASSWORD_MAX + 1], demo_pw[LM_PASSWORD_MAX + 1];
	struct lm_actor sys;
	struct lm_error err;
	struct lm_created cr;
	struct lm_user_view admin;
	struct lm_agency ag;
	struct lm_page pg = {"", 1};
	char agency_id[LM_UUID_STRLEN] = "";
	int rc;

	lm_actor_system(&sys);
	lm_error_init(&err);
	if (env_pw && env_pw[0])
		snprintf(admin_pw, sizeof(admin_pw), "%s", env_pw);
	else
		lm_app_random_password(admin_pw, LM_GENERATED_PASSWORD_LEN);
	if (env_demo && env_demo[0])
		snprintf(demo_pw, sizeof(demo_pw), "%s", env_demo);
	else
		lm_app_random_password(demo_pw, LM_GENERATED_PASSWORD_LEN);

	if (demo && (rc = lm_cli_load_demo(app, demo_pw, &err)))
		return lm_cli_fail(LM_EXIT_FAIL, cmd, "loading the demo border failed: %s%s%s",
		                   err.field, err.field[0] ? ": " : "", err.msg);
	/* The administrator belongs to the first agency, or to a system agency on an empty
	 * database. */
	if ((rc = lm_app_agency_list(app, &sys, &pg, find_agency, agency_id, &err)))
		return lm_cli_fail(LM_EXIT_FAIL, cmd, "%s", err.msg);
	if (!agency_id[0]) {
		memset(&ag, 0, sizeof(ag));
		snprintf(ag.code, sizeof(ag.code), "SYSTEM");
		snprintf(ag.name, sizeof(ag.name), "System administration");
		snprintf(ag.kind, sizeof(ag.kind), "other");
		snprintf(ag.country, sizeof(ag.country), "%s",
		         getenv("LIMES_COUNTRY") && strlen(getenv("LIMES_COUNTRY")) == 2
		             ? getenv("LIMES_COUNTRY")
		             : "CN");
		if ((rc = lm_app_agency_create(app, &sys, NULL, &ag, &cr, &err)))
			return lm_cli_fail(LM_EXIT_FAIL, cmd, "creating the system agency: %s: %s",
			                   err.field, err.msg);
		snprintf(agency_id, sizeof(agency_id), "%.36s", cr.id);
	}
	memset(&admin, 0, sizeof(admin));
	snprintf(admin.user.username, sizeof(admin.user.username), "admin");
	snprintf(admin.user.display_name, sizeof(admin.user.display_name), "Administrator");
	snprintf(admin.user.agency_id, sizeof(admin.user.agency_id), "%s", agency_id);
	admin.user.role = LM_ROLE_ADMIN;
	if ((rc = lm_app_user_create(app, &sys, NULL, &admin, admin_pw, &cr, &err)))
		return lm_cli_fail(LM_EXIT_FAIL, cmd, "creating the admin account: %s: %s",
		                   err.field, err.msg);
	if (!(env_pw && env_pw[0]))
		fprintf(out,
		        "limes: created user 'admin' with password: %s\n"
		        "limes: this password is shown once; change it with `limes user "
		        "reset-password admin`\n",
		        admin_pw);
	if (demo && !(env_demo && env_demo[0]))
		fprintf(out,
		        "limes: demo users (officer.ruili, supervisor.ruili, analyst.ministry, "
		        "...) share the password: %s\n",
		        demo_pw);
	fflush(out);
	memset(admin_pw, 0, sizeof(admin_pw));
	memset(demo_pw, 0, sizeof(demo_pw));
	return LM_EXIT_OK;
}

/* Demo files by name, loaded in dependency order: users need agencies and points. */
static const struct {
	const char *suffix;
	const char *path;
} demo_order[] = {
    {"agencies.json", "/api/v1/agencies"},
    {"crossing-points.json", "/api/v1/crossing-points"},
    {"users.json", "/api/v1/users"},
    {"segments.json", "/api/v1/segments"},
    {"markers.json", "/api/v1/markers"},
    {"status.json", NULL}, /* per point: /api/v1/crossing-points/{code}/status */
};

static const struct lm_embedded *demo_file(const char *suffix)
{
	size_t n = strlen(suffix);

	for (const struct lm_embedded *f = lm_demo_files; f->name; f++) {
		size_t m = strlen(f->name);
		if (m >= n && strcmp(f->name + m - n, suffix) == 0)
			return f;
	}
	return NULL;
}

static int post_item(struct lm_app *app, const struct lm_actor *sys, const char *file, size_t i,
                     const char *path, json_t *item, struct lm_buf *resp, struct lm_error *err)
{
	char *body = json_dumps(item, JSON_COMPACT);
	int status = 0;

	if (!body)
		return lm_error_set(err, LM_ENOMEM, "", "out of memory");
	lm_http_call(app, sys, "POST", path, body, strlen(body), &status, resp);
	free(body);
	if (status != 201) {
		json_t *p = json_loadb(resp->ptr, resp->len, 0, NULL);
		const char *detail = p ? json_string_value(json_object_get(p, "detail")) : NULL;
		lm_error_set(err, LM_EINVAL, file, "item %zu: HTTP %d: %s", i, status,
		             detail ? detail : "error");
		json_decref(p);
		return LM_EINVAL;
	}
	return 0;
}

int lm_cli_load_demo(struct lm_app *app, const char *password, struct lm_error *err)
{
	struct lm_actor sys;
	struct lm_buf resp = LM_BUF_INIT;
	int rc = 0;

	lm_actor_system(&sys);
	for (size_t k = 0; !rc && k < sizeof(demo_order) / sizeof(demo_order[0]); k++) {
		const struct lm_embedded *f = demo_file(demo_order[k].suffix);
		json_error_t jerr;
		json_t *arr, *item;
		size_t i;

		if (!f)
			continue;
		arr = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_array(arr)) {
			json_decref(arr);
			rc = lm_error_set(err, LM_EINVAL, f->name, "not a JSON array (line %d: %s)",
			                  jerr.line, jerr.text);
			break;
		}
		json_array_foreach(arr, i, item)
		{
			char path[128];
			const char *p = demo_order[k].path;
			if (!json_is_object(item)) {
				rc = lm_error_set(err, LM_EINVAL, f->name,
				                  "item %zu is not an object", i);
				break;
			}
			if (!p) {
				json_t *cp = json_object_get(item, "crossing_point");
				if (!json_is_string(cp) ||
				    json_string_length(cp) > LM_POINT_CODE_MAX) {
					rc = lm_error_set(err, LM_EINVAL, f->name,
					                  "item %zu has no crossing_point", i);
					break;
				}
				snprintf(path, sizeof(path), "/api/v1/crossing-points/%s/status",
				         json_string_value(cp));
				json_object_del(item, "crossing_point");
				p = path;
			}
			if (strcmp(demo_order[k].suffix, "users.json") == 0)
				json_object_set_new(item, "password", json_string(password));
			if ((rc = post_item(app, &sys, f->name, i, p, item, &resp, err)))
				break;
		}
		json_decref(arr);
	}
	lm_buf_release(&resp);
	return rc;
}

int lm__file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}
