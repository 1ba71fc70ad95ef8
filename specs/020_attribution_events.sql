-- Conversion and touchpoint events as ingested from the tenants' trackers.

CREATE TABLE attribution_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL CONSTRAINT fk_attribution_events_tenant REFERENCES tenants (id),
    external_event_id text NOT NULL,
    event_type text NOT NULL,
    channel varchar(64),
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    payload jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- Ingestion is at-least-once: the tracker's id makes a redelivery a no-op.
    CONSTRAINT uq_attribution_events_external_id UNIQUE (tenant_id, external_event_id),
    -- Target of the composite foreign key from attribution_allocations, which keeps an
    -- allocation from ever pointing at another tenant's event.
    CONSTRAINT uq_attribution_events_tenant_id_id UNIQUE (tenant_id, id),
    CONSTRAINT ck_attribution_events_event_type CHECK (event_type IN ('touchpoint', 'conversion'))
);

CREATE INDEX idx_attribution_events_tenant_occurred_at
    ON attribution_events (tenant_id, occurred_at DESC);

COMMENT ON TABLE attribution_events IS 'Touchpoints and conversions of each tenant, one row per tracker event.';
COMMENT ON COLUMN attribution_events.occurred_at IS 'When the event happened on the client, as reported by the tracker.';
