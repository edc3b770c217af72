"""The versioned REST API (OpenAPI schema, token auth, cursor pagination)."""
