-- The SIM views read the network state from sim_network_state (owned by ingest): ingest no longer writes the wide sims row per status change.
ALTER TABLE "sims" DROP COLUMN "network_state";