-- Seasonal demand reports filed by village committees 村两委.
CREATE TABLE demand_report (
    id             uuid PRIMARY KEY,
    village_code   text NOT NULL REFERENCES member_village (code),
    township_code  text NOT NULL,
    season         text NOT NULL,
    note           text,
    filed_by       text NOT NULL,
    filed_at       timestamptz NOT NULL
);
CREATE INDEX demand_report_season ON demand_report (season, village_code);

CREATE TABLE demand_line (
    report_id      uuid NOT NULL REFERENCES demand_report (id),
    kind           text NOT NULL CHECK (kind IN ('INPUT', 'SERVICE', 'PRODUCE')),
    item_code      text NOT NULL,   -- input sku, service kind or produce code
    quantity       numeric(14, 3) NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (report_id, kind, item_code)
);

-- 让利: the discount collectives get on an input.
CREATE TABLE discount_rule (
    item_id        uuid PRIMARY KEY REFERENCES input_item (id),
    rate           numeric(5, 4) NOT NULL CHECK (rate >= 0 AND rate < 1),
    set_by         text NOT NULL,
    set_at         timestamptz NOT NULL
);

CREATE TABLE sourcing_plan (
    id             uuid PRIMARY KEY,
    season         text NOT NULL UNIQUE,
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL
);

CREATE TABLE sourcing_line (
    plan_id          uuid NOT NULL REFERENCES sourcing_plan (id),
    coop_id          uuid NOT NULL REFERENCES coop (id),
    item_id          uuid NOT NULL REFERENCES input_item (id),
    demand_qty       integer NOT NULL CHECK (demand_qty >= 0),
    stock_qty        integer NOT NULL CHECK (stock_qty >= 0),
    to_source_qty    integer NOT NULL CHECK (to_source_qty >= 0),
    list_price       numeric(12, 2) NOT NULL,
    discount_rate    numeric(5, 4) NOT NULL,
    collective_price numeric(12, 2) NOT NULL,
    PRIMARY KEY (plan_id, coop_id, item_id)
);

-- 供销消薄: an annual trade target per village.
CREATE TABLE village_target (
    village_code   text NOT NULL REFERENCES member_village (code),
    year           integer NOT NULL,
    amount         numeric(14, 2) NOT NULL CHECK (amount > 0),
    set_by         text NOT NULL,
    set_at         timestamptz NOT NULL,
    PRIMARY KEY (village_code, year)
);

-- 组织落实贷款: loans the township arranges for a collective or farmer, tracked to repayment.
CREATE TABLE arranged_loan (
    id             uuid PRIMARY KEY,
    village_code   text NOT NULL REFERENCES member_village (code),
    borrower       text NOT NULL,
    lender         text NOT NULL,
    principal      numeric(14, 2) NOT NULL CHECK (principal > 0),
    annual_rate    numeric(6, 4) NOT NULL CHECK (annual_rate >= 0),
    arranged_at    timestamptz NOT NULL,
    due_on         date NOT NULL,
    repaid         numeric(14, 2) NOT NULL DEFAULT 0 CHECK (repaid >= 0 AND repaid <= principal),
    status         text NOT NULL CHECK (status IN ('OUTSTANDING', 'REPAID')),
    arranged_by    text NOT NULL
);

CREATE TABLE loan_repayment (
    id             uuid PRIMARY KEY,
    loan_id        uuid NOT NULL REFERENCES arranged_loan (id),
    amount         numeric(14, 2) NOT NULL CHECK (amount > 0),
    paid_at        timestamptz NOT NULL,
    recorded_by    text NOT NULL
);

-- One settlement per base co-op and period, whatever happens: the unique key is what makes
-- settling twice publish once.
CREATE TABLE settlement (
    id                   uuid PRIMARY KEY,
    coop_id              uuid NOT NULL REFERENCES coop (id),
    period               text NOT NULL,
    period_start         timestamptz NOT NULL,
    period_end           timestamptz NOT NULL,
    revenue              numeric(14, 2) NOT NULL,
    cost                 numeric(14, 2) NOT NULL,
    distributable_profit numeric(14, 2) NOT NULL CHECK (distributable_profit >= 0),
    settled_by           text NOT NULL,
    settled_at           timestamptz NOT NULL,
    UNIQUE (coop_id, period)
);
