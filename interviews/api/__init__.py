"""The JSON API under /api/v1: bearer tokens, the error shape, the OpenAPI document."""

# The notes, panel, reward, map and report endpoints live in their own modules on the
# team blueprint of api/views.py; importing them here registers them wherever the API is
# imported, without views.py importing a module that imports it back.
from interviews.api import calendars as calendars
from interviews.api import maps as maps
from interviews.api import notes as notes
from interviews.api import participants as participants
from interviews.api import reports as reports
from interviews.api import rewards as rewards
from interviews.api import transcripts as transcripts
