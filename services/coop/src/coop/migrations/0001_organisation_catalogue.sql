-- Organisation: the county co-op 县供销社 and its township base co-ops 基层供销社, and the
-- villages each base co-op serves (their collectives are its shareholders).
CREATE TABLE coop (
    id            uuid PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('COUNTY', 'BASE')),
    name          text NOT NULL,
    region_id     uuid NOT NULL,            -- the grid Region (county or township)
    region_code   text NOT NULL UNIQUE,
    parent_id     uuid REFERENCES coop (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE member_village (
    id            uuid PRIMARY KEY,         -- the grid Village id
    code          text NOT NULL UNIQUE,
    name          text NOT NULL,
    coop_id       uuid NOT NULL REFERENCES coop (id)
);

-- Farm inputs 农资: one county catalogue, stock held per base co-op.
CREATE TABLE input_item (
    id            uuid PRIMARY KEY,
    sku           text NOT NULL UNIQUE,
    name          text NOT NULL,
    category      text NOT NULL,
    unit          text NOT NULL,
    unit_price    numeric(12, 2) NOT NULL CHECK (unit_price >= 0)
);

-- qty >= 0 is the last line of defence; reservations use a conditional UPDATE first.
CREATE TABLE stock (
    coop_id       uuid NOT NULL REFERENCES coop (id),
    item_id       uuid NOT NULL REFERENCES input_item (id),
    qty           integer NOT NULL CHECK (qty >= 0),
    unit_cost     numeric(14, 4) NOT NULL CHECK (unit_cost >= 0),   -- moving average
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (coop_id, item_id)
);

-- Produce the co-op buys 农产品收购, with grade prices valid over a period.
CREATE TABLE produce (
    id            uuid PRIMARY KEY,
    code          text NOT NULL UNIQUE,
    name          text NOT NULL
);

CREATE TABLE produce_price (
    id                 uuid PRIMARY KEY,
    coop_id            uuid NOT NULL REFERENCES coop (id),
    produce_id         uuid NOT NULL REFERENCES produce (id),
    grade              text NOT NULL,
    price_per_kg       numeric(12, 2) NOT NULL CHECK (price_per_kg > 0),
    -- What the co-op sells the lot on for (its offtake contract): the revenue side.
    resale_per_kg      numeric(12, 2) NOT NULL CHECK (resale_per_kg >= 0),
    valid_from         date NOT NULL,
    valid_to           date NOT NULL CHECK (valid_to >= valid_from),
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX produce_price_lookup ON produce_price (coop_id, produce_id, grade, valid_from);

-- Socialised services 社会化服务 耕种管收烘干: a team or machine with a daily capacity in mu.
CREATE TABLE service_team (
    id                 uuid PRIMARY KEY,
    coop_id            uuid NOT NULL REFERENCES coop (id),
    kind               text NOT NULL CHECK (kind IN ('PLOUGH', 'SOW', 'MANAGE', 'HARVEST', 'DRY')),
    name               text NOT NULL,
    capacity_mu        numeric(10, 2) NOT NULL CHECK (capacity_mu > 0),
    price_per_mu       numeric(12, 2) NOT NULL CHECK (price_per_mu >= 0),
    cost_per_mu        numeric(12, 2) NOT NULL CHECK (cost_per_mu >= 0),
    created_at         timestamptz NOT NULL DEFAULT now()
);
