-- Migration 0003: what the API reads.

CREATE VIEW helpdesk.v_ticket_summary AS
SELECT t.id,
       t.org_id,
       t.subject,
       t.status,
       t.priority,
       c.full_name AS customer_name,
       a.display_name AS assignee_name,
       t.created_at
  FROM helpdesk.tickets t
  JOIN helpdesk.customers c ON c.org_id = t.org_id AND c.id = t.customer_id
  LEFT JOIN helpdesk.agents a ON a.org_id = t.org_id AND a.id = t.assignee_id;

COMMENT ON VIEW helpdesk.v_ticket_summary IS 'list rows of GET /v2/tickets';

CREATE MATERIALIZED VIEW helpdesk.mv_org_ticket_stats AS
SELECT t.org_id,
       count(*) FILTER (WHERE t.closed_at IS NULL) AS open_tickets,
       count(*) FILTER (WHERE t.status = 'solved') AS solved_tickets,
       max(t.updated_at) AS last_activity_at
  FROM helpdesk.tickets t
 GROUP BY t.org_id
  WITH NO DATA;

CREATE UNIQUE INDEX uq_mv_org_ticket_stats_org ON helpdesk.mv_org_ticket_stats USING btree (org_id);
