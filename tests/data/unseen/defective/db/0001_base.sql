--
-- PostgreSQL database dump of the "deskline" helpdesk (schema helpdesk), hand-trimmed.
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;

CREATE SCHEMA helpdesk;

ALTER SCHEMA helpdesk OWNER TO postgres;

CREATE TYPE helpdesk.ticket_status AS ENUM (
    'new',
    'open',
    'pending',
    'solved',
    'closed'
);

CREATE TYPE helpdesk.agent_role AS ENUM (
    'agent',
    'admin'
);

CREATE DOMAIN helpdesk.email_address AS character varying(254)
    CONSTRAINT email_address_check CHECK (((VALUE)::text ~ '^[^@]+@[^@]+$'::text));

COMMENT ON DOMAIN helpdesk.email_address IS 'an address with exactly one @';

SET default_tablespace = '';

CREATE TABLE helpdesk.organizations (
    id bigint NOT NULL,
    slug character varying(63) NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE helpdesk.organizations ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME helpdesk.organizations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE helpdesk.agents (
    id integer NOT NULL,
    org_id bigint NOT NULL,
    email helpdesk.email_address NOT NULL,
    display_name character varying(80) NOT NULL,
    role helpdesk.agent_role DEFAULT 'agent'::helpdesk.agent_role NOT NULL,
    active boolean DEFAULT true NOT NULL
);

CREATE SEQUENCE helpdesk.agents_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE helpdesk.agents_id_seq OWNED BY helpdesk.agents.id;

ALTER TABLE ONLY helpdesk.agents ALTER COLUMN id SET DEFAULT nextval('helpdesk.agents_id_seq'::regclass);

CREATE TABLE helpdesk.customers (
    id bigint NOT NULL,
    org_id bigint NOT NULL,
    email helpdesk.email_address NOT NULL,
    full_name character varying(120) NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE SEQUENCE helpdesk.customers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE helpdesk.customers_id_seq OWNED BY helpdesk.customers.id;

ALTER TABLE ONLY helpdesk.customers ALTER COLUMN id SET DEFAULT nextval('helpdesk.customers_id_seq'::regclass);

ALTER TABLE ONLY helpdesk.organizations
    ADD CONSTRAINT organizations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY helpdesk.organizations
    ADD CONSTRAINT organizations_slug_key UNIQUE (slug);

ALTER TABLE ONLY helpdesk.agents
    ADD CONSTRAINT agents_pkey PRIMARY KEY (id);

ALTER TABLE ONLY helpdesk.agents
    ADD CONSTRAINT agents_org_id_email_key UNIQUE (org_id, email);

ALTER TABLE ONLY helpdesk.agents
    ADD CONSTRAINT agents_org_id_id_key UNIQUE (org_id, id);

ALTER TABLE ONLY helpdesk.customers
    ADD CONSTRAINT customers_pkey PRIMARY KEY (id);

ALTER TABLE ONLY helpdesk.customers
    ADD CONSTRAINT customers_org_id_email_key UNIQUE (org_id, email);

ALTER TABLE ONLY helpdesk.customers
    ADD CONSTRAINT customers_org_id_id_key UNIQUE (org_id, id);

CREATE INDEX customers_org_name_idx ON helpdesk.customers USING btree (org_id, lower((full_name)::text));

ALTER TABLE ONLY helpdesk.agents
    ADD CONSTRAINT agents_org_id_fkey FOREIGN KEY (org_id) REFERENCES helpdesk.organizations(id) ON DELETE CASCADE;

ALTER TABLE ONLY helpdesk.customers
    ADD CONSTRAINT customers_org_id_fkey FOREIGN KEY (org_id) REFERENCES helpdesk.organizations(id) ON DELETE CASCADE;

COMMENT ON TABLE helpdesk.organizations IS 'one row per customer company of deskline; global, not tenant data';
COMMENT ON COLUMN helpdesk.customers.full_name IS 'as the customer typed it';
