-- The items of the example domain. The checks mirror the domain's cheapest
-- rules (src/app/items/item.ts); the domain validates first, so a violation
-- here is a bug and surfaces as INTERNAL.
CREATE TABLE items (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  tags text[] NOT NULL DEFAULT '{}',
  version bigint NOT NULL DEFAULT 1,
  create_time timestamptz NOT NULL,
  update_time timestamptz NOT NULL,
  CONSTRAINT items_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
  CONSTRAINT items_description_length CHECK (char_length(description) <= 2000),
  CONSTRAINT items_tags_count CHECK (cardinality(tags) <= 20),
  CONSTRAINT items_version_positive CHECK (version >= 1)
);

-- Keyset pagination: WHERE (create_time, id) > ($1, $2) ORDER BY create_time, id.
CREATE INDEX items_create_time_id_idx ON items (create_time, id);
