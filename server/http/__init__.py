"""HTTP layer shared by every API: routes, the base handler, OpenAPI and health endpoints."""
