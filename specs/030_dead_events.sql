-- Events the ingestion worker could not store, kept for the operators to replay.

CREATE TABLE dead_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    -- NULL when the payload was too broken to read the tracker's id from it.
    external_event_id text,
    raw_payload jsonb NOT NULL,
    failure_reason text NOT NULL,
    retry_count integer NOT NULL DEFAULT 0 CONSTRAINT ck_dead_events_retry_count CHECK (retry_count >= 0),
    failed_at timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz
);

CREATE INDEX idx_dead_events_tenant_failed_at
    ON dead_events (tenant_id, failed_at DESC);

COMMENT ON TABLE dead_events IS 'Dead-letter queue of ingestion; operators triage it per tenant, newest first.';
