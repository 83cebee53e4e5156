"""Pages for creating, editing and publishing studies."""
