"""Registries through which apps plug into shared pages without importing each other.

- `navigation`: the sections of the public site. An app registers its section in its
  `AppConfig.ready()`; the header shows only registered sections, so a section appears
  exactly when the app that serves it is installed.
- `territory_links`: the "linked to this territory" section of territory pages. Each app
  registers a provider returning what it links to a territory (actors, events…).
- `reference_loaders`: the founding and reference data loaded by `load_reference_data`,
  in registration order (app dependency order).
- `erasure_hooks`: apps holding derived copies of a person's data (a search index naming
  an author) register `hook(person_ids) -> refresh`; the erasure calls each hook before
  deleting and each `refresh()` after, in its transaction (GDPR art. 17).
- `retention_tasks`: purges of personal data past their retention period, run by
  `purge_personal_data` after the directory's own (events' registrations…), so that
  the directory need not import the apps that hold such data.
- `attachment_stores`: the models whose rows own uploaded files, and the folder of
  MEDIA_ROOT holding them, checked by `manage.py check_attachment_files`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    order: int
    # False: a section of the site that the header's menu leaves out (it would no longer
    # fit on one line at 1280 px); the home page's missions and the footer link it.
    header: bool = True

    @property
    def namespace(self) -> str:
        return self.url_name.split(":")[0]


@dataclass(frozen=True)
class LinkedItem:
    title: str
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class LinkedSection:
    """What one app links to a territory: a heading, the first items, and the total."""

    key: str
    title: str | Promise
    items: list[LinkedItem]
    total: int
    more_url: str = ""


TerritoryLinkProvider = Callable[[Any], LinkedSection | None]


@dataclass
class ReferenceLoader:
    key: str
    label: str
    load: Callable[..., Any]


ErasureHook = Callable[[list[int]], Callable[[], None]]


@dataclass(frozen=True)
class RetentionTask:
    """`run(dry_run)` returns how many records are (or would be) purged and report lines
    that name no person (the report may end up in a mailed cron log)."""

    key: str
    label: str
    run: Callable[[bool], tuple[int, list[str]]]


@dataclass(frozen=True)
class AttachmentStore:
    key: str
    label: str
    model: Any  # a model with a `file` field
    directory: str


@dataclass
class Registry:
    navigation: list[NavItem] = field(default_factory=list)
    territory_links: list[tuple[str, TerritoryLinkProvider]] = field(default_factory=list)
    reference_loaders: list[ReferenceLoader] = field(default_factory=list)
    erasure_hooks: list[tuple[str, ErasureHook]] = field(default_factory=list)
    retention_tasks: list[RetentionTask] = field(default_factory=list)
    attachment_stores: list[AttachmentStore] = field(default_factory=list)

    def add_section(self, item: NavItem) -> None:
        if all(existing.key != item.key for existing in self.navigation):
            self.navigation.append(item)
            self.navigation.sort(key=lambda nav: nav.order)

    def add_territory_links(self, key: str, provider: TerritoryLinkProvider) -> None:
        if all(existing != key for existing, _ in self.territory_links):
            self.territory_links.append((key, provider))

    def add_reference_loader(self, loader: ReferenceLoader) -> None:
        if all(existing.key != loader.key for existing in self.reference_loaders):
            self.reference_loaders.append(loader)

    def add_erasure_hook(self, key: str, hook: ErasureHook) -> None:
        if all(existing != key for existing, _ in self.erasure_hooks):
            self.erasure_hooks.append((key, hook))

    def add_retention_task(self, task: RetentionTask) -> None:
        if all(existing.key != task.key for existing in self.retention_tasks):
            self.retention_tasks.append(task)

    def add_attachment_store(self, store: AttachmentStore) -> None:
        if all(existing.key != store.key for existing in self.attachment_stores):
            self.attachment_stores.append(store)

    def linked_sections(self, territory: Any) -> Iterable[LinkedSection]:
        for _key, provider in self.territory_links:
            section = provider(territory)
            if section is not None:
                yield section


registry = Registry()
