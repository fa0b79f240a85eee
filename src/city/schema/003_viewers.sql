-- loket's city schema, step 3: the city view (`loket city serve`). Its accounts, a record of
-- every login, and the group role its server connects as: it reads every office's records
-- (the office policies only cover `loket_office`) and writes nothing but the login record.

-- People who may open the city view. `offices` NULL: every office; otherwise the office
-- codes the account may see (a kepala kantor's own). Filled by `loket city add-viewer`.
CREATE TABLE loket.viewers (
    username text PRIMARY KEY CHECK (username ~ '^[a-z][a-z0-9._-]{2,31}$'),
    -- `pimpinan` (Walikota's staff, Sekda), `pengawas` (Inspektorat, Ombudsman),
    -- `kepala_kantor` (its offices only), `admin` (the city's technician).
    role text NOT NULL CHECK (role IN ('pimpinan', 'pengawas', 'kepala_kantor', 'admin')),
    offices text[] CHECK (offices IS NULL OR cardinality(offices) > 0),
    password_hash text NOT NULL,
    disabled boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- A kepala kantor sees the offices named on the account, and only they do.
    CHECK ((role = 'kepala_kantor') = (offices IS NOT NULL))
);

-- Every login attempt and logout of the city view: who (the name typed), from where, how
-- it ended. Appended by the view's server; nobody but the owner changes a row.
CREATE TABLE loket.viewer_logins (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    username text NOT NULL,
    address text NOT NULL,
    outcome text NOT NULL CHECK (outcome IN
        ('ok', 'wrong_password', 'unknown_user', 'disabled', 'locked', 'logout'))
);

-- The group of the view's login role (`loket city add-view-role`). A role of the cluster, as
-- `loket_office` is.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'loket_viewer') THEN
        CREATE ROLE loket_viewer NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA loket TO loket_viewer;
GRANT SELECT ON loket.offices, loket.viewers TO loket_viewer;
-- The login record: written by the view, read by its `admin` page (who logged in when).
GRANT SELECT, INSERT ON loket.viewer_logins TO loket_viewer;

-- Every office's rows, read only: which offices an account may see is the view's to enforce
-- (`viewers.offices`); the database keeps the role from writing any record.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ticket_events', 'complaint_actions', 'survey_responses', 'audit_hashes']
    LOOP
        EXECUTE format('GRANT SELECT ON loket.%I TO loket_viewer', t);
        EXECUTE format(
            'CREATE POLICY viewer_read ON loket.%I FOR SELECT TO loket_viewer USING (true)', t);
    END LOOP;
END
$$;
