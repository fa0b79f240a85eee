-- loket's city schema, step 1: one table per record kind, each keyed (office_code, seq)
-- with seq the office's own outbox sequence (one sequence over all four kinds, so a gap in
-- an office's records shows across the union). Appended only: a resend is a no-op
-- (INSERT ... ON CONFLICT DO NOTHING), and no office role may update or delete.

CREATE SCHEMA loket;

-- Which of these files have run (`loket city init` applies the missing ones, in order).
CREATE TABLE loket.schema_migrations (
    version integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- Which login role speaks for which office. Filled by `loket city add-office`.
CREATE TABLE loket.offices (
    office_code text PRIMARY KEY,
    role_name name NOT NULL UNIQUE,
    added_at timestamptz NOT NULL DEFAULT now()
);

-- The office of the role now connected; NULL for any other role. SECURITY DEFINER, so an
-- office role reads its own line without being able to list the city's offices.
CREATE FUNCTION loket.my_office() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, loket
    AS $$ SELECT office_code FROM loket.offices WHERE role_name = session_user $$;
REVOKE ALL ON FUNCTION loket.my_office() FROM PUBLIC;

-- The group every office role is a member of: it may insert and read its own rows only.
-- Roles belong to the cluster, not the database: a second city database on the same
-- server shares it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'loket_office') THEN
        CREATE ROLE loket_office NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA loket TO loket_office;
GRANT EXECUTE ON FUNCTION loket.my_office() TO loket_office;

CREATE TABLE loket.ticket_events (
    office_code text NOT NULL,
    seq bigint NOT NULL CHECK (seq > 0),
    at timestamptz NOT NULL,
    -- The office's event stream number (the lobby display's `seq`).
    event_seq bigint NOT NULL,
    -- `issued`, `called`, `finished`, `no_show`, `day_started` …
    type text NOT NULL,
    ticket_id bigint,
    number text,
    service text,
    counter integer,
    body jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (office_code, seq)
);

CREATE TABLE loket.complaint_actions (
    office_code text NOT NULL,
    seq bigint NOT NULL CHECK (seq > 0),
    at timestamptz NOT NULL,
    complaint bigint NOT NULL,
    number text NOT NULL,
    version bigint NOT NULL,
    flow text NOT NULL,
    -- `opened`, `completed`, `returned` … (the body carries step, round, level).
    change text NOT NULL,
    closed boolean NOT NULL,
    body jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (office_code, seq)
);

CREATE TABLE loket.survey_responses (
    office_code text NOT NULL,
    seq bigint NOT NULL CHECK (seq > 0),
    month date NOT NULL,
    service text NOT NULL,
    counter integer,
    body jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (office_code, seq)
);

CREATE TABLE loket.audit_hashes (
    office_code text NOT NULL,
    seq bigint NOT NULL CHECK (seq > 0),
    at timestamptz NOT NULL,
    audit_seq bigint NOT NULL,
    action text NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL,
    body jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (office_code, seq)
);

-- Row-level security: an office's role sees and inserts only rows of its own office code,
-- so one stolen box cannot write (or read) another office's records. No UPDATE or DELETE is
-- granted to anyone but the owner.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ticket_events', 'complaint_actions', 'survey_responses', 'audit_hashes']
    LOOP
        EXECUTE format('ALTER TABLE loket.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('GRANT SELECT, INSERT ON loket.%I TO loket_office', t);
        EXECUTE format(
            'CREATE POLICY own_rows_read ON loket.%I FOR SELECT TO loket_office USING (office_code = loket.my_office())', t);
        EXECUTE format(
            'CREATE POLICY own_rows_insert ON loket.%I FOR INSERT TO loket_office WITH CHECK (office_code = loket.my_office())', t);
    END LOOP;
END
$$;
