"""Use cases that span areas, one transaction each."""
