-- Migration 0004: tenant isolation and privileges. The API role helpdesk_api is created
-- outside the specs; it sets app.org_id per transaction.

ALTER TABLE helpdesk.agents ENABLE ROW LEVEL SECURITY;
ALTER TABLE helpdesk.agents FORCE ROW LEVEL SECURITY;
CREATE POLICY agents_by_org ON helpdesk.agents
    FOR ALL TO helpdesk_api
    USING (org_id = current_setting('app.org_id')::bigint);

ALTER TABLE helpdesk.customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE helpdesk.customers FORCE ROW LEVEL SECURITY;
CREATE POLICY customers_by_org ON helpdesk.customers
    USING (org_id = current_setting('app.org_id')::bigint)
    WITH CHECK (org_id = current_setting('app.org_id')::bigint);

ALTER TABLE helpdesk.tickets ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tickets_by_org ON helpdesk.tickets
    AS PERMISSIVE FOR ALL
    USING (org_id = current_setting('app.org_id')::bigint);

ALTER TABLE helpdesk.ticket_comments ENABLE ROW LEVEL SECURITY;
ALTER TABLE helpdesk.ticket_comments FORCE ROW LEVEL SECURITY;
CREATE POLICY ticket_comments_read ON helpdesk.ticket_comments FOR SELECT
    USING (org_id = current_setting('app.org_id')::bigint);
CREATE POLICY ticket_comments_write ON helpdesk.ticket_comments FOR INSERT
    WITH CHECK (org_id = current_setting('app.org_id')::bigint);

ALTER TABLE helpdesk.sla_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE helpdesk.sla_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY sla_policies_by_org ON helpdesk.sla_policies
    USING (org_id = current_setting('app.org_id')::bigint);

ALTER TABLE helpdesk.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE helpdesk.audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_by_org ON helpdesk.audit_log
    USING (org_id = current_setting('app.org_id')::bigint);

COMMENT ON POLICY tickets_by_org ON helpdesk.tickets IS 'one org per transaction';

GRANT USAGE ON SCHEMA helpdesk TO helpdesk_api;
GRANT SELECT ON helpdesk.organizations TO helpdesk_api;
GRANT SELECT, INSERT, UPDATE ON helpdesk.agents, helpdesk.customers, helpdesk.tickets TO helpdesk_api;
GRANT SELECT, INSERT ON helpdesk.ticket_comments, helpdesk.audit_log TO helpdesk_api;
GRANT SELECT ON helpdesk.sla_policies, helpdesk.v_ticket_summary, helpdesk.mv_org_ticket_stats TO helpdesk_api;
GRANT USAGE ON SEQUENCE helpdesk.customers_id_seq, helpdesk.agents_id_seq TO helpdesk_api;
REVOKE ALL ON helpdesk.audit_log FROM PUBLIC;
