-- How much of each conversion every channel earns under one attribution model version.

CREATE TABLE attribution_allocations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    event_id uuid NOT NULL,
    channel varchar(64) NOT NULL,
    allocation_ratio numeric(6,5) NOT NULL
        CONSTRAINT ck_attribution_allocations_ratio_range
        CHECK (allocation_ratio >= 0 AND allocation_ratio <= 1),
    model_version text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fk_attribution_allocations_event FOREIGN KEY (tenant_id, event_id)
        REFERENCES attribution_events (tenant_id, id) ON DELETE CASCADE
);

-- The attribution worker upserts with ON CONFLICT on these columns, so a replayed
-- batch never allocates an event twice.
CREATE UNIQUE INDEX uq_attribution_allocations_idempotency
    ON attribution_allocations (tenant_id, event_id, model_version, channel);

CREATE INDEX idx_attribution_allocations_tenant_model_version
    ON attribution_allocations (tenant_id, model_version);

COMMENT ON COLUMN attribution_allocations.allocation_ratio IS 'Share of the conversion credited to the channel, 0..1; the shares of one event under one model version sum to exactly 1.';
COMMENT ON COLUMN attribution_allocations.model_version IS 'Attribution model that produced the row, e.g. linear-v3 or time-decay-v1.';

-- Checked at commit (the trigger is deferred) so that a transaction may insert the
-- shares of an event one row at a time. An event with no allocations left is fine:
-- it is simply not attributed under that model version.
CREATE FUNCTION check_allocation_sum() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    touched attribution_allocations[] := ARRAY[]::attribution_allocations[];
    allocation attribution_allocations;
    ratio_total numeric;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        touched := touched || NEW;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        touched := touched || OLD;
    END IF;

    FOREACH allocation IN ARRAY touched LOOP
        SELECT sum(a.allocation_ratio)
          INTO ratio_total
          FROM attribution_allocations AS a
         WHERE a.tenant_id = allocation.tenant_id
           AND a.event_id = allocation.event_id
           AND a.model_version = allocation.model_version;

        IF ratio_total IS NOT NULL AND ratio_total <> 1 THEN
            RAISE EXCEPTION 'allocations of event % under model % sum to %; they must sum to 1',
                allocation.event_id, allocation.model_version, ratio_total
                USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;

    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER trg_check_allocation_sum
    AFTER INSERT OR UPDATE OR DELETE ON attribution_allocations
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    EXECUTE FUNCTION check_allocation_sum();
