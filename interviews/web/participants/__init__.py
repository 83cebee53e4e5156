"""Pages for the panel of participants, imports, invites, and exporting or erasing a person."""
