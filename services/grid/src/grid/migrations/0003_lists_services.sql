-- 三张清单: resource, demand and responsibility lists linking township units and villages.
CREATE TABLE list_item (
    id               uuid PRIMARY KEY,
    list             text NOT NULL CHECK (list IN ('RESOURCE', 'DEMAND', 'RESPONSIBILITY')),
    title            text NOT NULL,
    description      text,
    region_id        uuid NOT NULL REFERENCES region (id),
    region_code      text NOT NULL,
    status           text NOT NULL,   -- OPEN, CLAIMED, IN_PROGRESS, DONE
    claimed_by_unit  text,
    progress_percent integer NOT NULL DEFAULT 0 CHECK (progress_percent BETWEEN 0 AND 100),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX list_item_region ON list_item (region_code text_pattern_ops, created_at, id);

CREATE TABLE list_progress (
    id       bigserial PRIMARY KEY,
    item_id  uuid NOT NULL REFERENCES list_item (id),
    percent  integer NOT NULL,
    note     text,
    actor    text NOT NULL,
    at       timestamptz NOT NULL DEFAULT now()
);

-- Convenience services: appointments 预约服务, proxy errands 便民代办, visits 五必访五必问.
CREATE TABLE service_request (
    id            uuid PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('APPOINTMENT', 'PROXY_ERRAND', 'VISIT')),
    resident_id   uuid NOT NULL REFERENCES resident (id),
    region_code   text NOT NULL,
    status        text NOT NULL,      -- REQUESTED, COMPLETED, CANCELLED
    subject       text NOT NULL,
    scheduled_for timestamptz,
    handler_id    text,
    outcome       text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    completed_at  timestamptz
);
CREATE INDEX service_request_region ON service_request (region_code text_pattern_ops, created_at, id);
