-- Revenue posted per tenant, in cents of the tenant's reporting currency, and linked
-- to the allocation that earned it once attribution has run.

CREATE TABLE revenue_ledger (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL,
    -- NULL for revenue posted without an allocation; set back to NULL (by the foreign
    -- key, not by the application) when a model rollback deletes the allocation, so the
    -- ledger itself is never lost.
    allocation_id uuid CONSTRAINT fk_revenue_ledger_allocation
        REFERENCES attribution_allocations (id) ON DELETE SET NULL,
    -- Zero-value postings carry nothing to attribute; refunds are posted elsewhere.
    revenue_cents integer NOT NULL CONSTRAINT ck_revenue_ledger_revenue_positive CHECK (revenue_cents > 0),
    posted_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fk_revenue_ledger_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
);

-- One ledger row per attributed allocation; unattributed rows (NULL) are unlimited.
CREATE UNIQUE INDEX uq_revenue_ledger_tenant_allocation
    ON revenue_ledger (tenant_id, allocation_id)
    WHERE allocation_id IS NOT NULL;

CREATE INDEX idx_revenue_ledger_tenant_updated_at
    ON revenue_ledger (tenant_id, updated_at DESC);

-- ON DELETE SET NULL from attribution_allocations looks rows up by allocation_id.
CREATE INDEX idx_revenue_ledger_allocation_id
    ON revenue_ledger (allocation_id);

COMMENT ON TABLE revenue_ledger IS 'Append-mostly revenue ledger; mv_realtime_revenue aggregates it per tenant.';
COMMENT ON COLUMN revenue_ledger.revenue_cents IS 'Amount in cents of the tenant reporting currency; always positive.';

CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER trg_revenue_ledger_set_updated_at
    BEFORE UPDATE ON revenue_ledger
    FOR EACH ROW
    EXECUTE FUNCTION set_updated_at();
