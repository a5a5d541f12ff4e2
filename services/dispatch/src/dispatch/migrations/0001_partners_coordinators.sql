-- Partner utilities, their agreements with the district, and the village network
-- coordinators (网协员) with their training, certificate and per-utility authorisations.
CREATE TABLE partner (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- 合作协议: planning, enforcement authorisation, joint service, assessment.
CREATE TABLE agreement (
    id           uuid PRIMARY KEY,
    partner_code text NOT NULL REFERENCES partner (code),
    title        text NOT NULL,
    scope_items  text[] NOT NULL DEFAULT '{}',
    starts_on    date NOT NULL,
    ends_on      date NOT NULL CHECK (ends_on > starts_on),
    status       text NOT NULL CHECK (status IN ('ACTIVE', 'EXPIRED', 'TERMINATED')),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agreement_partner ON agreement (partner_code, starts_on);

-- Purchased-service price per task category under an agreement.
CREATE TABLE agreement_rate (
    agreement_id uuid NOT NULL REFERENCES agreement (id),
    category     text NOT NULL,
    rate         numeric(12, 2) NOT NULL CHECK (rate >= 0),
    PRIMARY KEY (agreement_id, category)
);

-- The places dispatch serves: grid's villages and grids, by their ids and codes (learned from
-- the demo seed, coordinator posts and grid.matter.v1 events; dispatch never reads grid's
-- tables).
CREATE TABLE place (
    id         uuid PRIMARY KEY,
    code       text NOT NULL UNIQUE,
    name       text,
    level      text NOT NULL CHECK (level IN ('VILLAGE', 'GRID'))
);

CREATE TABLE coordinator (
    id            uuid PRIMARY KEY,      -- the person's id (the JWT subject)
    name          text NOT NULL,
    village_id    uuid NOT NULL REFERENCES place (id),
    village_code  text NOT NULL,
    background    text NOT NULL CHECK (background IN ('FORMER_CADRE', 'RESERVE_CADRE', 'OTHER')),
    selected_on   date NOT NULL,
    selection_note text,
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX coordinator_village ON coordinator (village_code);

-- 镇企共训: joint training by the township and a company.
CREATE TABLE training (
    id             uuid PRIMARY KEY,
    coordinator_id uuid NOT NULL REFERENCES coordinator (id),
    course         text NOT NULL,
    partner_code   text REFERENCES partner (code),
    completed_on   date NOT NULL
);

-- 结业许可证: one current certificate per coordinator.
CREATE TABLE certificate (
    coordinator_id uuid PRIMARY KEY REFERENCES coordinator (id),
    number         text NOT NULL UNIQUE,
    issued_on      date NOT NULL,
    expires_on     date,
    revoked_at     timestamptz
);

-- 岗位授权书: per utility, a scope of task categories and an expiry.
CREATE TABLE authorisation (
    id             uuid PRIMARY KEY,
    coordinator_id uuid NOT NULL REFERENCES coordinator (id),
    partner_code   text NOT NULL REFERENCES partner (code),
    scope          text[] NOT NULL CHECK (cardinality(scope) > 0),
    valid_from     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL CHECK (expires_at > valid_from),
    revoked_at     timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX authorisation_coordinator ON authorisation (coordinator_id);
