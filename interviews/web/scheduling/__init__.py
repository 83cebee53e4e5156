"""Pages for booking, the agenda, host availability and busy calendars."""
