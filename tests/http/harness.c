/*
 * harness.c - start the real `limes serve`, talk HTTP to it, run `limes`
 * commands. See harness.h for the contract.
 *
 * Synchronisation is by the server's own signals, never by sleeping: the
 * port comes from the first "listening" line on its stdout (read through a
 * pipe, with poll() bounding the wait), and an exit is collected with
 * waitpid() (bounded through a pidfd). A server whose test binary dies is
 * killed by the kernel (PR_SET_PDEATHSIG), and an atexit hook kills the ones
 * a failing test left running, so no server outlives its test.
 */
#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* How long a demo server may take to print its listening line (argon2 x 17 under ASan). */
#define LT_START_TIMEOUT_MS 180000
/* How long a stopping server may take to exit after SIGTERM. */
#define LT_STOP_TIMEOUT_MS 60000
/* One request, end to end; far above anything the API should need. */
#define LT_REQUEST_TIMEOUT_S 120L
#define LT_MAX_SERVERS       64

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pid_t live[LT_MAX_SERVERS];
/* Temporary directories made by this process, removed at exit unless LT_KEEP_TMP is set. */
static char made[LT_MAX_SERVERS][256];

static void rm_tree(const char *path);

static void kill_live(void)
{
	const char *keep = getenv("LT_KEEP_TMP");

	for (int i = 0; i < LT_MAX_SERVERS; i++) {
		if (live[i] > 0) {
			kill(live[i], SIGKILL);
			waitpid(live[i], NULL, 0);
			live[i] = 0;
		}
	}
	for (int i = 0; i < LT_MAX_SERVERS; i++) {
		if (made[i][0] && !(keep && keep[0]))
			rm_tree(made[i]);
		made[i][0] = '\0';
	}
}

static void global_init(void)
{
	signal(SIGPIPE, SIG_IGN); /* a child that stops reading must not kill the tests */
	curl_global_init(CURL_GLOBAL_ALL);
	atexit(kill_live);
}

static void lt_init(void)
{
	pthread_once(&init_once, global_init);
}

static void live_add(pid_t pid)
{
	for (int i = 0; i < LT_MAX_SERVERS; i++) {
		if (live[i] == 0) {
			live[i] = pid;
			return;
		}
	}
}

static void live_del(pid_t pid)
{
	for (int i = 0; i < LT_MAX_SERVERS; i++)
		if (live[i] == pid)
			live[i] = 0;
}

long long lt_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- small utilities ----------------------------------------------------- */

struct lt_buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct lt_buf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static char *buf_take(struct lt_buf *b)
{
	char *p = b->p ? b->p : strdup("");

	memset(b, 0, sizeof(*b));
	return p;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = fputs(text, f) < 0;
	rc |= fclose(f) != 0;
	return rc ? -1 : 0;
}

char *lt_read_file(const char *path)
{
	struct lt_buf b = {0};
	char chunk[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_add(&b, chunk, n)) {
			free(b.p);
			fclose(f);
			return NULL;
		}
	}
	fclose(f);
	return buf_take(&b);
}

/* Names of variables the tests control; anything else of LIMES_* is dropped. */
static int env_keep(const char *entry)
{
	if (strncmp(entry, "LIMES_", 6) != 0)
		return 1;
	return strncmp(entry, "LIMES_BIN=", 10) == 0 ||
	       strncmp(entry, "LIMES_SOURCE_DIR=", 17) == 0;
}

static int env_same_name(const char *a, const char *b)
{
	size_t na = strcspn(a, "="), nb = strcspn(b, "=");

	return na == nb && memcmp(a, b, na) == 0;
}

/*
 * Environment for a child: ours without LIMES_* settings, plus the test
 * passwords, plus `over` ("NAME=value" sets, "NAME" unsets). Built before
 * fork() so the child only calls async-signal-safe functions.
 */
