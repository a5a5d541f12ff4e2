-- Consortium projects "x+N" 联合体 and enclave pooling 飞地抱团: parties, versioned proportions.
CREATE TABLE project (
    id                 uuid PRIMARY KEY,
    register_id        uuid NOT NULL UNIQUE REFERENCES share_register (id),
    name               text NOT NULL,
    host_region_code   text NOT NULL,
    total_capital_fen  bigint NOT NULL CHECK (total_capital_fen > 0),
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);

-- Every adjustment of the proportions is a new version with its decision record.
CREATE TABLE proportion_version (
    project_id    uuid NOT NULL REFERENCES project (id),
    version       integer NOT NULL CHECK (version > 0),
    decision_ref  text NOT NULL,
    recorded_by   text NOT NULL,
    decided_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, version)
);

CREATE TABLE project_stake (
    project_id      uuid NOT NULL,
    version         integer NOT NULL,
    party_id        uuid NOT NULL REFERENCES party (id),
    numerator       bigint NOT NULL CHECK (numerator > 0),
    denominator     bigint NOT NULL CHECK (denominator > 0 AND numerator <= denominator),
    subscribed_fen  bigint NOT NULL CHECK (subscribed_fen >= 0),
    PRIMARY KEY (project_id, version, party_id),
    FOREIGN KEY (project_id, version) REFERENCES proportion_version (project_id, version)
);

CREATE TRIGGER proportion_version_append_only BEFORE UPDATE OR DELETE ON proportion_version
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER project_stake_append_only BEFORE UPDATE OR DELETE ON project_stake
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
