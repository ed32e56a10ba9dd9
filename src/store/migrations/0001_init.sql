-- 0001_init.sql - the first limes schema (SQLite).
--
-- Applied by lm_store_migrate() in one transaction together with its
-- schema_version row: no BEGIN / COMMIT here. Never edit a migration that has
-- shipped; add 0002_... instead.
--
-- Conventions, mirrored by every backend:
--   * ids are UUIDv7 text, lower-case, 36 characters: time-ordered, so keyset
--     pagination by id is also by creation time;
--   * times are INTEGER milliseconds since the epoch, UTC; NULL = none
--     (LM_TIME_NONE), e.g. an open-ended "until" or a session not revoked;
--   * optional references are NULL, never '' (the foreign key must not fire);
--   * CHECKs repeat the enums of store.h, so a bad value fails here even if
--     it slipped past app/;
--   * every reference is ON DELETE RESTRICT: nothing the audit or the history
--     points at can disappear underneath it;
--   * "version" is the optimistic-lock counter behind the HTTP ETag.

CREATE TABLE schema_version (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at INTEGER NOT NULL
);

CREATE TABLE agencies (
	id         TEXT PRIMARY KEY CHECK (length(id) = 36),
	code       TEXT NOT NULL UNIQUE CHECK (code <> ''),
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	country    TEXT NOT NULL CHECK (length(country) = 2),
	created_at INTEGER NOT NULL,
	version    INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE TABLE users (
	id           TEXT PRIMARY KEY CHECK (length(id) = 36),
	username     TEXT NOT NULL UNIQUE CHECK (username <> ''),
	display_name TEXT NOT NULL,
	agency_id    TEXT REFERENCES agencies (id) ON DELETE RESTRICT,
	role         INTEGER NOT NULL CHECK (role BETWEEN 1 AND 7),
	disabled     INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	pw_hash      TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	version      INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX users_agency ON users (agency_id);

CREATE TABLE crossing_points (
	id                       TEXT PRIMARY KEY CHECK (length(id) = 36),
	code                     TEXT NOT NULL UNIQUE CHECK (code <> ''),
	name                     TEXT NOT NULL,
	name_other               TEXT NOT NULL,
	country                  TEXT NOT NULL CHECK (length(country) = 2),
	country_other            TEXT NOT NULL CHECK (length(country_other) = 2),
	kind                     TEXT NOT NULL,
	modes                    INTEGER NOT NULL CHECK (modes BETWEEN 0 AND 7),
	lanes                    INTEGER NOT NULL CHECK (lanes >= 0),
	lon                      REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
	lat                      REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
	position_approximate     INTEGER NOT NULL CHECK (position_approximate IN (0, 1)),
	tz                       TEXT NOT NULL,
	hours                    TEXT NOT NULL,
	capacity_trucks_per_day  INTEGER NOT NULL CHECK (capacity_trucks_per_day >= 0),
	capacity_persons_per_day INTEGER NOT NULL CHECK (capacity_persons_per_day >= 0),
	note                     TEXT NOT NULL,
	created_at               INTEGER NOT NULL,
	updated_at               INTEGER NOT NULL,
	version                  INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

-- Where an officer or supervisor works. Replaced as a whole by
-- lm_store_user_points_set().
CREATE TABLE user_points (
	user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
	point_id TEXT NOT NULL REFERENCES crossing_points (id) ON DELETE RESTRICT,
	PRIMARY KEY (user_id, point_id)
);
CREATE INDEX user_points_point ON user_points (point_id);

CREATE TABLE sessions (
	id         TEXT PRIMARY KEY CHECK (length(id) = 36),
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
	token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	revoked_at INTEGER
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Append-only: who did or read what. No foreign keys on purpose: recording
-- an event must never fail because of what it refers to (an unknown user
-- name in a failed login, an object on another post), and rows outlive
-- whatever they mention.
CREATE TABLE audit (
	id          TEXT PRIMARY KEY CHECK (length(id) = 36),
	at          INTEGER NOT NULL,
	user_id     TEXT NOT NULL,
	username    TEXT NOT NULL,
	role        INTEGER NOT NULL CHECK (role BETWEEN 0 AND 7), -- 0: anonymous
	agency_id   TEXT NOT NULL,
	action      TEXT NOT NULL CHECK (action <> ''),
	object_type TEXT NOT NULL,
	object_id   TEXT NOT NULL,
	ip          TEXT NOT NULL,
	purpose     TEXT NOT NULL,
	request_id  TEXT NOT NULL,
	outcome     INTEGER NOT NULL
);
CREATE INDEX audit_user ON audit (user_id, id);
CREATE INDEX audit_object ON audit (object_type, object_id, id);
CREATE INDEX audit_at ON audit (at);

-- The database enforces append-only too, so a bug or a hand-typed UPDATE in
-- the sqlite3 shell cannot rewrite history.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit is append-only');
END;

-- The first outcome of a POST per (user, Idempotency-Key), written in the
-- same transaction as the POST's effect. created_at lets old keys be purged.
-- No foreign key: the caller may be the system ('' user id), and these rows
-- are a cache of replies that expires, not part of the record.
CREATE TABLE idempotency (
	user_id      TEXT NOT NULL,
	key          TEXT NOT NULL CHECK (key <> ''),
	request_hash TEXT NOT NULL,
	object_type  TEXT NOT NULL,
	object_id    TEXT NOT NULL,
	status       INTEGER NOT NULL,
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_created ON idempotency (created_at);

CREATE TABLE status_changes (
	id         TEXT PRIMARY KEY CHECK (length(id) = 36),
	point_id   TEXT NOT NULL REFERENCES crossing_points (id) ON DELETE RESTRICT,
	state      INTEGER NOT NULL CHECK (state BETWEEN 1 AND 3),
	directions INTEGER NOT NULL CHECK (directions BETWEEN 0 AND 3),
	modes      INTEGER NOT NULL CHECK (modes BETWEEN 0 AND 7),
	goods      TEXT NOT NULL,
	reason     TEXT NOT NULL,
	set_by     TEXT REFERENCES users (id) ON DELETE RESTRICT,
	from_ms    INTEGER NOT NULL,
	until_ms   INTEGER CHECK (until_ms IS NULL OR until_ms > from_ms),
	created_at INTEGER NOT NULL
);
CREATE INDEX status_changes_point ON status_changes (point_id, from_ms, created_at, id);
CREATE INDEX status_changes_set_by ON status_changes (set_by);

CREATE TABLE segments (
	id         TEXT PRIMARY KEY CHECK (length(id) = 36),
	code       TEXT NOT NULL UNIQUE CHECK (code <> ''),
	name       TEXT NOT NULL,
	country_a  TEXT NOT NULL CHECK (length(country_a) = 2),
	country_b  TEXT NOT NULL CHECK (length(country_b) = 2),
	wkt        TEXT NOT NULL, -- as given: LINESTRING(lon lat, ...)
	length_m   REAL NOT NULL CHECK (length_m >= 0),
	note       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version    INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE TABLE markers (
	id         TEXT PRIMARY KEY CHECK (length(id) = 36),
	pillar     TEXT NOT NULL UNIQUE CHECK (pillar <> ''),
	segment_id TEXT REFERENCES segments (id) ON DELETE RESTRICT,
	lon        REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
	lat        REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
	condition  INTEGER NOT NULL CHECK (condition BETWEEN 1 AND 4),
	note       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version    INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX markers_segment ON markers (segment_id);

CREATE TABLE inspections (
	id           TEXT PRIMARY KEY CHECK (length(id) = 36),
	marker_id    TEXT NOT NULL REFERENCES markers (id) ON DELETE RESTRICT,
	inspected_at INTEGER NOT NULL,
	inspector_id TEXT REFERENCES users (id) ON DELETE RESTRICT,
	condition    INTEGER NOT NULL CHECK (condition BETWEEN 1 AND 4),
	note         TEXT NOT NULL,
	created_at   INTEGER NOT NULL
);
CREATE INDEX inspections_marker ON inspections (marker_id, inspected_at, id);
CREATE INDEX inspections_inspector ON inspections (inspector_id);
