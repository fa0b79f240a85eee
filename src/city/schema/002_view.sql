-- loket's city schema, step 2: what the city view reads.

-- The office's name as the city's pages show it (`loket city add-office --name`); the code
-- stands in where none was given.
ALTER TABLE loket.offices ADD COLUMN name text;

-- A complaint action's level and the step waiting after it, typed: the view finds the steps
-- open now past their due time without reading every body. The office works the due time
-- out (its calendar, working hours and holidays decide it); the city only compares it.
-- NULL in records from builds before these fields: `open_step` NULL on a complaint not
-- closed means "not known", not "none".
ALTER TABLE loket.complaint_actions
    ADD COLUMN level text,
    ADD COLUMN open_step integer,
    ADD COLUMN open_round integer,
    ADD COLUMN open_due_at timestamptz;

UPDATE loket.complaint_actions SET
    level = coalesce(body->>'level', body->'change'->>'level'),
    open_step = (body->'open_step'->>'step')::integer,
    open_round = (body->'open_step'->>'round')::integer,
    open_due_at = (body->'open_step'->>'due_at')::timestamptz;

-- An older record's level is its complaint's opening's.
UPDATE loket.complaint_actions a SET level = o.level
FROM loket.complaint_actions o
WHERE a.level IS NULL AND o.level IS NOT NULL AND o.change = 'opened'
  AND o.office_code = a.office_code AND o.complaint = a.complaint;

-- The view's reads: each complaint's latest action; the events of a range of days (all
-- offices at once, or a few); the responses of a range of months.
CREATE INDEX complaint_actions_latest ON loket.complaint_actions (office_code, complaint, version);
CREATE INDEX ticket_events_at ON loket.ticket_events (at);
CREATE INDEX survey_responses_month ON loket.survey_responses (month);
