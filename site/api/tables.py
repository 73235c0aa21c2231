"""The tables of API tokens (a person's) and roll sync tokens (a school's): the same
columns but one, drawn by Wagtail's table component; cells in templates/api/cells."""

from functools import partial

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Table

from chronicle.tables import TemplateColumn

Cell = partial(TemplateColumn, folder="api/cells")


def _table(tokens, *, lead: str, third, revoke_url_name: str, marker: str) -> Table:
    columns = [
        Cell("name", _("Name")),
        Cell("starts", _("Token starts"), lead=lead),
        third,
        Cell("created_at", _("Made")),
        Cell("expires_at", _("Expires")),
        Cell("last_used_at", _("Last used")),
        Cell("status", _("Status")),
        Cell("revoke", _("Actions"), hidden_label=True, url_name=revoke_url_name),
    ]
    return Table(columns, tokens, attrs={marker: True})


def api_token_table(tokens) -> Table:
    return _table(
        tokens,
        lead="chr_",
        third=Cell("scopes", _("May be used for")),
        revoke_url_name="api:api_token_revoke",
        marker="data-api-tokens",
    )


def service_token_table(tokens) -> Table:
    return _table(
        tokens,
        lead="chs_",
        third=Cell("created_by", _("Made by")),
        revoke_url_name="api:service_token_revoke",
        marker="data-service-tokens",
    )
