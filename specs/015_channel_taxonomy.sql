-- Marketing channels known to the attribution models. Global reference data shared by
-- all tenants, so it has no tenant_id and no row-level security.

CREATE TABLE channel_taxonomy (
    channel varchar(64) PRIMARY KEY,
    display_name text NOT NULL,
    channel_group text NOT NULL,
    is_paid boolean NOT NULL DEFAULT false,
    CONSTRAINT ck_channel_taxonomy_channel_format CHECK (channel ~ '^[a-z][a-z0-9_]*$')
);

COMMENT ON TABLE channel_taxonomy IS 'Global channel catalogue (paid_search, email, ...); not tenant-scoped.';
