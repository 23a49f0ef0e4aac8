"""The OAI-PMH 2.0 protocol engine: verbs, argument validation, error conditions,
datestamps and resumption tokens (https://www.openarchives.org/OAI/openarchivesprotocol.html).

It knows nothing of the catalogue: records come from a `RecordRepository`
(villes2.core.oai), so the engine is tested on its own and another kind of record can be
exposed without touching it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing

from villes2.core.oai import Record, RecordRepository, Selection

from . import xml

TOKEN_SALT = "villes2.api.oai.resumption-token"  # noqa: S105 (a namespace, not a secret)
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"

# verb → (required arguments, optional arguments, exclusive argument)
VERBS: dict[str, tuple[frozenset[str], frozenset[str], str | None]] = {
    "Identify": (frozenset(), frozenset(), None),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), None),
    "ListSets": (frozenset(), frozenset(), "resumptionToken"),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), None),
    "ListIdentifiers": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set"}),
        "resumptionToken",
    ),
    "ListRecords": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set"}),
        "resumptionToken",
    ),
}

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# setSpecType of the OAI-PMH schema.
SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Datestamp:
    value: datetime.datetime
    granularity: str  # "day" or "second"

    @property
    def step(self) -> datetime.timedelta:
        if self.granularity == "day":
            return datetime.timedelta(days=1)
        return datetime.timedelta(seconds=1)


def parse_datestamp(text: str, argument: str) -> Datestamp:
    try:
        if DAY.fullmatch(text):
            day = datetime.date.fromisoformat(text)
            value = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
            return Datestamp(value, "day")
        if SECOND.fullmatch(text):
            value = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
            return Datestamp(value.replace(tzinfo=datetime.UTC), "second")
    except ValueError:
        pass
    raise OAIError("badArgument", f"“{argument}” is not a valid UTC datestamp: {text}")


def selection_for(arguments: dict[str, str]) -> Selection:
    """The selective harvest of `from`, `until` and `set` (both bounds are inclusive in
    the protocol: `until` covers the whole day or second it names)."""
    start = parse_datestamp(arguments["from"], "from") if "from" in arguments else None
    end = parse_datestamp(arguments["until"], "until") if "until" in arguments else None
    if start and end:
        if start.granularity != end.granularity:
            raise OAIError("badArgument", "“from” and “until” have different granularities.")
        if end.value < start.value:
            raise OAIError("badArgument", "“until” is earlier than “from”.")
    set_spec = arguments.get("set")
    if set_spec is not None and not SET_SPEC.fullmatch(set_spec):
        raise OAIError("badArgument", f"Not a valid setSpec: {set_spec}")
    try:
        end_value = end.value + end.step if end else None
    except OverflowError:  # until=9999-12-31: no upper bound
        end_value = None
    return Selection(start=start.value if start else None, end=end_value, set_spec=set_spec)


def check_arguments(verb: str, arguments: dict[str, str]) -> None:
    required, optional, exclusive = VERBS[verb]
    given = set(arguments)
    if exclusive and exclusive in given:
        if given != {exclusive}:
            raise OAIError("badArgument", f"“{exclusive}” is an exclusive argument.")
        return
    unknown = given - required - optional
    if unknown:
        raise OAIError("badArgument", f"Illegal arguments: {', '.join(sorted(unknown))}.")
    missing = required - given
    if missing:
        raise OAIError("badArgument", f"Missing arguments: {', '.join(sorted(missing))}.")
    empty = [name for name, value in arguments.items() if not value]
    if empty:
        raise OAIError("badArgument", f"Empty arguments: {', '.join(sorted(empty))}.")
    # A value XML cannot carry (control characters) could not be echoed in the response.
    unreadable = [name for name, value in arguments.items() if xml.NOT_XML.search(value)]
    if unreadable:
        raise OAIError("badArgument", f"Invalid characters in: {', '.join(sorted(unreadable))}.")


def check_metadata_prefix(prefix: str) -> None:
    if prefix not in xml.METADATA_FORMATS:
        raise OAIError(
            "cannotDisseminateFormat", f"The metadata format “{prefix}” is not supported."
        )


# --- Resumption tokens -------------------------------------------------------------------
# A token is the query plus the position of the last record served, signed: the next page
# starts strictly after that position in (datestamp, key) order, so records edited during
# a harvest move to the end of the list and none is skipped.


def token_dump(
    *, verb: str, arguments: dict[str, str], last: Record, cursor: int, size: int
) -> str:
    datestamp, key = last.position
    state = {
        "v": verb,
        "a": {
            name: arguments[name]
            for name in ("metadataPrefix", "from", "until", "set")
            if name in arguments
        },
        "p": [datestamp.isoformat(), key],
        "c": cursor,
        "n": size,
    }
    return signing.dumps(state, salt=TOKEN_SALT, compress=True)


def token_load(
    token: str, verb: str
) -> tuple[dict[str, str], tuple[datetime.datetime, int], int, int]:
    try:
        state = signing.loads(token, salt=TOKEN_SALT)
        if state["v"] != verb:
            raise ValueError("token of another verb")
        arguments = {str(name): str(value) for name, value in state["a"].items()}
        datestamp = datetime.datetime.fromisoformat(state["p"][0])
        position = (datestamp, int(state["p"][1]))
        return arguments, position, int(state["c"]), int(state["n"])
    except (signing.BadSignature, KeyError, IndexError, TypeError, ValueError, AttributeError):
        raise OAIError("badResumptionToken", "The resumption token is invalid.") from None


# --- Requests ------------------------------------------------------------------------------


def respond(
    repository: RecordRepository,
    params: Iterable[tuple[str, list[str]]],
    *,
    base_url: str,
    page_size: int,
) -> bytes:
    """The complete XML response to one OAI-PMH request, errors included."""
    values: dict[str, list[str]] = {}
    for name, given in params:
        values.setdefault(name, []).extend(given)
    verbs = values.pop("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        return xml.error_response(base_url, None, "badVerb", "Illegal or missing verb.")
    verb = verbs[0]
    repeated = sorted(name for name, given in values.items() if len(given) > 1)
    if repeated:
        message = f"Repeated arguments: {', '.join(repeated)}."
        return xml.error_response(base_url, None, "badArgument", message)
    arguments = {name: given[0] for name, given in values.items()}
    try:
        check_arguments(verb, arguments)
    except OAIError as error:
        return xml.error_response(base_url, None, error.code, error.message)
    echoed = {"verb": verb, **arguments}
    try:
        return HANDLERS[verb](repository, arguments, echoed, base_url, page_size)
    except OAIError as error:
        if error.code == "badArgument":
            echoed = None
        return xml.error_response(base_url, echoed, error.code, error.message)


def _identify(repository, arguments, echoed, base_url, page_size) -> bytes:
    earliest = repository.earliest_datestamp() or datetime.datetime.now(datetime.UTC)
    return xml.identify_response(
        base_url, echoed, repository, xml.format_datestamp(earliest), GRANULARITY
    )


def _list_metadata_formats(repository, arguments, echoed, base_url, page_size) -> bytes:
    if "identifier" in arguments and repository.get(arguments["identifier"]) is None:
        raise OAIError("idDoesNotExist", f"No record has the identifier {arguments['identifier']}.")
    return xml.metadata_formats_response(base_url, echoed)


def _list_sets(repository, arguments, echoed, base_url, page_size) -> bytes:
    if "resumptionToken" in arguments:
        raise OAIError("badResumptionToken", "This list of sets is never split.")
    sets = repository.sets()
    if not sets:
        raise OAIError("noSetHierarchy", "This repository has no sets.")
    return xml.sets_response(base_url, echoed, sets)


def _get_record(repository, arguments, echoed, base_url, page_size) -> bytes:
    check_metadata_prefix(arguments["metadataPrefix"])
    record = repository.get(arguments["identifier"])
    if record is None:
        raise OAIError("idDoesNotExist", f"No record has the identifier {arguments['identifier']}.")
    return xml.records_response(base_url, echoed, "GetRecord", [record], with_metadata=True)


def _list(repository, arguments, echoed, base_url, page_size, *, verb: str) -> bytes:
    if "resumptionToken" in arguments:
        query, after, cursor, size = token_load(arguments["resumptionToken"], verb)
    else:
        query, after, cursor, size = arguments, None, 0, None
    check_metadata_prefix(query["metadataPrefix"])
    selection = selection_for(query)
    with_metadata = verb == "ListRecords"
    records = repository.list(
        selection, after=after, limit=page_size + 1, with_metadata=with_metadata
    )
    if not records:
        raise OAIError("noRecordsMatch", "No record matches the request.")
    if size is None:
        size = repository.count(selection) if len(records) > page_size else len(records)
    page, more = records[:page_size], len(records) > page_size
    resumption = None
    if more:
        token = token_dump(
            verb=verb, arguments=query, last=page[-1], cursor=cursor + len(page), size=size
        )
        resumption = xml.Resumption(token, cursor, size)
    elif cursor:
        resumption = xml.Resumption("", cursor, size)
    return xml.records_response(
        base_url, echoed, verb, page, with_metadata=with_metadata, resumption=resumption
    )


def _list_identifiers(*args) -> bytes:
    return _list(*args, verb="ListIdentifiers")


def _list_records(*args) -> bytes:
    return _list(*args, verb="ListRecords")


HANDLERS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": _list_identifiers,
    "ListRecords": _list_records,
}
