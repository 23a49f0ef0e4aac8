"""What the two-step import pages of the back office share (directory, catalogue):
an upload handler that stops reading past the size limit, and the files checked in step
one and kept until the user confirms them in step two."""

import hashlib
from collections.abc import Callable
from pathlib import Path

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils import formats
from django.utils.translation import gettext as _


def size_label(size: int) -> str:
    return _("%(number)s MB") % {"number": formats.number_format(size / 1024 / 1024, 1)}


class UploadLimitHandler(FileUploadHandler):
    """Stops reading an uploaded file past `limit` bytes, instead of spooling a huge
    request body to disk before the form can refuse it."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


class PendingUploads:
    """Files checked and waiting for confirmation: stored under their SHA-256 in
    `directory()` (readable by the server only), named in the user's session, read back
    only if their content still has that hash. Unconfirmed files may hold personal data:
    every store first purges the old ones (`purge`)."""

    def __init__(
        self,
        *,
        directory: Callable[[], Path],
        purge: Callable[[], object],
        session_key: str,
        prefix: str = "",
    ):
        self.directory = directory
        self.purge = purge
        self.session_key = session_key
        self.prefix = prefix

    def path(self, sha256: str) -> Path:
        return self.directory() / f"{self.prefix}{sha256}"

    def store(self, request, *, file_name: str, content: bytes, **details) -> str:
        directory = self.directory()
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.purge()
        sha256 = hashlib.sha256(content).hexdigest()
        partial = directory / f"{self.prefix}{sha256}.part"
        partial.touch(mode=0o600)
        partial.write_bytes(content)
        partial.replace(self.path(sha256))
        pending = request.session.get(self.session_key, {})
        pending[sha256] = {**details, "name": file_name[:255]}
        request.session[self.session_key] = pending
        return sha256

    def details(self, request, sha256: str) -> dict | None:
        return request.session.get(self.session_key, {}).get(sha256)

    def read(self, sha256: str) -> bytes | None:
        try:
            content = self.path(sha256).read_bytes()
        except OSError:
            return None
        return content if hashlib.sha256(content).hexdigest() == sha256 else None

    def forget(self, request, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)
        pending = request.session.get(self.session_key, {})
        pending.pop(sha256, None)
        request.session[self.session_key] = pending
