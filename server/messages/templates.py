"""Which template each channel's progress messages use, and whether the citizen's consent to it is long-term."""

from __future__ import annotations

from dataclasses import dataclass

from server.settings import Settings


@dataclass(frozen=True)
class ProgressTemplate:
    channel: str
    template_id: str
    long_term: bool
    page: str = "pages/cases/detail"


def progress_templates(settings: Settings) -> dict[str, ProgressTemplate]:
    long_term = {item.strip() for item in settings.message_long_term_template_ids.split(",") if item.strip()}
    return {channel: ProgressTemplate(channel, template_id, template_id in long_term)
            for channel, template_id in (("wechat", settings.wechat_progress_template_id),
                                         ("alipay", settings.alipay_progress_template_id))}
