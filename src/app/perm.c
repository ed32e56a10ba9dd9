/*
 * perm.c - the role matrix. One table, so the whole policy reads at a glance
 * and the HTTP role x endpoint test checks it endpoint by endpoint.
 *
 * Separation of duties: administrators manage accounts and the registry but
 * cannot read the audit log; auditors read the audit log and accounts but
 * change nothing. Humanitarian staff see the registry (where the crossings
 * are, whether they are open) and nothing of enforcement.
 */
#include "app/app_int.h"

#include <stdio.h>
#include <string.h>

#define O (1u << LM_ROLE_OFFICER)
#define S (1u << LM_ROLE_SUPERVISOR)
#define N (1u << LM_ROLE_ANALYST)
#define A (1u << LM_ROLE_ADMIN)
#define U (1u << LM_ROLE_AUDITOR)
#define H (1u << LM_ROLE_HUMANITARIAN)

static const unsigned matrix[LM_PERM__COUNT] = {
    [LM_PERM_REGISTRY_READ] = O | S | N | A | U | H,
    [LM_PERM_REGISTRY_WRITE] = A,
    [LM_PERM_STATUS_WRITE] = S | A,
    [LM_PERM_INSPECTION_WRITE] = O | S | A,
    [LM_PERM_AGENCY_READ] = O | S | N | A | U | H,
    [LM_PERM_AGENCY_WRITE] = A,
    [LM_PERM_USER_READ] = A | U,
    [LM_PERM_USER_WRITE] = A,
    [LM_PERM_AUDIT_READ] = U,
};

int lm__allowed(enum lm_role role, enum lm__perm p)
{
	if (role == LM_ROLE_SYSTEM)
		return 1;
	if (role < LM_ROLE_OFFICER || role > LM_ROLE_HUMANITARIAN || p >= LM_PERM__COUNT)
		return 0;
	return (matrix[p] >> role) & 1u;
}

struct point_match {
	const char *code;
	int found;
};

static int match_point(void *ctx, const char *code)
{
	struct point_match *m = ctx;

	if (strcmp(code, m->code) == 0) {
		m->found = 1;
		return 1;
	}
	return 0;
}

int lm__require_point(struct lm_app *app, struct lm_conn *c, const struct lm_actor *a,
                      const char *point_code, const char *action, struct lm_error *err)
{
	struct point_match m = {point_code, 0};
	int rc;

	if (a->role != LM_ROLE_SUPERVISOR && a->role != LM_ROLE_OFFICER)
		return 0;
	rc = lm__qs(app, c, lm_store_user_points_list(c, a->user_id, match_point, &m),
	            "assignments", err);
	if (rc)
		return rc;
	if (!m.found)
		return lm_error_set(err, LM_EFORBIDDEN, "crossing_point",
		                    "you are not assigned to crossing point %s", point_code);
	return 0;
}
