"""MongoDB: the embedded default server, the async client and the index registry."""
