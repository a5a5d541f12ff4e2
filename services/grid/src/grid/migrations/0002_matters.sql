CREATE TABLE matter (
    id               uuid PRIMARY KEY,
    title            text NOT NULL,
    description      text,
    location         text,
    category         text NOT NULL,
    status           text NOT NULL,
    region_id        uuid NOT NULL REFERENCES region (id),
    region_code      text NOT NULL,
    village_id       uuid NOT NULL REFERENCES region (id),
    responsible_code text NOT NULL,   -- village, or higher after escalation
    escalation_level integer NOT NULL DEFAULT 0,
    reporter_id      uuid REFERENCES resident (id),
    reported_by      text NOT NULL,   -- subject of whoever reported it
    assignee_id      text,
    handling_record  text,
    closing_summary  text,
    satisfaction     integer CHECK (satisfaction BETWEEN 1 AND 5),
    followup_remark  text,
    due_at           timestamptz,
    reported_at      timestamptz NOT NULL,
    accepted_at      timestamptz,
    closed_at        timestamptz,
    followed_up_at   timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX matter_region ON matter (region_code text_pattern_ops, created_at, id);
CREATE INDEX matter_reporter ON matter (reporter_id);
CREATE INDEX matter_open_due ON matter (due_at)
    WHERE status IN ('REPORTED', 'ACCEPTED', 'ASSIGNED', 'HANDLED');

-- Every step of the loop, in order: the audit trail behind the current status.
CREATE TABLE matter_step (
    id         bigserial PRIMARY KEY,
    matter_id  uuid NOT NULL REFERENCES matter (id),
    change     text NOT NULL,
    status     text NOT NULL,
    actor      text NOT NULL,
    note       text,
    at         timestamptz NOT NULL
);
CREATE INDEX matter_step_matter ON matter_step (matter_id, id);
