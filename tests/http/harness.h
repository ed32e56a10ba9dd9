/*
 * harness.h - black-box test harness: starts the real `limes serve` (path in
 * $LIMES_BIN) on 127.0.0.1:0 in a fresh temporary directory, learns its port
 * from the first line of its standard output ("limes: listening on
 * http://127.0.0.1:PORT" - a blocking read, never a sleep), talks HTTP to it
 * with libcurl, and runs `limes` CLI commands.
 *
 * USAGE:
 *	struct lt_server s;
 *	assert_int_equal(lt_server_start(&s, LT_DEMO, NULL), 0);
 *	char *tok = lt_login(&s, "admin", LT_ADMIN_PASSWORD);
 *	struct lt_resp r;
 *	lt_request(&s, "GET", "/api/v1/crossing-points/CNRUI", tok, NULL, NULL, &r);
 *	assert_int_equal(r.status, 200);
 *	assert_string_equal(json_string_value(json_object_get(r.json, "code")), "CNRUI");
 *	lt_resp_release(&r);
 *	free(tok);
 *	assert_int_equal(lt_server_stop(&s), 0);   // SIGTERM; exit status of the server
 */
#ifndef LT_HARNESS_H
#define LT_HARNESS_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#define LT_ADMIN_PASSWORD "admin-password-for-tests-1"
#define LT_DEMO_PASSWORD  "demo-password-for-tests-1"

enum lt_db {
	LT_DEMO = 0,  /* `limes serve` on a new file: demo border + admin */
	LT_EMPTY = 1, /* `limes init --empty` first: admin and a SYSTEM agency only */
	LT_REUSE = 2, /* keep the database of the previous start of this lt_server */
};

struct lt_server {
	pid_t pid;
	unsigned port;
	char dir[256]; /* temporary directory holding the database */
	char db[320];
	char base[64]; /* "http://127.0.0.1:PORT" */
	int out_fd;    /* server stdout (after the listening line) */
	char log[320]; /* server stderr is written here */
	/* Extensions (additive): */
	char startup[4096]; /* what the server printed on stdout before the listening line */
	char web[320];      /* static root the server serves: dir/web, with index.html */
};

/* extra_args: NULL-terminated extra `limes serve` arguments, or NULL. 0 on success. */
int lt_server_start(struct lt_server *s, enum lt_db db, const char *const *extra_args);
/* SIGTERM and wait: returns the server's exit status (0 = clean), -1 if it died by a signal. */
int lt_server_stop(struct lt_server *s);
/* SIGKILL and wait (crash simulation); the directory is kept for LT_REUSE. */
void lt_server_kill9(struct lt_server *s);
/*
 * Remove the temporary directory (after the last stop). Directories a test
 * forgot are removed when the test process exits, unless LT_KEEP_TMP is set.
 */
void lt_server_cleanup(struct lt_server *s);

struct lt_resp {
	long status;
	char *body; /* NUL-terminated */
	size_t len;
	json_t *json;  /* parsed body when it is JSON, else NULL */
	char *headers; /* raw response headers */
	char content_type[128];
};

/*
 * One request. token may be NULL; body may be NULL; headers is a
 * NULL-terminated list of "Name: value" lines or NULL. A body is sent with
 * Content-Type: application/json unless headers name another. 0 on success.
 */
int lt_request(struct lt_server *s, const char *method, const char *path, const char *token,
               const char *body, const char *const *headers, struct lt_resp *out);
/* Value of a response header (case-insensitive name) into out; 0 when present. */
int lt_resp_header(const struct lt_resp *r, const char *name, char *out, size_t cap);
void lt_resp_release(struct lt_resp *r);
/* POST /api/v1/sessions; returns a heap token or NULL. */
char *lt_login(struct lt_server *s, const char *user, const char *password);

/* Run `limes ARGS...` (argv[0] is not included) with stdin text; returns the exit status. */
int lt_cli(const char *const *args, const char *stdin_text, char **out, char **err);

/* ---- extensions (additive; the declarations above stay as they are) ---- */

/*
 * lt_server_start with environment overrides for the server process: a
 * NULL-terminated list of "NAME=value" (set) or "NAME" (unset) applied after
 * the defaults (LIMES_ADMIN_PASSWORD, LIMES_DEMO_PASSWORD), e.g.
 * {"LIMES_ADMIN_PASSWORD=", NULL} to have a generated admin password printed.
 */
int lt_server_start_env(struct lt_server *s, enum lt_db db, const char *const *extra_args,
                        const char *const *env);
/*
 * Send `sig` (0: send nothing) and wait, bounded, for the server to exit:
 * its exit status, or -1 if it died by a signal or had to be killed.
 */
int lt_server_signal(struct lt_server *s, int sig);
/*
 * Wait until the server's log (stderr) contains `needle`, watching the file
 * with inotify rather than sleeping. 0 when found, -1 after timeout_ms.
 */
int lt_log_wait(struct lt_server *s, const char *needle, int timeout_ms);
/* 1 while the server process has not exited. */
int lt_server_alive(struct lt_server *s);

/* lt_request with a body of `len` bytes that may hold any byte. */
int lt_request_len(struct lt_server *s, const char *method, const char *path, const char *token,
                   const char *body, size_t len, const char *const *headers, struct lt_resp *out);
/* lt_request with a JSON body (borrowed) serialised compactly; body NULL = no body. */
int lt_request_json(struct lt_server *s, const char *method, const char *path, const char *token,
                    json_t *body, const char *const *headers, struct lt_resp *out);

/* lt_cli with environment overrides, as lt_server_start_env. */
int lt_cli_env(const char *const *args, const char *const *env, const char *stdin_text, char **out,
               char **err);

/* The whole file as a heap string (NULL when it cannot be read). */
char *lt_read_file(const char *path);

/*
 * Walk a JSON value by a '/'-separated path of object keys and array
 * indices ("errors/0/field"). Borrowed reference, NULL when absent.
 */
json_t *lt_json_at(json_t *root, const char *path);
/* String at path, or "" when absent or not a string (never NULL). */
const char *lt_json_str(json_t *root, const char *path);

/* The ETag of a response without quotes ("v3"), or "" when there is none. */
void lt_resp_etag(const struct lt_resp *r, char *out, size_t cap);

/*
 * 1 when r is an RFC 9457 problem with this status: Content-Type
 * application/problem+json and string type, title, detail and a numeric
 * status equal to the HTTP status. Says why not on stderr.
 */
int lt_is_problem(const struct lt_resp *r, long status);

/* cmocka assertion on a response status that shows the body when it fails. */
#define LT_ASSERT_STATUS(r, expected)                                                              \
	do {                                                                                       \
		if ((r)->status != (long)(expected))                                               \
			fprintf(stderr, "%s:%d: expected HTTP %ld, got %ld: %.600s\n", __FILE__,   \
			        __LINE__, (long)(expected), (r)->status,                           \
			        (r)->body ? (r)->body : "");                                       \
		assert_int_equal((r)->status, (expected));                                         \
	} while (0)

/* Monotonic milliseconds, for bounding waits on time-based behaviour. */
long long lt_now_ms(void);

#endif
