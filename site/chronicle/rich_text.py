"""Rich-text fields in the admin, named for screen readers.

Wagtail's Draftail editor labels the hidden input it keeps the value in, not the
editable box a screen reader lands on, so the box is read as an unnamed text field
(axe: aria-input-field-name; WCAG 4.1.2). Draftail takes `ariaLabelledBy`; the
field's label carries the id `<input id>-label` (wagtailadmin's formatted_field), so
each box is named after its own field. Set as the default editor in settings
(WAGTAILADMIN_RICH_TEXT_EDITORS)."""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from wagtail.admin.rich_text import DraftailRichTextArea


class LabelledDraftailRichTextArea(DraftailRichTextArea):
    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        if widget_attrs.get("id"):
            options = {**self.options, "ariaLabelledBy": f"{widget_attrs['id']}-label"}
            widget_attrs["data-w-init-detail-value"] = json.dumps(
                options, cls=DjangoJSONEncoder
            )
        return context
