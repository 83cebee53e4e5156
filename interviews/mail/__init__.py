"""Outgoing email: composed from templates, stored, delivered by a backend."""
