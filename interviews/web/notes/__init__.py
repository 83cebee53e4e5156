"""Pages for interview notes, takeaways, tags and note templates."""
