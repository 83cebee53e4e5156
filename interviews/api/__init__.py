"""The JSON API under /api/v1: bearer tokens, the error shape, the OpenAPI document."""
