"""Studies: what an interview is about, who hosts it, and the rules for booking it."""
