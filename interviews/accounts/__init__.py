"""Workspaces, people, roles, invites, password resets and API tokens."""
