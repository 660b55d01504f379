-- The map's L3 layer infers a prefix for an address that has none from the current addresses whose own
-- network contains it (MapRepository.ipFacts). This GiST index over each row's own network makes that a
-- `>>=` lookup of a few rows instead of a scan of every address per address (issue 8 bench: an L3
-- projection went from ~1 s to ~20 ms at 10 000 devices). The expression must stay identical to the
-- repository's `ownPrefix` for the planner to use the index.
CREATE INDEX IF NOT EXISTS ip_addresses_own_network_gist ON ip_addresses USING gist (
    (network(set_masklen(ip, (CASE WHEN prefix_length >= 1 AND prefix_length < (CASE WHEN family(ip) = 4 THEN 32 ELSE 128 END) THEN prefix_length::int
    WHEN masklen(ip) < (CASE WHEN family(ip) = 4 THEN 32 ELSE 128 END) THEN masklen(ip) END)))) inet_ops
) WHERE stale_since IS NULL
    AND (CASE WHEN prefix_length >= 1 AND prefix_length < (CASE WHEN family(ip) = 4 THEN 32 ELSE 128 END) THEN prefix_length::int
    WHEN masklen(ip) < (CASE WHEN family(ip) = 4 THEN 32 ELSE 128 END) THEN masklen(ip) END) IS NOT NULL;
