-- Idempotency keys of mutations that charge or pay: one row per (key, caller), written in
-- the transaction of the effect, so a retry finds the stored result and charges nothing.
CREATE TABLE idempotency_key (
    key           text NOT NULL,
    caller        text NOT NULL,
    operation     text NOT NULL,
    request_hash  text NOT NULL,
    result_id     uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key, caller)
);

CREATE TABLE sales_order (
    id            uuid PRIMARY KEY,
    coop_id       uuid NOT NULL REFERENCES coop (id),
    buyer_kind    text NOT NULL CHECK (buyer_kind IN ('FARMER', 'COLLECTIVE')),
    buyer_id      uuid NOT NULL,
    village_code  text NOT NULL,
    status        text NOT NULL CHECK (status IN ('RESERVED', 'PAID', 'CANCELLED')),
    total         numeric(14, 2) NOT NULL CHECK (total >= 0),
    discount      numeric(14, 2) NOT NULL DEFAULT 0 CHECK (discount >= 0),
    cost          numeric(14, 2) NOT NULL CHECK (cost >= 0),
    placed_by     text NOT NULL,
    placed_at     timestamptz NOT NULL,
    paid_at       timestamptz,
    cancelled_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sales_order_coop ON sales_order (coop_id, created_at, id);
CREATE INDEX sales_order_village ON sales_order (village_code text_pattern_ops);
CREATE INDEX sales_order_buyer ON sales_order (buyer_id);

CREATE TABLE order_line (
    order_id      uuid NOT NULL REFERENCES sales_order (id),
    item_id       uuid NOT NULL REFERENCES input_item (id),
    quantity      integer NOT NULL CHECK (quantity > 0),
    list_price    numeric(12, 2) NOT NULL,
    unit_price    numeric(12, 2) NOT NULL,
    unit_cost     numeric(14, 4) NOT NULL,
    amount        numeric(14, 2) NOT NULL,
    PRIMARY KEY (order_id, item_id)
);

-- At most one payment per order: the charge itself cannot happen twice.
CREATE TABLE payment (
    id            uuid PRIMARY KEY,
    order_id      uuid NOT NULL UNIQUE REFERENCES sales_order (id),
    amount        numeric(14, 2) NOT NULL,
    method        text NOT NULL,
    paid_by       text NOT NULL,
    paid_at       timestamptz NOT NULL
);

CREATE TABLE receipt_counter (
    coop_id       uuid NOT NULL REFERENCES coop (id),
    year          integer NOT NULL,
    last_no       integer NOT NULL,
    PRIMARY KEY (coop_id, year)
);

CREATE TABLE purchase_lot (
    id             uuid PRIMARY KEY,
    coop_id        uuid NOT NULL REFERENCES coop (id),
    farmer_id      uuid NOT NULL,
    village_code   text NOT NULL,
    produce_id     uuid NOT NULL REFERENCES produce (id),
    grade          text NOT NULL,
    weight_kg      numeric(12, 3) NOT NULL CHECK (weight_kg > 0),
    price_per_kg   numeric(12, 2) NOT NULL,
    resale_per_kg  numeric(12, 2) NOT NULL,
    amount_payable numeric(14, 2) NOT NULL CHECK (amount_payable >= 0),
    resale_amount  numeric(14, 2) NOT NULL CHECK (resale_amount >= 0),
    receipt_no     text NOT NULL UNIQUE,
    status         text NOT NULL CHECK (status IN ('RECORDED', 'PAID')),
    weighed_by     text NOT NULL,
    weighed_at     timestamptz NOT NULL,
    paid_at        timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchase_lot_coop ON purchase_lot (coop_id, weighed_at);
CREATE INDEX purchase_lot_village ON purchase_lot (village_code text_pattern_ops);

-- Capacity booked per team and day. booked_mu <= capacity_mu holds even if a bug skipped the
-- conditional upsert; the upsert itself is what keeps racing bookings apart.
CREATE TABLE team_day (
    team_id        uuid NOT NULL REFERENCES service_team (id),
    day            date NOT NULL,
    capacity_mu    numeric(10, 2) NOT NULL,
    booked_mu      numeric(10, 2) NOT NULL CHECK (booked_mu >= 0 AND booked_mu <= capacity_mu),
    PRIMARY KEY (team_id, day)
);

CREATE TABLE service_booking (
    id              uuid PRIMARY KEY,
    team_id         uuid NOT NULL REFERENCES service_team (id),
    coop_id         uuid NOT NULL REFERENCES coop (id),
    farmer_id       uuid NOT NULL,
    village_code    text NOT NULL,
    service_date    date NOT NULL,
    area_mu         numeric(10, 2) NOT NULL CHECK (area_mu > 0),
    price_per_mu    numeric(12, 2) NOT NULL,
    cost_per_mu     numeric(12, 2) NOT NULL,
    amount          numeric(14, 2) NOT NULL,
    status          text NOT NULL CHECK (status IN ('BOOKED', 'COMPLETED', 'CANCELLED')),
    booked_by       text NOT NULL,
    booked_at       timestamptz NOT NULL,
    completed_at    timestamptz,
    completion_note text,
    cancelled_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_booking_coop ON service_booking (coop_id, service_date);
CREATE INDEX service_booking_village ON service_booking (village_code text_pattern_ops);
