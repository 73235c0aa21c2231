"""Viewflow rows written directly: a process (viewflow_process + workflows_caseprocess)
and its tasks (viewflow_task + workflows_casetask + the task_previous links), shaped
as ConcernFlow, ActionFlow and the transfer flows leave them (one row per node
visited, machine nodes done, the human node where the work stands NEW or ASSIGNED).
"""

from datetime import timedelta

from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from workflows.models import CaseProcess, CaseTask

from .writer import Table

CONCERN_FLOW = "workflows/flows.ConcernFlow"
ACTION_FLOW = "workflows/flows.ActionFlow"
MS = timedelta(milliseconds=3)


class Processes:
    def __init__(self):
        self.process = Table(Process)
        self.case_process = Table(CaseProcess)
        self.task = Table(Task)
        self.case_task = Table(CaseTask)
        self.previous = Table(Task.previous.through)
        self.counts = {"open": 0, "assigned": 0, "done": 0, "overdue": 0}

    def tables(self):
        return [
            self.process,
            self.case_process,
            self.task,
            self.case_task,
            self.previous,
        ]

    def flush(self):
        for table in self.tables():
            table.flush()

    def run(
        self,
        flow_class,
        *,
        created,
        school_id,
        team,
        cycle=1,
        urgent=False,
        concern_id=None,
        action_id=None,
        transfer_id=None,
    ):
        return Run(
            self,
            flow_class,
            created=created,
            school_id=school_id,
            team=team,
            cycle=cycle,
            urgent=urgent,
            concern_id=concern_id,
            action_id=action_id,
            transfer_id=transfer_id,
        )


class Run:
    """One process being written: tasks are added in order, the process row last
    (its status is known only at the end)."""

    def __init__(self, processes, flow_class, *, created, **copies):
        self.p = processes
        self.flow_class = flow_class
        self.pk = processes.process.take_id()
        self.created = created
        self.copies = copies
        self.finished = None
        self.last = None  # the last task's id, for the next task's `previous`

    def task(
        self,
        node,
        kind,
        *,
        at,
        done_at=None,
        prev=None,
        owner=None,
        assigned=None,
        token="start",  # noqa: S107 (a Viewflow token, not a secret)
        data=None,
        due_on=None,
        referral_id=None,
        today=None,
    ):
        """One node's task. done_at None: still open (NEW, or ASSIGNED with an
        owner). Machine nodes finish a few milliseconds after they are created."""
        pk = self.p.task.take_id()
        human = kind == "HUMAN"
        if not human:
            done_at = done_at or at + MS
        if done_at is not None:
            status = STATUS.DONE
        elif owner:
            status = STATUS.ASSIGNED
        else:
            status = STATUS.NEW
        started = None
        if human and done_at is not None:
            started = done_at - MS
        elif kind in ("START", "FUNCTION", "END", "JOIN"):
            started = at + MS / 3
        self.p.task.add(
            id=pk,
            flow_task=f"{self.flow_class}.{node}",
            flow_task_type=kind,
            status=status,
            created=at,
            assigned=assigned if owner else None,
            started=started,
            finished=done_at,
            token=token,
            external_task_id=None,
            owner_id=owner,
            owner_permission=None,
            process_id=self.pk,
            data=data or {},
        )
        c = self.copies
        self.p.case_task.add(
            task_ptr_id=pk,
            school_id=c["school_id"],
            concern_id=c["concern_id"],
            transfer_id=c["transfer_id"],
            action_id=c["action_id"],
            team=c["team"],
            urgent=c["urgent"],
            due_on=due_on if human else None,
            referral_id=referral_id,
        )
        previous = prev if prev is not None else ([self.last] if self.last else [])
        for before in previous:
            self.p.previous.add(
                id=self.p.previous.take_id(), from_task_id=pk, to_task_id=before
            )
        if human:
            counts = self.p.counts
            if done_at is not None:
                counts["done"] += 1
            else:
                counts["assigned" if owner else "open"] += 1
                if due_on and today and due_on < today:
                    counts["overdue"] += 1
        self.last = pk
        return pk

    def end(self, at):
        self.task("end", "END", at=at)
        self.finished = at + MS * 2

    def write(self):
        self.p.process.add(
            id=self.pk,
            flow_class=self.flow_class,
            status=PROCESS.DONE if self.finished else PROCESS.NEW,
            created=self.created,
            finished=self.finished,
            data={},
        )
        c = self.copies
        self.p.case_process.add(
            process_ptr_id=self.pk,
            school_id=c["school_id"],
            team=c["team"],
            cycle=c["cycle"],
            urgent=c["urgent"],
            concern_id=c["concern_id"],
            action_id=c["action_id"],
            transfer_id=c["transfer_id"],
        )
        return self.pk
