// The schedule explorer: see tools/verify/src/explorer.rs for the graph it reads.
