"""Pages for impact maps, roadmaps, shared reports and outreach from a map."""
