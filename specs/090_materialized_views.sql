-- Read models behind the API. Each has a UNIQUE index so that the refresh job can run
-- REFRESH MATERIALIZED VIEW CONCURRENTLY without blocking readers.
--
-- Refresh them as the owner (a role with BYPASSRLS, or a superuser): the base tables
-- FORCE row-level security, and a refresh must see every tenant. Materialized views
-- cannot carry row-level security themselves; the API filters them by tenant_id.

-- total_revenue is in currency units (cents / 100.0, numeric). data_freshness_seconds
-- is how old the newest ledger change was when the view was refreshed.
CREATE MATERIALIZED VIEW mv_realtime_revenue AS
SELECT
    rl.tenant_id,
    sum(rl.revenue_cents) / 100.0 AS total_revenue,
    bool_and(rl.allocation_id IS NOT NULL) AS verified,
    EXTRACT(EPOCH FROM now() - max(rl.updated_at))::integer AS data_freshness_seconds,
    count(*) AS ledger_entries,
    max(rl.posted_at) AS last_posted_at,
    now() AS refreshed_at
FROM revenue_ledger AS rl
GROUP BY rl.tenant_id;

CREATE UNIQUE INDEX uq_mv_realtime_revenue_tenant
    ON mv_realtime_revenue (tenant_id);

COMMENT ON MATERIALIZED VIEW mv_realtime_revenue IS 'Serves GET /api/attribution/revenue/realtime; verified means every ledger row of the tenant is attributed.';

-- Serves GET /api/reconciliation/status: the latest run of each tenant (tenants with no
-- run yet have no row; the API answers 404). state and last_run_at are the run's own columns.
CREATE MATERIALIZED VIEW mv_reconciliation_status AS
SELECT DISTINCT ON (rr.tenant_id)
    rr.tenant_id,
    rr.id AS run_id,
    rr.state,
    rr.last_run_at,
    rr.period_start,
    rr.period_end
FROM reconciliation_runs AS rr
ORDER BY rr.tenant_id, rr.created_at DESC, rr.id DESC;

CREATE UNIQUE INDEX uq_mv_reconciliation_status_tenant
    ON mv_reconciliation_status (tenant_id);

-- Credit per channel for each tenant and model version, for the allocation report.
CREATE MATERIALIZED VIEW mv_allocation_summary AS
SELECT
    a.tenant_id,
    a.model_version,
    a.channel,
    ct.channel_group,
    count(*) AS allocated_events,
    sum(a.allocation_ratio) AS credited_conversions
FROM attribution_allocations AS a
LEFT JOIN channel_taxonomy AS ct ON ct.channel = a.channel
GROUP BY a.tenant_id, a.model_version, a.channel, ct.channel_group;

CREATE UNIQUE INDEX uq_mv_allocation_summary_key
    ON mv_allocation_summary (tenant_id, model_version, channel);