static char **child_env(const char *const *over)
{
	static const char *const defaults[] = {"LIMES_ADMIN_PASSWORD=" LT_ADMIN_PASSWORD,
	                                       "LIMES_DEMO_PASSWORD=" LT_DEMO_PASSWORD, NULL};
	size_t n = 0, k = 0;
	char **env;

	for (char **e = environ; *e; e++)
		n++;
	for (const char *const *o = over; o && *o; o++)
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		return NULL;
	for (char **e = environ; *e; e++)
		if (env_keep(*e))
			env[k++] = *e;
	for (int pass = 0; pass < 2; pass++) {
		const char *const *list = pass ? over : defaults;
		for (const char *const *o = list; o && *o; o++) {
			size_t j = 0;
			for (size_t i = 0; i < k; i++)
				if (!env_same_name(env[i], *o))
					env[j++] = env[i];
			k = j;
			if (strchr(*o, '='))
				env[k++] = (char *)*o;
		}
	}
	env[k] = NULL;
	return env;
}

static const char *limes_bin(void)
{
	const char *bin = getenv("LIMES_BIN");

	if (!bin || !bin[0]) {
		fprintf(stderr, "harness: LIMES_BIN is not set (run the tests through ctest)\n");
		return NULL;
	}
	return bin;
}

/* waitpid bounded by timeout_ms through a pidfd; -1 (and *status untouched) on timeout. */
static int wait_bounded(pid_t pid, int *status, int timeout_ms)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0) {
		struct pollfd p = {fd, POLLIN, 0};
		int n;
		do {
			n = poll(&p, 1, timeout_ms);
		} while (n < 0 && errno == EINTR);
		close(fd);
		if (n == 0)
			return -1;
	}
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/* ---- servers ------------------------------------------------------------- */

