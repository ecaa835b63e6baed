-- 0008: the sweep of idle clients known by a metadata document
-- (PostgreSQL; the same change as migrations/0008_document_client_use.sql).
CREATE INDEX clients_document_last_used ON clients(last_used_at) WHERE metadata_url <> '';
