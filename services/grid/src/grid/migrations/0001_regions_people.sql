-- Region tree county → township → village → grid. `code` is a hierarchical path
-- (QY, QY.01, QY.01.002, QY.01.002.01) so subtree checks are prefix checks, everywhere.
CREATE TABLE region (
    id         uuid PRIMARY KEY,
    code       text NOT NULL UNIQUE,
    name       text NOT NULL,
    level      text NOT NULL CHECK (level IN ('COUNTY', 'TOWNSHIP', 'VILLAGE', 'GRID')),
    parent_id  uuid REFERENCES region (id),
    -- what a grid is drawn by: resident group, street, shops, key place
    drawn_by   text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX region_code_prefix ON region (code text_pattern_ops);

-- Staff and party members. Minimal PII: a display name and a role in the grid system.
CREATE TABLE person (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('GRID_WORKER', 'PARTY_MEMBER', 'CADRE', 'UNIT_STAFF')),
    name        text NOT NULL,
    region_id   uuid NOT NULL REFERENCES region (id),
    -- party members: their responsibility area 党员责任区 and demonstration post 党员示范岗
    responsibility_area text,
    demonstration_post  text,
    -- cadres: their post (e.g. 村支书)
    post        text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX person_region ON person (region_id);

-- 村干部挂牌值班: who is on duty at a village on a day.
CREATE TABLE duty_shift (
    id         uuid PRIMARY KEY,
    village_id uuid NOT NULL REFERENCES region (id),
    cadre_id   uuid NOT NULL REFERENCES person (id),
    duty_date  date NOT NULL,
    shift      text NOT NULL DEFAULT 'DAY',
    UNIQUE (village_id, duty_date, shift)
);

CREATE TABLE household (
    id        uuid PRIMARY KEY,
    grid_id   uuid NOT NULL REFERENCES region (id),
    label     text NOT NULL  -- house number within the grid, not a full address
);

CREATE TABLE resident (
    id             uuid PRIMARY KEY,
    household_id   uuid NOT NULL REFERENCES household (id),
    grid_id        uuid NOT NULL REFERENCES region (id),
    display_name   text NOT NULL,
    -- 五必访 special groups: ELDERLY, LEFT_BEHIND_CHILD, HARDSHIP, DISABLED, ...
    special_groups text[] NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resident_grid ON resident (grid_id);
