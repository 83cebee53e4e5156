"""gunicorn's settings for the web app: `gunicorn -c python:interviews.gunicorn_settings
'interviews:create_app()'` (the README's production command; command-line flags win).

Python's collector of reference cycles walks every object the process has, and a big
page (a year's report makes 8,100 interview facts and 16,000 timestamps) makes enough
objects to start a full walk: 140 ms added to a 90 ms request, at random, in every
worker. Once a worker has built the app, what it built is set aside from those walks
(``gc.freeze``: it lives as long as the worker) and the first generation is collected
after 50,000 new objects instead of 700, so a request rarely pays for one. Cycles are
still collected; a worker's memory grows by what 50,000 objects take, at most.
"""

from __future__ import annotations

import gc

# The first generation's threshold; the older two keep Python's defaults.
YOUNG_OBJECTS = 50_000


def post_worker_init(worker) -> None:
    """gunicorn's hook, in each worker once the app is built."""
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, older, oldest)