/* Remove a directory tree (the server's temporary directory: plain files and web/). */
static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)) != NULL) {
			char sub[1024];
			struct stat st;
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
				rm_tree(sub);
			else
				unlink(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* pipe() whose ends are closed in exec'ed children (pipe2 is not POSIX). */
static int cloexec_pipe(int fd[2])
{
	if (pipe(fd))
		return -1;
	fcntl(fd[0], F_SETFD, FD_CLOEXEC);
	fcntl(fd[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

static int prepare_dir(struct lt_server *s)
{
	const char *tmp = getenv("TMPDIR");
	char path[400];

	snprintf(s->dir, sizeof(s->dir), "%s/limes-http-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(s->dir))
		return -1;
	for (int i = 0; i < LT_MAX_SERVERS; i++) {
		if (!made[i][0]) {
			snprintf(made[i], sizeof(made[i]), "%s", s->dir);
			break;
		}
	}
	snprintf(s->db, sizeof(s->db), "%s/limes.db", s->dir);
	snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
	snprintf(s->web, sizeof(s->web), "%s/web", s->dir);
	if (mkdir(s->web, 0700))
		return -1;
	/* A web root with known files, and a secret next to it that must never be served. */
	snprintf(path, sizeof(path), "%s/index.html", s->web);
	if (write_file(path, "<!doctype html><title>limes test console</title>\n"))
		return -1;
	snprintf(path, sizeof(path), "%s/hello.txt", s->web);
	if (write_file(path, "hello from the web root\n"))
		return -1;
	snprintf(path, sizeof(path), "%s/secret.txt", s->dir);
	return write_file(path, "LT-SECRET-OUTSIDE-THE-WEB-ROOT\n");
}

/* Read the server's stdout up to the listening line; 0 with s->port set. */
static int await_listening(struct lt_server *s)
{
	static const char prefix[] = "limes: listening on http://";
	struct lt_buf line = {0};
	size_t startup_len = 0;
	long long deadline = lt_now_ms() + LT_START_TIMEOUT_MS;
	int rc = -1;

	s->startup[0] = '\0';
	for (;;) {
		struct pollfd p = {s->out_fd, POLLIN, 0};
		long long left = deadline - lt_now_ms();
		char c;
		ssize_t n;

		if (left <= 0) {
			fprintf(stderr, "harness: no listening line within %d ms\n",
			        LT_START_TIMEOUT_MS);
			break;
		}
		if (poll(&p, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		/* One byte at a time: nothing after the listening line is consumed. */
		n = read(s->out_fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "harness: the server exited before listening; see %s\n",
			        s->log);
			break;
		}
		if (c != '\n') {
			if (buf_add(&line, &c, 1))
				break;
			continue;
		}
		if (line.p && strncmp(line.p, prefix, sizeof(prefix) - 1) == 0) {
			const char *colon = strrchr(line.p, ':');
			char *end;
			unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
			if (port == 0 || port > 65535 || *end) {
				fprintf(stderr, "harness: cannot read the port in '%s'\n", line.p);
				break;
			}
			s->port = (unsigned)port;
			snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%u", s->port);
			rc = 0;
			break;
		}
		/* Anything before the listening line (e.g. a generated password) is kept. */
		startup_len +=
		    (size_t)snprintf(s->startup + startup_len, sizeof(s->startup) - startup_len,
		                     "%s\n", line.p ? line.p : "");
		if (startup_len >= sizeof(s->startup))
			startup_len = sizeof(s->startup) - 1;
		line.len = 0;
		if (line.p)
			line.p[0] = '\0';
	}
	free(line.p);
	return rc;
}

int lt_server_start_env(struct lt_server *s, enum lt_db db, const char *const *extra_args,
                        const char *const *env)
{
	const char *bin = limes_bin();
	const char *argv[64];
	char **envp;
	size_t argc = 0;
	int pipefd[2], logfd, status;
	pid_t parent = getpid(), pid;

	lt_init();
	if (!bin)
		return -1;
	if (db == LT_REUSE) {
		if (!s->dir[0] || s->pid > 0) {
			fprintf(stderr,
			        "harness: LT_REUSE needs a stopped server that ran before\n");
			return -1;
		}
	} else {
		memset(s, 0, sizeof(*s));
		if (prepare_dir(s)) {
			fprintf(stderr, "harness: cannot prepare %s: %s\n", s->dir,
			        strerror(errno));
			return -1;
		}
		if (db == LT_EMPTY) {
			const char *init[] = {"init", "--empty", "--db", s->db, NULL};
			char *err = NULL;
			int rc = lt_cli_env(init, env, NULL, NULL, &err);
			if (rc != 0) {
				fprintf(stderr, "harness: limes init --empty failed (%d): %s\n", rc,
				        err ? err : "");
				free(err);
				return -1;
			}
			free(err);
		}
	}
	s->pid = 0;
	s->port = 0;
	s->out_fd = -1;

	argv[argc++] = bin;
	argv[argc++] = "serve";
	argv[argc++] = "--listen";
	argv[argc++] = "127.0.0.1:0";
	argv[argc++] = "--db";
	argv[argc++] = s->db;
	argv[argc++] = "--web";
	argv[argc++] = s->web;
	for (const char *const *a = extra_args; a && *a && argc < 63; a++)
		argv[argc++] = *a;
	argv[argc] = NULL;

	envp = child_env(env);
	if (!envp)
		return -1;
	logfd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (logfd < 0 || cloexec_pipe(pipefd)) {
		if (logfd >= 0)
			close(logfd);
		free(envp);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(logfd);
		close(pipefd[0]);
		close(pipefd[1]);
		free(envp);
		return -1;
	}
	if (pid == 0) {
		/* Async-signal-safe calls only from here on. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		if (chdir(s->dir) || dup2(pipefd[1], 1) < 0 || dup2(logfd, 2) < 0)
			_exit(127);
		execve(bin, (char *const *)argv, envp);
		_exit(127);
	}
	free(envp);
	close(logfd);
	close(pipefd[1]);
	s->pid = pid;
	s->out_fd = pipefd[0];
	live_add(pid);
	if (await_listening(s) == 0)
		return 0;
	kill(pid, SIGKILL);
	wait_bounded(pid, &status, LT_STOP_TIMEOUT_MS);
	live_del(pid);
	close(s->out_fd);
	s->out_fd = -1;
	s->pid = 0;
	{
		char *log = lt_read_file(s->log);
		fprintf(stderr, "harness: server log:\n%s\n", log ? log : "(none)");
		free(log);
	}
	return -1;
}

int lt_server_start(struct lt_server *s, enum lt_db db, const char *const *extra_args)
{
	return lt_server_start_env(s, db, extra_args, NULL);
}

int lt_server_alive(struct lt_server *s)
{
	if (s->pid <= 0)
		return 0;
	return waitpid(s->pid, NULL, WNOHANG) == 0;
}

static void reap(struct lt_server *s, int sig, int *status)
{
	if (sig == 0 || kill(s->pid, sig) == 0 || errno == ESRCH) {
		if (wait_bounded(s->pid, status, LT_STOP_TIMEOUT_MS)) {
			fprintf(stderr, "harness: server %d ignored signal %d; killing it\n",
			        (int)s->pid, sig);
			kill(s->pid, SIGKILL);
			wait_bounded(s->pid, status, LT_STOP_TIMEOUT_MS);
			*status = -1;
		}
	}
	live_del(s->pid);
	if (s->out_fd >= 0)
		close(s->out_fd);
	s->out_fd = -1;
	s->pid = 0;
}

int lt_server_signal(struct lt_server *s, int sig)
{
	int status = -1;

	if (s->pid <= 0)
		return -1;
	reap(s, sig, &status);
	if (status != -1 && WIFEXITED(status))
		return WEXITSTATUS(status);
	return -1;
}

int lt_server_stop(struct lt_server *s)
{
	return lt_server_signal(s, SIGTERM);
}

int lt_log_wait(struct lt_server *s, const char *needle, int timeout_ms)
{
	long long deadline = lt_now_ms() + timeout_ms;
	int fd = inotify_init1(IN_CLOEXEC), rc = -1;

	if (fd < 0 || inotify_add_watch(fd, s->log, IN_MODIFY) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* Watch first, then look: a write between the two is not missed. */
	for (;;) {
		char *log = lt_read_file(s->log), ev[4096];
		int found = log && strstr(log, needle) != NULL;
		struct pollfd p = {fd, POLLIN, 0};
		long long left = deadline - lt_now_ms();
		free(log);
		if (found) {
			rc = 0;
			break;
		}
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		if (read(fd, ev, sizeof(ev)) < 0 && errno != EINTR)
			break;
	}
	close(fd);
	return rc;
}

void lt_server_kill9(struct lt_server *s)
{
	int status;

	if (s->pid > 0)
		reap(s, SIGKILL, &status);
}

void lt_server_cleanup(struct lt_server *s)
{
	if (s->pid > 0)
		lt_server_kill9(s);
	if (s->dir[0])
		rm_tree(s->dir);
	s->dir[0] = '\0';
}

/* ---- HTTP ---------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	return buf_add(arg, data, size * n) ? 0 : size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct lt_buf *b = arg;

	/* A new status line (after "100 Continue") starts the headers over. */
	if (size * n >= 5 && memcmp(data, "HTTP/", 5) == 0)
		b->len = 0;
	return buf_add(b, data, size * n) ? 0 : size * n;
}

int lt_request_len(struct lt_server *s, const char *method, const char *path, const char *token,
                   const char *body, size_t len, const char *const *headers, struct lt_resp *out)
{
	struct lt_buf rbody = {0}, rhead = {0};
	struct curl_slist *hl = NULL;
	char *url = NULL, line[600];
	const char *ct = NULL;
	int has_ct = 0, rc = -1;
	CURLcode cc;
	CURL *h;

	lt_init();
	memset(out, 0, sizeof(*out));
	url = malloc(strlen(s->base) + strlen(path) + 1);
	if (!url)
		goto done;
	snprintf(url, strlen(s->base) + strlen(path) + 1, "%s%s", s->base, path);
	h = curl_easy_init();
	if (!h)
		goto done;
	for (const char *const *p = headers; p && *p; p++) {
		hl = curl_slist_append(hl, *p);
		if (strncasecmp(*p, "Content-Type:", 13) == 0)
			has_ct = 1;
	}
	if (token) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", token);
		hl = curl_slist_append(hl, line);
	}
	if (body && !has_ct)
		hl = curl_slist_append(hl, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L); /* traversal tests send ".." as written */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, LT_REQUEST_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &rbody);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &rhead);
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (body || strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? len : 0));
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}
	cc = curl_easy_perform(h);
	if (cc == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
		curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
		snprintf(out->content_type, sizeof(out->content_type), "%s", ct ? ct : "");
		rc = 0;
	} else {
		fprintf(stderr, "harness: %s %s: %s\n", method, path, curl_easy_strerror(cc));
	}
	curl_easy_cleanup(h);
	curl_slist_free_all(hl);
done:
	free(url);
	out->len = rbody.len;
	out->body = buf_take(&rbody);
	out->headers = buf_take(&rhead);
	if (rc == 0 && strstr(out->content_type, "json"))
		out->json = json_loadb(out->body, out->len, 0, NULL);
	return rc;
}

int lt_request(struct lt_server *s, const char *method, const char *path, const char *token,
               const char *body, const char *const *headers, struct lt_resp *out)
{
	return lt_request_len(s, method, path, token, body, body ? strlen(body) : 0, headers, out);
}

int lt_request_json(struct lt_server *s, const char *method, const char *path, const char *token,
                    json_t *body, const char *const *headers, struct lt_resp *out)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	int rc;

	if (body && !text) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	rc = lt_request(s, method, path, token, text, headers, out);
	free(text);
	return rc;
}

int lt_resp_header(const struct lt_resp *r, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	const char *p = r->headers;

	if (cap)
		out[0] = '\0';
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
			const char *v = p + nl + 1;
			const char *end = p + len;
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
				end--;
			if (cap)
				snprintf(out, cap, "%.*s", (int)(end - v), v);
			return 0;
		}
		p = eol ? eol + 1 : p + len;
	}
	return -1;
}

