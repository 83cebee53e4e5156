"""The research-operations dashboard."""
