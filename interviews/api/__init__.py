"""The JSON API under /api/v1: bearer tokens, the error shape, the OpenAPI document."""

# The reward and budget endpoints live in their own module on the team blueprint of
# api/views.py; importing it here registers them wherever the API is imported, without
# views.py importing a module that imports it back.
from interviews.api import rewards as rewards
