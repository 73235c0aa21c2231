"""The example client in docs/ against a real server: it renders a form from the
API, looks a child up, submits, and the concern is stored.

The server is the browser tests' (tests/e2e/conftest.py): `manage.py runserver` on a
database of its own with the demo data, since the audit table can't be flushed."""

import json
import re
import subprocess
import sys

import pytest

from ..e2e.conftest import ROOT, Server, _Demo

CLIENT = ROOT / "docs" / "api-client.py"
MAKE_TOKEN = """
from accounts.models import User
from api.services import token_create
from forms.models import ConcernFormPage
user = User.objects.get(username="staff.oakfield")
_token, secret = token_create(user=user, name="Example client", scopes=["submit"])
print(ConcernFormPage.objects.get(slug="general-concern").pk, secret)
"""
SHOW_CONCERN = """
import json
from records.models import Concern
concern = Concern.objects.get(school_reference="{reference}")
print(json.dumps({{
    "form": concern.form_title,
    "recorded_by": concern.recorded_by.username,
    "what_happened": concern.what_happened,
    "category": concern.primary_category_name,
    "pupils": [i.pupil.upn for i in concern.involvements.all()],
    "answers": concern.answers,
}}))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    demo = _Demo(tmp_path_factory.mktemp("api-demo"))
    server = None
    try:
        demo.build()
        server = Server(tmp_path_factory.mktemp("api-live"), demo)
        server.start()
        yield server
    finally:
        if server is not None:
            server.stop()
        demo.drop()


def run_client(server, *args):
    return subprocess.run(
        [sys.executable, str(CLIENT), "--url", server.base_url, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )


def test_the_example_client_renders_a_form_and_reports_a_concern(server, tmp_path):
    form_id, secret = server.manage("shell", "-c", MAKE_TOKEN).split()[-2:]
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps(
            {
                "pupils": [{"search": "Z990001000000", "role": "subject"}],
                "occurred_on": "today",
                "location": "Playground",
                "what_happened": "Said 'he took my phone and won't give it back'.",
                "child_voice": "'I'm scared to tell my mum.' Quiet, looking down.",
                "primary_category": "Bullying, including cyberbullying",
                "immediate_risk": False,
                "answers": {"has_anyone_else_been_told": "no"},
            }
        )
    )

    result = run_client(
        server, "--token", secret, "--form", form_id, "--answers", str(answers)
    )

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "== General concern ==" in out
    assert "Bullying, including cyberbullying: Repeated behaviour" in out
    assert "Has anyone else been told? (optional)" in out
    reference = re.search(r"Reference ([A-Z][A-Z0-9]{1,5}-\d{6}) \(Received\)", out)[1]
    stored = json.loads(
        server.manage("shell", "-c", SHOW_CONCERN.format(reference=reference))
        .strip()
        .splitlines()[-1]
    )
    assert stored == {
        "form": "General concern",
        "recorded_by": "staff.oakfield",
        "what_happened": "Said 'he took my phone and won't give it back'.",
        "category": "Child-on-child abuse › Bullying, including cyberbullying",
        "pupils": ["Z990001000000"],
        "answers": [
            {
                "question": "Has anyone else been told?",
                "type": "yesno",
                "choices": "",
                "help_text": "",
                "answer": "no",
            }
        ],
    }


def test_the_example_client_shows_each_refusal(server, tmp_path):
    _form_id, secret = server.manage("shell", "-c", MAKE_TOKEN).split()[-2:]
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps(
            {
                "pupils": [],
                "occurred_on": "today",
                "location": "Playground",
                "what_happened": "Seemed withdrawn all morning.",
                "primary_category": "Mental health",
                "immediate_risk": False,
            }
        )
    )

    result = run_client(
        server, "--token", secret, "--form", _form_id, "--answers", str(answers)
    )

    assert result.returncode == 1
    assert "Chronicle refused" in result.stdout
    assert "__all__: Name at least one child" in result.stdout
    assert "child_voice: Record what the child said" in result.stdout


def test_the_example_client_with_a_bad_token(server):
    result = run_client(server, "--token", "chr_nonsense", "--form", "1")
    assert result.returncode == 1
    assert "Invalid or missing API token." in result.stdout
