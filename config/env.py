"""The one place where the environment is read.

Every variable is documented in `.env.example`. Settings modules import `env` from here;
no other module reads `os.environ`.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A `.env` file beside manage.py is read when present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
