"""Pages for booking, the agenda, host availability and their calendars."""

# The calendars' routes live in their own module on the availability blueprint of
# hours_views.py; importing it here registers them wherever the pages are imported.
from interviews.web.scheduling import calendar_views as calendar_views
