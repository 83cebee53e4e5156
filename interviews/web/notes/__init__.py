"""Pages for interview notes, takeaways, tags and note templates."""

# The downloads, the takeaway library, the tags page and the transcript page live in their
# own modules on the notes blueprint of views.py; importing them here registers them
# wherever the pages are imported, without views.py importing a module that imports it back.
from interviews.web.notes import export_views as export_views
from interviews.web.notes import library_views as library_views
from interviews.web.notes import tag_views as tag_views
from interviews.web.notes import transcript_views as transcript_views
