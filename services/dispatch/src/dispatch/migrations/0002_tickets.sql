CREATE TABLE ticket (
    id              uuid PRIMARY KEY,
    partner_code    text NOT NULL REFERENCES partner (code),
    category        text NOT NULL,
    status          text NOT NULL,
    title           text NOT NULL,
    description     text,
    location        text,
    photo_refs      text[] NOT NULL DEFAULT '{}',
    village_id      uuid NOT NULL REFERENCES place (id),
    village_code    text NOT NULL,
    grid_id         uuid REFERENCES place (id),
    region_code     text NOT NULL,             -- the grid, or the village
    matter_id       uuid UNIQUE,               -- one ticket per grid matter, whatever redelivers
    reporter_id     text NOT NULL,             -- subject of the reporter (a resident's id, ...)
    reporter_role   text NOT NULL,
    route           text CHECK (route IN ('COORDINATOR', 'PARTNER')),
    coordinator_id  uuid REFERENCES coordinator (id),
    resolution      text,
    due_at          timestamptz NOT NULL,
    reported_at     timestamptz NOT NULL,
    routed_at       timestamptz,
    resolved_at     timestamptz,
    confirmed_at    timestamptz,
    reopened_at     timestamptz,
    overdue_at      timestamptz,               -- when the overdue detector first saw it late
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (route IS DISTINCT FROM 'COORDINATOR' OR coordinator_id IS NOT NULL)
);
CREATE INDEX ticket_region ON ticket (region_code text_pattern_ops, created_at, id);
CREATE INDEX ticket_partner ON ticket (partner_code, created_at, id);
CREATE INDEX ticket_coordinator_open ON ticket (coordinator_id)
    WHERE status IN ('ROUTED', 'ACCEPTED', 'IN_PROGRESS');
CREATE INDEX ticket_open_due ON ticket (due_at)
    WHERE status IN ('REPORTED', 'ROUTED', 'ACCEPTED', 'IN_PROGRESS', 'REOPENED');

CREATE TABLE ticket_step (
    id         bigserial PRIMARY KEY,
    ticket_id  uuid NOT NULL REFERENCES ticket (id),
    change     text NOT NULL,
    status     text NOT NULL,
    actor      text NOT NULL,
    note       text,
    at         timestamptz NOT NULL
);
CREATE INDEX ticket_step_ticket ON ticket_step (ticket_id, id);

-- Every update a partner produced to its updates topic, applied or not (a stale or
-- out-of-order one is recorded here and changes nothing).
CREATE TABLE partner_update (
    event_id     text PRIMARY KEY,
    ticket_id    uuid NOT NULL REFERENCES ticket (id),
    partner_code text NOT NULL,
    status       text NOT NULL,
    note         text,
    specialist   text,
    outcome      text NOT NULL CHECK (outcome IN ('APPLIED', 'IGNORED')),
    detail       text,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partner_update_ticket ON partner_update (ticket_id);
