-- 0016: renewal leases. Before a process asks a vendor for a new access
-- token (spending a refresh token the vendor may rotate and refuse ever
-- after), it claims the connection's lease here in a short transaction;
-- the vendor call is made outside any transaction, and other processes
-- wait for the stored credential to change instead of calling the vendor
-- too. A lease holds for the connection's row at one version: the save
-- of the renewed credential writes the row (its version goes up), which
-- ends the lease in the same commit. A lease past lease_until (its
-- process died) may be taken over. One row per connection at most,
-- overwritten by the next claim.
CREATE TABLE connection_renewals (
	connection_id TEXT PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
	owner         TEXT NOT NULL,
	version       INTEGER NOT NULL,
	lease_until   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
