"""Two DSLs claim the same task at the same moment, on two database connections:
exactly one wins and the other is told who has it. Runs against a real, committed
database of the run's kind (PostgreSQL in CI: select_for_update under the process
lock; SQLite locally: the conditional update), in a separate process, because the
test database's rollback transaction would hide each connection's rows from the
other."""

import json

from tests.e2e.conftest import _Demo, _manage

SCRIPT = """
import json, threading
from django.db import connections
from accounts.models import User
from records.models import Pupil
from workflows import services
from workflows.models import CaseTask
from tests import builders

pupil = Pupil.objects.filter(school__urn="990001").first()
concern = builders.concern(
    by=User.objects.get(username="staff.oakfield"),
    children=[pupil],
    what_happened="Synthetic: pushed in the playground.",
    child_voice="",
)
task_pk = CaseTask.objects.get(concern=concern, flow_task_type="HUMAN").pk
barrier = threading.Barrier(2)
results = {}

def claim(username):
    try:
        user = User.objects.get(username=username)
        task = CaseTask.objects.get(pk=task_pk)
        barrier.wait()
        services.task_claim(task=task, user=user)
        results[username] = "won"
    except services.TaskConflict as conflict:
        results[username] = " ".join(conflict.messages)
    finally:
        connections.close_all()

threads = [threading.Thread(target=claim, args=(name,))
           for name in ("dsl.oakfield", "deputy.oakfield")]
for thread in threads: thread.start()
for thread in threads: thread.join()
owner = CaseTask.objects.get(pk=task_pk).owner.username

# The winner double-clicks "Complete triage": two saves at once, one triage.
barrier = threading.Barrier(2)
completions = []

def complete(n):
    try:
        user = User.objects.get(username=owner)
        task = CaseTask.objects.get(pk=task_pk)
        barrier.wait()
        services.triage_complete(
            task=task, user=user, primary_category=concern.primary_category,
            risk_level="low", risk_reason="Synthetic: a one-off push, no injury.",
        )
        completions.append("done")
    except services.TaskConflict as conflict:
        completions.append(" ".join(conflict.messages))
    finally:
        connections.close_all()

threads = [threading.Thread(target=complete, args=(n,)) for n in range(2)]
for thread in threads: thread.start()
for thread in threads: thread.join()
print(json.dumps({
    "results": results, "owner": owner, "completions": sorted(completions),
    "triages": concern.triages.count(),
}))
"""


def test_one_of_two_simultaneous_claims_wins_and_a_double_save_saves_once(tmp_path):
    # A database of its own with the demo (no server: the script runs in a shell).
    demo = _Demo(tmp_path)
    try:
        _manage(demo.env, "migrate", "--noinput")
        _manage(demo.env, "demo", "--without-2fa")
        output = _manage(demo.env, "shell", "-v", "0", "-c", SCRIPT)
        # The console email backend prints the team's notifications first.
        outcome = json.loads(output.strip().splitlines()[-1])
    finally:
        demo.drop()
    results = outcome["results"]
    winners = [name for name, result in results.items() if result == "won"]
    assert winners == [outcome["owner"]]
    (loser_message,) = [r for r in results.values() if r != "won"]
    assert "claimed this task first" in loser_message
    assert outcome["completions"] == ["This task has already been completed.", "done"]
    assert outcome["triages"] == 1
