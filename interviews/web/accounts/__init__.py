"""Pages for signing in, the workspace, its members, invites, password resets and API tokens."""
