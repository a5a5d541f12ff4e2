-- Purchased services 购买服务: billable work records, monthly statements, adjustments.
CREATE TABLE statement (
    id            uuid PRIMARY KEY,
    partner_code  text NOT NULL REFERENCES partner (code),
    period        date NOT NULL CHECK (extract(day FROM period) = 1),  -- first day of the month
    status        text NOT NULL CHECK (status IN ('DRAFT', 'ISSUED')),
    work_total    numeric(14, 2) NOT NULL DEFAULT 0,
    adjustment_total numeric(14, 2) NOT NULL DEFAULT 0,
    total         numeric(14, 2) NOT NULL DEFAULT 0,
    record_count  integer NOT NULL DEFAULT 0,
    issued_at     timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partner_code, period),
    CHECK (total = work_total + adjustment_total),
    CHECK ((status = 'ISSUED') = (issued_at IS NOT NULL))
);

CREATE TABLE work_record (
    id             uuid PRIMARY KEY,
    ticket_id      uuid NOT NULL UNIQUE REFERENCES ticket (id),  -- a task is billed once
    coordinator_id uuid NOT NULL REFERENCES coordinator (id),
    partner_code   text NOT NULL REFERENCES partner (code),
    agreement_id   uuid REFERENCES agreement (id),  -- NULL: no agreement priced it (rate 0)
    category       text NOT NULL,
    rate           numeric(12, 2) NOT NULL,
    amount         numeric(14, 2) NOT NULL CHECK (amount >= 0),
    completed_at   timestamptz NOT NULL,
    statement_id   uuid REFERENCES statement (id),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX work_record_unbilled ON work_record (partner_code, completed_at)
    WHERE statement_id IS NULL;

-- A correction found after a statement was issued: carried on the partner's next statement.
CREATE TABLE adjustment (
    id             uuid PRIMARY KEY,
    partner_code   text NOT NULL REFERENCES partner (code),
    amount         numeric(14, 2) NOT NULL CHECK (amount <> 0),
    reason         text NOT NULL,
    work_record_id uuid REFERENCES work_record (id),
    statement_id   uuid REFERENCES statement (id),
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- The database itself refuses to change an issued statement or anything billed on it, so no
-- code path (or hand-written SQL) can alter an amount a partner was already sent.
CREATE FUNCTION refuse_issued_statement_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'ISSUED' THEN
        RAISE EXCEPTION 'statement % is issued and cannot change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER statement_issued_is_final BEFORE UPDATE OR DELETE ON statement
    FOR EACH ROW EXECUTE FUNCTION refuse_issued_statement_change();

CREATE FUNCTION refuse_change_on_issued_statement() RETURNS trigger AS $$
DECLARE
    sid uuid;
BEGIN
    FOREACH sid IN ARRAY ARRAY[OLD.statement_id,
                               CASE WHEN TG_OP = 'UPDATE' THEN NEW.statement_id END] LOOP
        IF sid IS NOT NULL AND EXISTS (SELECT 1 FROM statement WHERE id = sid
                                                                AND status = 'ISSUED') THEN
            RAISE EXCEPTION '% % is billed on issued statement % and cannot change',
                TG_TABLE_NAME, OLD.id, sid USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END LOOP;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER work_record_billed_is_final BEFORE UPDATE OR DELETE ON work_record
    FOR EACH ROW EXECUTE FUNCTION refuse_change_on_issued_statement();
CREATE TRIGGER adjustment_billed_is_final BEFORE UPDATE OR DELETE ON adjustment
    FOR EACH ROW EXECUTE FUNCTION refuse_change_on_issued_statement();

-- 联席会议: company–township–village joint meetings and their action items.
CREATE TABLE meeting (
    id            uuid PRIMARY KEY,
    region_code   text NOT NULL,          -- the township (or village) that convened it
    title         text NOT NULL,
    held_on       date NOT NULL,
    partner_codes text[] NOT NULL DEFAULT '{}',
    minutes       text,
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meeting_region ON meeting (region_code text_pattern_ops, held_on);

CREATE TABLE action_item (
    id          uuid PRIMARY KEY,
    meeting_id  uuid NOT NULL REFERENCES meeting (id),
    description text NOT NULL,
    owner       text NOT NULL,
    due_on      date,
    ticket_id   uuid REFERENCES ticket (id),
    status      text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'DONE')),
    done_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX action_item_meeting ON action_item (meeting_id);
CREATE INDEX action_item_ticket ON action_item (ticket_id);
