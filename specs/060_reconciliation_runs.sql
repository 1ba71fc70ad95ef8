-- Reconciliation of the revenue ledger against the tenants' billing exports, one row
-- per scheduled run. A run is created idle, the worker moves it to running, and it ends
-- completed or failed (a failed run may be retried: running again).

CREATE TABLE reconciliation_runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    period_start date NOT NULL,
    period_end date NOT NULL,
    state text NOT NULL DEFAULT 'idle'
        CONSTRAINT ck_reconciliation_runs_state
        CHECK (state IN ('idle', 'running', 'failed', 'completed')),
    attempts integer NOT NULL DEFAULT 0,
    -- When the worker last picked the run up; NULL while the run has never started.
    last_run_at timestamptz,
    error_message text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ck_reconciliation_runs_period CHECK (period_end >= period_start),
    CONSTRAINT ck_reconciliation_runs_started CHECK (state = 'idle' OR last_run_at IS NOT NULL)
);

CREATE INDEX idx_reconciliation_runs_tenant_created_at
    ON reconciliation_runs (tenant_id, created_at DESC);

-- At most one running reconciliation per tenant: the worker claims a run by moving it
-- to running, and a second claim fails on this index.
CREATE UNIQUE INDEX uq_reconciliation_runs_one_running
    ON reconciliation_runs (tenant_id)
    WHERE state = 'running';

COMMENT ON COLUMN reconciliation_runs.state IS 'idle, running, failed or completed; served as ReconciliationStatusResponse.state.';
