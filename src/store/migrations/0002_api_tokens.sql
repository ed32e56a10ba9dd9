-- API tokens: long-lived bearer tokens for programs (a metrics scraper, a
-- post's sync agent, an analyst's export script). They are sessions in all
-- but lifetime and purpose, so they live in the sessions table, told apart by
-- kind (1 = login session, 2 = API token) and named by a label.
ALTER TABLE sessions ADD COLUMN kind INTEGER NOT NULL DEFAULT 1 CHECK (kind IN (1, 2));
ALTER TABLE sessions ADD COLUMN label TEXT NOT NULL DEFAULT '' CHECK (length(label) <= 80);
CREATE INDEX sessions_user_kind ON sessions (user_id, kind, id);
