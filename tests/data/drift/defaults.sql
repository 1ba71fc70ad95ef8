CREATE TYPE status_enum AS ENUM ('active', 'off');
CREATE SEQUENCE my_seq;
CREATE TABLE d (
  a varchar(10) DEFAULT 'x',
  b bigint DEFAULT nextval('my_seq'),
  c timestamptz DEFAULT now() + interval '1 day',
  e text[] DEFAULT ARRAY[]::text[],
  f boolean DEFAULT false,
  g int DEFAULT -1,
  h numeric DEFAULT 1.50,
  i text DEFAULT current_user,
  j jsonb DEFAULT '{}'::jsonb,
  k status_enum DEFAULT 'active',
  l timestamp DEFAULT LOCALTIMESTAMP,
  m timestamptz DEFAULT date_trunc('day', now()),
  n int DEFAULT (2 + 3) * 4,
  o char(2) DEFAULT 'ab',
  p double precision DEFAULT 1e3,
  q interval DEFAULT '1 hour',
  r date DEFAULT CURRENT_DATE + 7,
  s text DEFAULT 'it''s',
  t smallint DEFAULT 0,
  u numeric(5,2) DEFAULT 0,
  v bigint DEFAULT 3000000000,
  w text DEFAULT upper('x' || 'y'),
  x int[] DEFAULT '{1,2}',
  y uuid DEFAULT gen_random_uuid()
);
