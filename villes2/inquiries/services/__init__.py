from .faq import faq_delete, faq_publish, faq_relations_changed, faq_save, faq_unpublish
from .requests import (
    TRANSITIONS,
    answer_links_check,
    due_date_for,
    inquiries_auto_close,
    inquiries_retention_purge,
    inquiry_answer,
    inquiry_assign,
    inquiry_log_action,
    inquiry_mail_send,
    inquiry_receive,
    inquiry_save,
    inquiry_transition,
    user_name,
)
from .working_days import add_working_days, is_working_day, working_days_between

__all__ = [
    "TRANSITIONS",
    "add_working_days",
    "answer_links_check",
    "due_date_for",
    "faq_delete",
    "faq_publish",
    "faq_relations_changed",
    "faq_save",
    "faq_unpublish",
    "inquiries_auto_close",
    "inquiries_retention_purge",
    "inquiry_answer",
    "inquiry_assign",
    "inquiry_log_action",
    "inquiry_mail_send",
    "inquiry_receive",
    "inquiry_save",
    "inquiry_transition",
    "is_working_day",
    "user_name",
    "working_days_between",
]


def retention_task(dry_run: bool) -> tuple[int, list[str]]:
    """The purge as `purge_personal_data` runs it (`core.registry.RetentionTask`)."""
    return inquiries_retention_purge(dry_run=dry_run)
