"""Uploads, as the apps share them:

- the PDF check of attached files (catalogue records, experience records): a file is
  accepted only if it is a PDF from its first byte (`%PDF-`), parses with pypdf, is not
  encrypted, has pages, and carries nothing after its end marker but a little padding:
  HTML or SVG renamed .pdf and PDF/HTML polyglots are refused (RELIABILITY.md,
  "uploads"); the uploader's file name cleaned for display; the file written once its
  row is committed; the file served back as a download; the check that files on disk
  and rows agree (`files_check`, run for every `registry.attachment_stores` entry by
  `manage.py check_attachment_files`);
- for the two-step import pages of the back office (directory, catalogue): an upload
  handler that stops reading past the size limit, and the files checked in step one and
  kept until the user confirms them in step two."""

import hashlib
import io
import logging
import os
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, Http404
from django.utils import formats
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
EOF_MARKER = b"%%EOF"
# What may follow the last %%EOF: the end of line, and the padding some writers add.
MAX_TRAILING_BYTES = 1024
# Markup that makes a file readable as HTML, SVG or XML by a browser that sniffs it.
MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|\?xml|a\s|img\s)", re.I)
MAX_NAME_LENGTH = 255
# A PDF opened from a download link: no script may run in it, even if a browser rendered
# it as something else, and it may not be framed.
SANDBOX_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"
PUBLIC_MAX_AGE = 3600


def size_label(size: int) -> str:
    return _("%(number)s MB") % {"number": formats.number_format(size / 1024 / 1024, 1)}


@dataclass(frozen=True)
class CheckedPdf:
    """A file that passed every check of `pdf_check`."""

    content: bytes
    sha256: str
    page_count: int


def pdf_check(uploaded_file, *, limit: int) -> CheckedPdf:
    """Read an uploaded file and check it is a plain PDF of at most `limit` bytes;
    ValidationError (French) if not.

    Reads at most one byte over the size cap, so a huge file costs no more than that."""
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise _too_large(limit)
    uploaded_file.seek(0)
    content = uploaded_file.read(limit + 1)
    if len(content) > limit:
        raise _too_large(limit)
    if not content:
        raise ValidationError(_("The file is empty."), code="empty")
    if not content.startswith(PDF_MAGIC):
        raise ValidationError(
            _("Only PDF files can be attached: this file is not a PDF document."),
            code="not_pdf",
        )
    _check_ends_as_pdf(content)
    page_count = _parse_pdf(content)
    return CheckedPdf(
        content=content, sha256=hashlib.sha256(content).hexdigest(), page_count=page_count
    )


def _too_large(limit: int) -> ValidationError:
    return ValidationError(
        _("This file is larger than %(size)s: compress it or attach a lighter version.")
        % {"size": size_label(limit)},
        code="too_large",
    )


def _check_ends_as_pdf(content: bytes) -> None:
    """A PDF ends with %%EOF (possibly several, one per incremental update). Missing: the
    file was cut. Followed by more than padding, or by markup anywhere near its start or
    after its end: a file that is also something else (a polyglot)."""
    end = content.rfind(EOF_MARKER)
    if end == -1:
        raise ValidationError(
            _("This PDF file is incomplete (its end is missing): upload it again."),
            code="truncated",
        )
    trailing = content[end + len(EOF_MARKER) :]
    if (
        len(trailing.strip(b"\r\n\t \x00")) > MAX_TRAILING_BYTES
        or MARKUP.search(trailing)
        or MARKUP.search(content[:1024])
    ):
        raise ValidationError(
            _(
                "This file holds other content than the PDF document (for instance a web "
                "page): it is refused. Save the document again as PDF from its application."
            ),
            code="polyglot",
        )


def _parse_pdf(content: bytes) -> int:
    """The number of pages, once pypdf has read the document and every page."""
    from pypdf import PdfReader

    unreadable = ValidationError(
        _("This PDF file cannot be read (it is damaged or not really a PDF)."),
        code="unreadable",
    )
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _(
                    "This PDF file is protected by a password or encrypted: save an "
                    "unprotected copy and attach it."
                ),
                code="encrypted",
            )
        pages = reader.pages
        page_count = len(pages)
        for page in pages:  # every page object must resolve
            page.mediabox  # noqa: B018 (reading the attribute parses the page)
    except ValidationError:
        raise
    except Exception:  # untrusted input: pypdf raises many kinds (PdfReadError, KeyError…)
        raise unreadable from None
    if page_count == 0:
        raise ValidationError(_("This PDF file has no page."), code="no_pages")
    return page_count


def clean_file_name(name: str) -> str:
    """The uploader's file name as shown to readers: its last part only (no folders),
    without control characters, at most 255 characters, never empty."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    name = name.strip(". ") or "document.pdf"
    if len(name) > MAX_NAME_LENGTH:
        stem, extension = os.path.splitext(name)
        extension = extension[:10]
        name = stem[: MAX_NAME_LENGTH - len(extension)] + extension
    return name


def store_file(storage, name: str, content: bytes) -> None:
    """Write a checked file under the random name its row holds: called once the row is
    committed (RELIABILITY.md, invariant 7), so a rolled-back transaction leaves no file."""
    stored = storage.save(name, ContentFile(content))
    if stored != name:  # a random name already taken: never expected
        logger.error("attachment file stored as %s instead of %s", stored, name)


def pdf_download(field_file, *, filename: str, public: bool) -> FileResponse:
    """A stored PDF as a download (`Content-Disposition: attachment`, `nosniff`,
    sandboxed); cached by shared caches only when `public`. 404 when the file is gone."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):  # a row whose file is gone
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    if public:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


@dataclass
class FilesReport:
    """What `files_check` found: rows whose file is missing, files no row refers to, and
    how many of those were deleted."""

    missing: list[tuple[int, str]] = field(default_factory=list)  # (row pk, path)
    unreferenced: list[str] = field(default_factory=list)
    deleted: int = 0

    @property
    def ok(self) -> bool:
        return not self.missing and not self.unreferenced


def files_check(
    model, directory: str, *, delete_unreferenced: bool = False, older_than: int = 3600
) -> FilesReport:
    """Compare the rows of `model` (a `file` field) with the files under
    MEDIA_ROOT/`directory`/ (RELIABILITY.md, invariant 7). Unreferenced files older than
    `older_than` seconds (not an upload being committed) are deleted when asked; missing
    files are reported only: the record needs its file uploaded again."""
    from django.core.files.storage import default_storage

    report = FilesReport()
    referenced = dict(model.objects.values_list("file", "pk"))
    for name, pk in sorted(referenced.items(), key=lambda item: item[1]):
        if not default_storage.exists(name):
            report.missing.append((pk, name))
    root = Path(settings.MEDIA_ROOT) / directory
    now = time.time()
    for path in sorted(root.rglob("*")) if root.exists() else []:
        if not path.is_file():
            continue
        name = path.relative_to(settings.MEDIA_ROOT).as_posix()
        if name in referenced:
            continue
        report.unreferenced.append(name)
        if delete_unreferenced and now - path.stat().st_mtime > older_than:
            path.unlink()
            report.deleted += 1
    return report


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
