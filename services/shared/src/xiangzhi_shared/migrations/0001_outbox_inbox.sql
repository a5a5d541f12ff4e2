-- The shared tables every service has: its outbox (events waiting for the relay) and its
-- inbox (events already applied by its consumers, for idempotence).
CREATE TABLE outbox (
    id            bigserial PRIMARY KEY,
    event_id      uuid        NOT NULL UNIQUE,
    topic         text        NOT NULL,
    key           text        NOT NULL,
    ce_type       text        NOT NULL,
    ce_source     text        NOT NULL,
    ce_time       timestamptz NOT NULL,
    proto         text        NOT NULL,  -- full name of the Protobuf message
    payload       bytea       NOT NULL,
    traceparent   text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz,
    attempts      integer     NOT NULL DEFAULT 0,
    last_error    text
);
-- The relay only ever looks at unpublished rows, in id order.
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE inbox (
    consumer     text        NOT NULL,
    event_id     text        NOT NULL,
    topic        text        NOT NULL,
    status       text        NOT NULL DEFAULT 'applied',  -- applied | dead_lettered
    error        text,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
