import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import formats
from django.utils.translation import gettext as _

from villes2.observation.models import Source
from villes2.observation.services.imports import values_import

DEFAULT_MAX_MB = 200


class Command(BaseCommand):
    help = (
        "Importe des valeurs d'indicateurs depuis un fichier CSV ou XLSX au format du modèle "
        "de collecte (colonnes niveau, code, indicateur, periode, valeur… : docs/"
        "observation.md, section Import). Tout ou rien : une seule ligne fautive et rien "
        "n'est écrit ; chaque ligne fautive est signalée avec son numéro. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="fichier .csv ou .xlsx")
        parser.add_argument("--source", required=True, help="code de la source des valeurs")
        parser.add_argument(
            "--geography",
            default="",
            help="version de la géographie des valeurs, par exemple « COG 2024 »",
        )
        parser.add_argument(
            "--max-size",
            type=float,
            default=DEFAULT_MAX_MB,
            help=f"taille maximale du fichier, en Mo (défaut : {DEFAULT_MAX_MB})",
        )
        parser.add_argument(
            "--user",
            default="",
            help="identifiant de connexion de la personne à qui l'import est attribué",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        source = Source.objects.filter(code=options["source"]).first()
        if source is None:
            codes = ", ".join(Source.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(
                _("No source has the code %(code)s. The sources are: %(codes)s.")
                % {"code": options["source"], "codes": codes or "—"}
            )
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user %(name)s.") % {"name": options["user"]})
        progress = _Progress(self.stderr)
        started = time.monotonic()
        try:
            with path.open("rb") as handle:
                report = values_import(
                    file_name=path.name,
                    stream=handle,
                    source=source,
                    user=user,
                    geography=options["geography"],
                    max_bytes=int(options["max_size"] * 1024 * 1024),
                    progress=progress,
                )
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s.") % {"path": path, "error": error.strerror}
            ) from error
        progress.end()
        for line in report.text_lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(
                _("Import refused (errors: %(count)s): nothing was written.")
                % {"count": report.error_count},
                returncode=1,
            )
        seconds = time.monotonic() - started
        self.stdout.write(
            _("Imported in %(seconds)s s (%(rate)s lines per second).")
            % {
                "seconds": formats.number_format(seconds, 1),
                "rate": formats.number_format(
                    report.lines / seconds if seconds else 0, 0, force_grouping=True
                ),
            }
        )


class _Progress:
    """The number of lines read, rewritten in place on stderr (no dependency)."""

    def __init__(self, stream):
        self.stream = stream
        self.shown = False

    def __call__(self, lines: int) -> None:
        text = _("%(lines)s lines read…") % {
            "lines": formats.number_format(lines, force_grouping=True)
        }
        self.stream.write(f"\r{text}", ending="")
        self.stream.flush()
        self.shown = True

    def end(self) -> None:
        if self.shown:
            self.stream.write("")
