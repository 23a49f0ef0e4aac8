"""Settings for `make run` and development: the embedded SQLite database, console e-mail."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=False)
# A fixed development key is acceptable here: local settings never serve the public.
SECRET_KEY = env("SECRET_KEY", default="villes2-local-development-key-not-for-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