void lt_resp_etag(const struct lt_resp *r, char *out, size_t cap)
{
	char v[128];
	size_t n;

	out[0] = '\0';
	if (lt_resp_header(r, "ETag", v, sizeof(v)))
		return;
	n = strlen(v);
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
		snprintf(out, cap, "%.*s", (int)(n - 2), v + 1);
	else
		snprintf(out, cap, "%s", v);
}

void lt_resp_release(struct lt_resp *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

char *lt_login(struct lt_server *s, const char *user, const char *password)
{
	json_t *body = json_pack("{s:s, s:s}", "username", user, "password", password);
	struct lt_resp r;
	char *tok = NULL;

	if (!body)
		return NULL;
	if (lt_request_json(s, "POST", "/api/v1/sessions", NULL, body, NULL, &r) == 0 &&
	    r.status == 201 && json_is_string(json_object_get(r.json, "token")))
		tok = strdup(json_string_value(json_object_get(r.json, "token")));
	json_decref(body);
	lt_resp_release(&r);
	return tok;
}

/* ---- JSON helpers -------------------------------------------------------- */

json_t *lt_json_at(json_t *root, const char *path)
{
	json_t *v = root;
	const char *p = path;

	while (v && *p) {
		char key[256];
		size_t n = strcspn(p, "/");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (json_is_object(v)) {
			v = json_object_get(v, key);
		} else if (json_is_array(v)) {
			char *end;
			unsigned long i = strtoul(key, &end, 10);
			v = (*end || !n) ? NULL : json_array_get(v, i);
		} else {
			return NULL;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	return v;
}

const char *lt_json_str(json_t *root, const char *path)
{
	const char *s = json_string_value(lt_json_at(root, path));

	return s ? s : "";
}

/* ---- CLI ----------------------------------------------------------------- */

int lt_cli_env(const char *const *args, const char *const *env, const char *stdin_text, char **out,
               char **err)
{
	const char *bin = limes_bin();
	const char *argv[64];
	struct lt_buf ob = {0}, eb = {0};
	size_t argc = 0, in_off = 0, in_len = stdin_text ? strlen(stdin_text) : 0;
	int in[2], o[2], e[2], status = 0, open_fds;
	char **envp;
	pid_t pid;

	lt_init();
	if (out)
		*out = NULL;
	if (err)
		*err = NULL;
	if (!bin)
		return -1;
	argv[argc++] = bin;
	for (const char *const *a = args; a && *a && argc < 63; a++)
		argv[argc++] = *a;
	argv[argc] = NULL;
	envp = child_env(env);
	if (!envp)
		return -1;
	if (cloexec_pipe(in)) {
		free(envp);
		return -1;
	}
	if (cloexec_pipe(o)) {
		close(in[0]);
		close(in[1]);
		free(envp);
		return -1;
	}
	if (cloexec_pipe(e)) {
		close(in[0]);
		close(in[1]);
		close(o[0]);
		close(o[1]);
		free(envp);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		if (dup2(in[0], 0) < 0 || dup2(o[1], 1) < 0 || dup2(e[1], 2) < 0)
			_exit(127);
		execve(bin, (char *const *)argv, envp);
		_exit(127);
	}
	free(envp);
	close(in[0]);
	close(o[1]);
	close(e[1]);
	if (pid < 0) {
		close(in[1]);
		close(o[0]);
		close(e[0]);
		return -1;
	}
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (in_len == 0) {
		close(in[1]);
		in[1] = -1;
	}
	open_fds = 2;
	while (open_fds > 0 || in[1] >= 0) {
		struct pollfd p[3] = {{o[0], POLLIN, 0}, {e[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
		char chunk[4096];
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			ssize_t n;
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, chunk, sizeof(chunk));
			if (n > 0) {
				buf_add(i ? &eb : &ob, chunk, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				close(p[i].fd);
				if (i)
					e[0] = -1;
				else
					o[0] = -1;
				open_fds--;
			}
		}
		if (in[1] >= 0 && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t n = write(in[1], stdin_text + in_off, in_len - in_off);
			if (n > 0)
				in_off += (size_t)n;
			if ((n < 0 && errno != EAGAIN && errno != EINTR) || in_off == in_len) {
				close(in[1]);
				in[1] = -1;
			}
		}
	}
	if (o[0] >= 0)
		close(o[0]);
	if (e[0] >= 0)
		close(e[0]);
	if (in[1] >= 0)
		close(in[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out)
		*out = buf_take(&ob);
	else
		free(ob.p);
	if (err)
		*err = buf_take(&eb);
	else
		free(eb.p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int lt_cli(const char *const *args, const char *stdin_text, char **out, char **err)
{
	return lt_cli_env(args, NULL, stdin_text, out, err);
}

int lt_is_problem(const struct lt_resp *r, long status)
{
	const char *why = NULL;
	json_t *st = json_object_get(r->json, "status");

	if (r->status != status)
		why = "HTTP status differs";
	else if (strncmp(r->content_type, "application/problem+json", 24) != 0)
		why = "Content-Type is not application/problem+json";
	else if (!json_is_object(r->json))
		why = "body is not a JSON object";
	else if (!json_is_string(json_object_get(r->json, "type")) ||
	         !json_is_string(json_object_get(r->json, "title")) ||
	         !json_is_string(json_object_get(r->json, "detail")))
		why = "type, title or detail missing";
	else if (!json_is_integer(st) || json_integer_value(st) != status)
		why = "\"status\" member differs from the HTTP status";
	if (why)
		fprintf(stderr, "not a %ld problem (%s): HTTP %ld, %s: %.400s\n", status, why,
		        r->status, r->content_type, r->body ? r->body : "");
	return why == NULL;
}

/*
 * The test process itself runs without LeakSanitizer: cmocka leaves a
 * failing test by longjmp, abandoning that test's responses by design. The
 * server under test is a separate program and keeps full leak checking.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
