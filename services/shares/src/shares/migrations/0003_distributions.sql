-- Distribution runs "固定分红+盈利" and the dividend accounts they credit.
CREATE TABLE distribution_run (
    id               uuid PRIMARY KEY,
    register_id      uuid NOT NULL REFERENCES share_register (id),
    idempotency_key  text NOT NULL,
    kind             text NOT NULL DEFAULT 'DISTRIBUTION' CHECK (kind IN ('DISTRIBUTION', 'REVERSAL')),
    status           text NOT NULL CHECK (status IN ('DRAFT', 'REVIEWED', 'POSTED')),
    declared_fen     bigint NOT NULL CHECK (declared_fen >= 0),
    fixed_rate       numeric(16, 10) NOT NULL DEFAULT 0 CHECK (fixed_rate >= 0 AND fixed_rate <= 1),
    period           text NOT NULL,
    source           text NOT NULL DEFAULT 'MANUAL' CHECK (source IN ('MANUAL', 'COOP_SETTLEMENT')),
    source_ref       text,
    -- A collective distributes from its own income account; other registers' income is
    -- external (a project's profit, a co-op settlement).
    funding_party_id uuid REFERENCES party (id),
    reverses_run_id  uuid UNIQUE REFERENCES distribution_run (id),
    note             text,
    created_by       text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    reviewed_by      text,
    reviewed_at      timestamptz,
    posted_by        text,
    posted_at        timestamptz,
    UNIQUE (register_id, idempotency_key)
);

CREATE TABLE distribution_line (
    run_id               uuid NOT NULL REFERENCES distribution_run (id),
    holder_party_id      uuid NOT NULL REFERENCES party (id),
    beneficial_party_id  uuid NOT NULL REFERENCES party (id),
    share_class          text NOT NULL,
    shares               bigint NOT NULL CHECK (shares >= 0),
    paid_in_fen          bigint NOT NULL CHECK (paid_in_fen >= 0),
    amount_fen           bigint NOT NULL CHECK (amount_fen >= 0),
    PRIMARY KEY (run_id, holder_party_id, beneficial_party_id, share_class)
);

-- Dividend accounts: the beneficial owner's money, held by whoever holds the shares (the
-- nominee for proxy-held shares, else the owner). Signed, append-only entries + balance.
CREATE TABLE account_entry (
    id                bigserial PRIMARY KEY,
    party_id          uuid NOT NULL REFERENCES party (id),
    held_by_party_id  uuid NOT NULL REFERENCES party (id),
    run_id            uuid NOT NULL REFERENCES distribution_run (id),
    kind              text NOT NULL CHECK (kind IN ('DIVIDEND', 'FUNDING', 'REVERSAL',
                                                    'FUNDING_RETURN')),
    amount_fen        bigint NOT NULL CHECK (amount_fen <> 0),
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_entry_party ON account_entry (party_id, id);

CREATE TABLE account_balance (
    party_id          uuid NOT NULL REFERENCES party (id),
    held_by_party_id  uuid NOT NULL REFERENCES party (id),
    balance_fen       bigint NOT NULL DEFAULT 0 CHECK (balance_fen >= 0),
    PRIMARY KEY (party_id, held_by_party_id)
);

CREATE TRIGGER account_entry_append_only BEFORE UPDATE OR DELETE ON account_entry
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- A posted run is immutable; lines change only while the run is a draft.
CREATE FUNCTION guard_distribution_run() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'distribution runs are never deleted' USING ERRCODE = 'check_violation';
    END IF;
    IF OLD.status = 'POSTED' THEN
        RAISE EXCEPTION 'distribution run % is posted and immutable', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF OLD.status = 'REVIEWED' AND (NEW.declared_fen, NEW.fixed_rate, NEW.register_id)
            IS DISTINCT FROM (OLD.declared_fen, OLD.fixed_rate, OLD.register_id) THEN
        RAISE EXCEPTION 'distribution run % is reviewed: its amounts are frozen', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER distribution_run_guard BEFORE UPDATE OR DELETE ON distribution_run
    FOR EACH ROW EXECUTE FUNCTION guard_distribution_run();

-- Lines change only while their run is a DRAFT. Checked once per statement (a run over
-- 100,000 holders writes its lines with one COPY).
CREATE FUNCTION guard_distribution_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT r.status INTO bad FROM distribution_run r
         WHERE r.id IN (SELECT run_id FROM old_rows) AND r.status <> 'DRAFT' LIMIT 1;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT r.status INTO bad FROM distribution_run r
         WHERE (r.id IN (SELECT run_id FROM old_rows) OR r.id IN (SELECT run_id FROM new_rows))
           AND r.status <> 'DRAFT' LIMIT 1;
    ELSE
        SELECT r.status INTO bad FROM distribution_run r
         WHERE r.id IN (SELECT run_id FROM new_rows) AND r.status <> 'DRAFT' LIMIT 1;
    END IF;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'lines of a % distribution run cannot change', bad
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER distribution_line_guard_insert AFTER INSERT ON distribution_line
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION guard_distribution_lines();
CREATE TRIGGER distribution_line_guard_update AFTER UPDATE ON distribution_line
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION guard_distribution_lines();
CREATE TRIGGER distribution_line_guard_delete AFTER DELETE ON distribution_line
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION guard_distribution_lines();

-- Account balances == sum(entries).
CREATE VIEW account_mismatch AS
SELECT coalesce(b.party_id, e.party_id) AS party_id,
       coalesce(b.held_by_party_id, e.held_by_party_id) AS held_by_party_id,
       coalesce(b.balance_fen, 0) AS balance_fen, coalesce(e.total, 0) AS entries_fen
FROM account_balance b
FULL OUTER JOIN (SELECT party_id, held_by_party_id, sum(amount_fen) AS total
                 FROM account_entry GROUP BY 1, 2) e USING (party_id, held_by_party_id)
WHERE coalesce(b.balance_fen, 0) <> coalesce(e.total, 0);
