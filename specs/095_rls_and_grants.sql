-- Row-level security and privileges of the application role.
--
-- `app_user` is created outside the specs (roles are cluster-wide). The API sets the
-- tenant per transaction: SELECT set_config('app.current_tenant_id', $1, true).
-- current_setting() without missing_ok raises when the setting is absent, and the uuid
-- cast raises when it is empty, so a connection that forgot to set a tenant reads
-- nothing instead of everything.
-- FORCE applies the policies to the tables' owner too.

ALTER TABLE attribution_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE attribution_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation_policy ON attribution_events
    USING (tenant_id = current_setting('app.current_tenant_id')::uuid)
    WITH CHECK (tenant_id = current_setting('app.current_tenant_id')::uuid);

ALTER TABLE dead_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE dead_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation_policy ON dead_events
    USING (tenant_id = current_setting('app.current_tenant_id')::uuid)
    WITH CHECK (tenant_id = current_setting('app.current_tenant_id')::uuid);

ALTER TABLE attribution_allocations ENABLE ROW LEVEL SECURITY;
ALTER TABLE attribution_allocations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation_policy ON attribution_allocations
    USING (tenant_id = current_setting('app.current_tenant_id')::uuid)
    WITH CHECK (tenant_id = current_setting('app.current_tenant_id')::uuid);

ALTER TABLE revenue_ledger ENABLE ROW LEVEL SECURITY;
ALTER TABLE revenue_ledger FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation_policy ON revenue_ledger
    USING (tenant_id = current_setting('app.current_tenant_id')::uuid)
    WITH CHECK (tenant_id = current_setting('app.current_tenant_id')::uuid);

ALTER TABLE reconciliation_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE reconciliation_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation_policy ON reconciliation_runs
    USING (tenant_id = current_setting('app.current_tenant_id')::uuid)
    WITH CHECK (tenant_id = current_setting('app.current_tenant_id')::uuid);

-- tenants and channel_taxonomy hold no tenant data beyond names; the API reads them to
-- resolve a request's tenant before app.current_tenant_id is set.
GRANT SELECT ON tenants, channel_taxonomy TO app_user;

GRANT SELECT, INSERT, UPDATE ON attribution_events, dead_events, attribution_allocations,
    reconciliation_runs TO app_user;

-- The ledger is append-only for the application: a posting is never updated or deleted
-- (the mapping lists it under immutable:, and pgparity --probe tries it).
GRANT SELECT, INSERT ON revenue_ledger TO app_user;

-- The attribution worker replaces a model version's allocations on rollback.
GRANT DELETE ON attribution_allocations TO app_user;

GRANT SELECT ON mv_realtime_revenue, mv_reconciliation_status, mv_allocation_summary TO app_user;
