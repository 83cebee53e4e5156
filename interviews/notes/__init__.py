"""Interview templates, live notes, takeaways and tags."""
