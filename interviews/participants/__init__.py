"""Participants: the people interviewed, one record per email address per workspace."""
