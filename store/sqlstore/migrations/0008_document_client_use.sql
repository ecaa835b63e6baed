-- 0008: the sweep of idle clients known by a metadata document
-- (DeleteIdleDocumentClients) finds those last used before a time by this
-- index, not by reading every client; never-used ones it finds by
-- clients_stale.
CREATE INDEX clients_document_last_used ON clients(last_used_at) WHERE metadata_url <> '';
