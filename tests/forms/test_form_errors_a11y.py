"""The concern form's error summary and children table, for keyboard and screen
reader users: every error link leads to its field, every Remove names its child."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils.html import escape

from records.models import Concern, Pupil
from taxonomy.models import Term, Vocabulary

pytestmark = pytest.mark.django_db


def _sent_back(client, form_page, answers, **changes):
    data = {**answers, **changes}
    for name in [n for n, v in changes.items() if v is None]:
        del data[name]
    response = client.post(form_page.url, data)
    assert response.status_code == 200
    assert not Concern.objects.exists()
    return response.content.decode()


def test_the_immediate_risk_error_links_to_its_first_radio(
    verified_client, staff, form_page, answers
):
    page = _sent_back(verified_client(staff), form_page, answers, immediate_risk=None)

    summary = re.search(r'<div class="chronicle-errors".*?</div>', page, re.S).group(0)
    links = re.findall(r'<a href="#([^"]*)">([^<]*)</a>', summary)
    assert links == [("id_immediate_risk_0", "Is a child at immediate risk of harm?")]
    assert 'id="id_immediate_risk_0"' in page
    assert 'tabindex="-1"' in summary and "data-error-summary" in summary


def test_every_error_link_leads_to_an_element_on_the_page(
    verified_client, staff, form_page, answers
):
    page = _sent_back(
        verified_client(staff),
        form_page,
        answers,
        immediate_risk=None,
        what_happened="",
        q_has_anyone_else_been_told=None,
    )

    summary = re.search(r'<div class="chronicle-errors".*?</div>', page, re.S).group(0)
    targets = re.findall(r'<a href="#([^"]*)">', summary)
    assert len(targets) == 3
    for target in targets:
        assert target and f'id="{target}"' in page, target


def test_each_remove_button_names_its_child(verified_client, staff, form_page, answers):
    page = _sent_back(verified_client(staff), form_page, answers, what_happened="")

    names = [escape(Pupil.objects.get(pk=pk).display_name) for pk in answers["pupil"]]
    buttons = re.findall(r"<button[^>]*data-remove>(.*?)</button>", page, re.S)
    assert buttons == [
        f'Remove<span class="w-sr-only"> {name}</span>' for name in names
    ]


def test_the_pupil_search_gives_the_name_for_the_remove_button(
    verified_client, staff, answers
):
    pupil = Pupil.objects.get(pk=answers["pupil"][0])
    response = verified_client(staff).get(
        reverse("concern_forms:pupil_search"), {"q": pupil.upn}
    )

    assert response.json()["results"][0]["name"] == pupil.display_name


class _Radios(HTMLParser):
    """Each category radio's aria-describedby, and every element's text by id."""

    def __init__(self):
        super().__init__()
        self.described_by, self.text, self._open = {}, {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == "primary_category":
            self.described_by[attrs["value"]] = attrs.get("aria-describedby")
        if "id" in attrs:
            self._open.append(attrs["id"])
            self.text[attrs["id"]] = ""

    def handle_endtag(self, tag):
        if tag == "p" and self._open:
            self._open.pop()

    def handle_data(self, data):
        if self._open:
            self.text[self._open[-1]] += data


def test_each_category_radio_is_described_by_its_definition(
    verified_client, staff, form_page
):
    """A screen reader announces each of the categories with its definition, not a
    bare name (the definitions are what make staff use them the same way)."""
    page = verified_client(staff).get(form_page.url).content.decode()
    radios = _Radios()
    radios.feed(page)

    defined = Term.objects.filter(
        vocabulary=Vocabulary.CATEGORY, school=None, is_active=True
    ).exclude(definition="")
    assert len(radios.described_by) >= defined.count() > 10
    for category in defined:
        target = radios.described_by[str(category.pk)]
        assert target, category.name
        assert radios.text[target].strip() == category.definition.strip()


def test_the_concern_form_warns_before_the_idle_sign_out(
    verified_client, staff, form_page
):
    """Typing a long concern makes no request: the form page, above all, carries the
    warning (and its "Stay signed in") before the idle sign-out."""
    page = verified_client(staff).get(form_page.url).content.decode()

    assert re.search(r'<script[^>]*src="/static/chronicle/idle-warning.js"', page)
    assert 'data-idle-seconds="900"' in page
