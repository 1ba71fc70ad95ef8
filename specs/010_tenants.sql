-- B0.3 attribution ledger: tenants.
--
-- The specs are applied in file-name order to an empty PostgreSQL 15+ database.
-- They create no roles: roles are cluster-wide, so the application role `app_user`
-- must exist before 095_rls_and_grants.sql runs (CREATE ROLE app_user LOGIN ...).
-- No extension is needed: gen_random_uuid() is built in since PostgreSQL 13.

CREATE TABLE tenants (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug varchar(63) NOT NULL CONSTRAINT uq_tenants_slug UNIQUE,
    display_name varchar(255) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ck_tenants_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$')
);

COMMENT ON TABLE tenants IS 'One row per customer account; every tenant-scoped row points here through tenant_id.';
COMMENT ON COLUMN tenants.slug IS 'URL-safe tenant key, also the subdomain the API resolves the tenant from.';
