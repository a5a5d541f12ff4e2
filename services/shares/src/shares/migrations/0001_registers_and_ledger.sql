-- Parties, registers, the append-only share ledger and the holdings derived from it.

-- Anyone who can hold shares or receive dividends. Ids are the parties' ids elsewhere: a
-- member's id is their grid resident id, a collective's id is its village's region id.
CREATE TABLE party (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('MEMBER', 'COLLECTIVE', 'COUNTY_SOE', 'FINANCE',
                                              'LEADING_ENTERPRISE', 'SOCIAL_CAPITAL')),
    name         text NOT NULL,
    region_code  text,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE share_register (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('COLLECTIVE', 'CONSORTIUM', 'VILLAGE_COMPANY',
                                                  'BASE_COOP')),
    name            text NOT NULL,
    region_code     text NOT NULL,
    -- The holding entity's id outside this service: a collective's village id, a base
    -- co-op's id (coop settlement events name it), a project's id.
    external_ref    text NOT NULL,
    owner_party_id  uuid REFERENCES party (id),
    transfer_rule   text NOT NULL CHECK (transfer_rule IN ('WITHIN_COLLECTIVE_WITH_APPROVAL',
                                                           'WITH_APPROVAL', 'NOT_TRANSFERABLE')),
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, external_ref)
);
CREATE INDEX share_register_region ON share_register (region_code text_pattern_ops);

-- Who is on a register (a collective's members, a project's parties).
CREATE TABLE register_holder (
    register_id  uuid NOT NULL REFERENCES share_register (id),
    party_id     uuid NOT NULL REFERENCES party (id),
    admitted_by  text NOT NULL,
    admitted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (register_id, party_id)
);

-- One change of a register: an issuance, a transfer, a proxy conversion.
CREATE TABLE ledger_operation (
    id               uuid PRIMARY KEY,
    seq              bigserial NOT NULL UNIQUE,
    register_id      uuid NOT NULL REFERENCES share_register (id),
    kind             text NOT NULL CHECK (kind IN ('ISSUE', 'TRANSFER', 'PROXY_CONVERSION')),
    share_class      text NOT NULL CHECK (share_class IN ('RESOURCE', 'CAPITAL', 'MEMBER')),
    shares           bigint NOT NULL CHECK (shares > 0),
    basis            text CHECK (basis IN ('CASH', 'ASSET', 'RESOURCE', 'FISCAL_FUNDS', 'NONE')),
    basis_value_fen  bigint NOT NULL DEFAULT 0 CHECK (basis_value_fen >= 0),
    appraisal_ref    text,
    appraiser        text,
    asset_description text,
    approval_ref     text,
    approved_by      text,
    note             text,
    actor            text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_operation_register ON ledger_operation (register_id, seq);

-- The lines of an operation: signed deltas of one position (holder, beneficial owner, class).
CREATE TABLE ledger_line (
    id                   bigserial PRIMARY KEY,
    operation_id         uuid NOT NULL REFERENCES ledger_operation (id),
    register_id          uuid NOT NULL REFERENCES share_register (id),
    holder_party_id      uuid NOT NULL REFERENCES party (id),
    beneficial_party_id  uuid NOT NULL REFERENCES party (id),
    share_class          text NOT NULL,
    shares_delta         bigint NOT NULL,
    paid_in_delta_fen    bigint NOT NULL DEFAULT 0,
    CHECK (shares_delta <> 0 OR paid_in_delta_fen <> 0)
);
CREATE INDEX ledger_line_position ON ledger_line (register_id, holder_party_id,
                                                  beneficial_party_id, share_class);

-- Current holdings, maintained in the same transaction as the lines; never negative.
-- holder = beneficial owner for a direct holding; otherwise the holder is a nominee (代持).
CREATE TABLE holding (
    register_id          uuid NOT NULL REFERENCES share_register (id),
    holder_party_id      uuid NOT NULL REFERENCES party (id),
    beneficial_party_id  uuid NOT NULL REFERENCES party (id),
    share_class          text NOT NULL,
    shares               bigint NOT NULL DEFAULT 0 CHECK (shares >= 0),
    paid_in_fen          bigint NOT NULL DEFAULT 0 CHECK (paid_in_fen >= 0),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (register_id, holder_party_id, beneficial_party_id, share_class)
);
CREATE INDEX holding_beneficial ON holding (beneficial_party_id);

-- 代持: explicit nominee <-> beneficial owner arrangements, queryable both ways.
CREATE TABLE proxy_holding (
    id                   uuid PRIMARY KEY,
    register_id          uuid NOT NULL REFERENCES share_register (id),
    nominee_party_id     uuid NOT NULL REFERENCES party (id),
    beneficial_party_id  uuid NOT NULL REFERENCES party (id),
    reason               text NOT NULL CHECK (reason IN ('MEMBER_NOT_JOINED',
                                                         'SOCIAL_CAPITAL_SHORTFALL')),
    status               text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'CONVERTED')),
    created_by           text NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    converted_at         timestamptz,
    conversion_operation_id uuid REFERENCES ledger_operation (id),
    CHECK (nominee_party_id <> beneficial_party_id)
);
CREATE UNIQUE INDEX proxy_holding_active ON proxy_holding (register_id, nominee_party_id,
                                                           beneficial_party_id)
    WHERE status = 'ACTIVE';
CREATE INDEX proxy_holding_nominee ON proxy_holding (nominee_party_id);
CREATE INDEX proxy_holding_beneficial ON proxy_holding (beneficial_party_id);

-- History is append-only: a correction is a new entry, never an edit.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'check_violation';
END $$;

CREATE TRIGGER ledger_operation_append_only BEFORE UPDATE OR DELETE ON ledger_operation
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_line_append_only BEFORE UPDATE OR DELETE ON ledger_line
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- holdings == sum(history): every position whose balance differs from its lines' sum.
CREATE VIEW holding_mismatch AS
SELECT coalesce(h.register_id, l.register_id) AS register_id,
       coalesce(h.holder_party_id, l.holder_party_id) AS holder_party_id,
       coalesce(h.beneficial_party_id, l.beneficial_party_id) AS beneficial_party_id,
       coalesce(h.share_class, l.share_class) AS share_class,
       coalesce(h.shares, 0) AS held_shares, coalesce(l.shares, 0) AS ledger_shares,
       coalesce(h.paid_in_fen, 0) AS held_paid_in_fen, coalesce(l.paid_in, 0) AS ledger_paid_in_fen
FROM holding h
FULL OUTER JOIN (
    SELECT register_id, holder_party_id, beneficial_party_id, share_class,
           sum(shares_delta) AS shares, sum(paid_in_delta_fen) AS paid_in
    FROM ledger_line GROUP BY 1, 2, 3, 4
) l USING (register_id, holder_party_id, beneficial_party_id, share_class)
WHERE coalesce(h.shares, 0) <> coalesce(l.shares, 0)
   OR coalesce(h.paid_in_fen, 0) <> coalesce(l.paid_in, 0);
