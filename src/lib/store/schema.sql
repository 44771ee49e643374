-- breachscope index schema: the one copy (embedded at build time).
-- Additive and idempotent: a writable open of an older index runs this file
-- again and then sets PRAGMA user_version to BS_STORE_SCHEMA_VERSION
-- (store/sqlite.c). Change a table only by adding; bump the version.
-- No plaintext identifier is ever stored: subjects are keyed pseudonyms.

CREATE TABLE IF NOT EXISTS source (
	id INTEGER PRIMARY KEY,
	path TEXT UNIQUE NOT NULL,
	format TEXT NOT NULL,
	mailbox TEXT,
	content_hash TEXT,
	state TEXT NOT NULL DEFAULT 'pending'
);

CREATE TABLE IF NOT EXISTS message (
	id INTEGER PRIMARY KEY,
	source_id INTEGER NOT NULL REFERENCES source(id),
	locator TEXT NOT NULL,
	message_id TEXT,
	date TEXT,                  -- ISO-8601 UTC "YYYY-MM-DDTHH:MM:SSZ"
	mailbox TEXT,
	folder TEXT,
	grade TEXT NOT NULL,        -- accessed | synced | window | none
	status TEXT NOT NULL,       -- ok | partial | failed
	reason TEXT,
	bytes INTEGER,
	UNIQUE (source_id, locator)
);

CREATE TABLE IF NOT EXISTS subject (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,         -- bs_kind_name(): pnr | samordningsnummer | email | phone | ...
	pseudonym BLOB NOT NULL,    -- BLAKE2b-256(pseudonym.key, kind ":" canonical)
	role TEXT,                  -- resident | staff | NULL (not an address)
	UNIQUE (kind, pseudonym)
);

CREATE TABLE IF NOT EXISTS occurrence (
	subject_id INTEGER NOT NULL REFERENCES subject(id),
	message_id INTEGER NOT NULL REFERENCES message(id),
	location TEXT NOT NULL,     -- header | subject | body | attachment | attachment-name
	confidence TEXT NOT NULL,   -- low | medium | high (the best seen)
	child INTEGER NOT NULL DEFAULT 0,
	count INTEGER NOT NULL DEFAULT 1,
	PRIMARY KEY (subject_id, message_id, location)
) WITHOUT ROWID;

-- A message written again drops its occurrences; reports walk by message.
CREATE INDEX IF NOT EXISTS occurrence_message ON occurrence(message_id);

CREATE TABLE IF NOT EXISTS message_category (
	message_id INTEGER NOT NULL REFERENCES message(id),
	category TEXT NOT NULL,
	count INTEGER NOT NULL,
	PRIMARY KEY (message_id, category)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS vault (
	subject_id INTEGER PRIMARY KEY REFERENCES subject(id),
	sealed BLOB NOT NULL        -- crypto_box_seal(kind ":" canonical, vault public key)
);

-- Facts that link identifiers of one person (docs/report.md), one row per
-- message and subject: "sender" (the e-mail subject is the top message's
-- From address), "self" (a personal number written with self-referring
-- context, e.g. "mitt personnummer", in the top message); and "protected"
-- (protected-identity words near the identifier, which ranks it first).
CREATE TABLE IF NOT EXISTS subject_fact (
	message_id INTEGER NOT NULL REFERENCES message(id),
	subject_id INTEGER NOT NULL REFERENCES subject(id),
	fact TEXT NOT NULL,         -- sender | self | protected
	PRIMARY KEY (message_id, subject_id, fact)
) WITHOUT ROWID;

-- The e-service (serve): residents' cases, the hash-chained audit log, API
-- keys (hash only), DPO desk accounts (argon2id) and e-mail codes (hash only).
CREATE TABLE IF NOT EXISTS request (
	id INTEGER PRIMARY KEY,
	ref TEXT UNIQUE NOT NULL,   -- "BS-XXXX-XXXX", shown to the resident
	opened TEXT NOT NULL,       -- RFC 3339 UTC
	deadline TEXT NOT NULL,     -- YYYY-MM-DD: one month (GDPR Art. 12(3))
	channel TEXT NOT NULL,      -- eid | email | dev
	subject_kind TEXT NOT NULL,
	pseudonym BLOB NOT NULL,    -- the subject's pseudonym, never the identifier
	found INTEGER NOT NULL,
	state TEXT NOT NULL DEFAULT 'open', -- open | answered | closed
	art15 INTEGER NOT NULL DEFAULT 0,   -- asked for a full copy
	note TEXT,
	closed TEXT,
	closed_by TEXT
);
CREATE INDEX IF NOT EXISTS request_deadline ON request(state, deadline);

CREATE TABLE IF NOT EXISTS audit (
	seq INTEGER PRIMARY KEY,
	at TEXT NOT NULL,
	actor TEXT NOT NULL,        -- session:TAG | apikey:NAME | admin:USER | cli
	action TEXT NOT NULL,
	subject TEXT NOT NULL,      -- pseudonym hex or ""
	detail TEXT NOT NULL,
	prev TEXT NOT NULL,         -- hash of the entry before (64 zeros for the first)
	hash TEXT NOT NULL          -- BLAKE2b-256 over prev and the fields (serve/audit.c)
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
	BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
	BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

CREATE TABLE IF NOT EXISTS apikey (
	name TEXT PRIMARY KEY,
	hash BLOB UNIQUE NOT NULL,  -- BLAKE2b-256 of the key
	created TEXT NOT NULL,
	revoked TEXT
);

CREATE TABLE IF NOT EXISTS admin_account (
	user TEXT PRIMARY KEY,
	pwhash TEXT NOT NULL,       -- crypto_pwhash_str (argon2id)
	created TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS email_code (
	id INTEGER PRIMARY KEY,
	pseudonym BLOB NOT NULL,
	code_hash BLOB NOT NULL,
	expires_us INTEGER NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	used INTEGER NOT NULL DEFAULT 0
);

-- Sessions of the e-service (schema version 4), shared by every serve
-- process on the workspace (serve/session.c). The id is kept only as its
-- BLAKE2b-256 hash; times are real time in microseconds.
CREATE TABLE IF NOT EXISTS web_session (
	id_hash BLOB PRIMARY KEY,
	created_us INTEGER NOT NULL,
	seen_us INTEGER NOT NULL,
	kind INTEGER NOT NULL,      -- anonymous | resident | admin (serve/internal.h)
	csrf TEXT NOT NULL,
	admin_area INTEGER NOT NULL, -- made under /admin: valid only there
	oidc_state TEXT, oidc_nonce TEXT, oidc_verifier TEXT, oidc_started_us INTEGER,
	subject_kind TEXT, pseudonym BLOB, case_ref TEXT, channel TEXT,
	code_id INTEGER, code_pseudonym BLOB,
	admin_user TEXT
) WITHOUT ROWID;
