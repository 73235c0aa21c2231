"""Concerns and the DSL's work on them, written as rows: each concern is walked
through ConcernFlow (triage, decision, referral follow-ups, closure, sign-off, a
review that reopens it) with times drawn so that old concerns are closed and recent
ones are at every step; a few stall, and their tasks are overdue."""

import uuid
from datetime import datetime, time, timedelta

from records.models import (
    Action,
    Closure,
    Concern,
    ConcernPupil,
    Decision,
    InvolvementRole,
    Referral,
    Triage,
)
from workflows.models import CaseProcess, CaseTask, Notification, Team

from . import texts
from .branches import Branches, weekdays_after
from .processes import CONCERN_FLOW, MS
from .writer import Table

# Mean days each human step takes once it is created.
MEAN_DAYS = {"triage": 0.5, "decide": 1.5, "follow_up": 9, "close": 4, "sign_off": 1.5}
OUTCOMES = [
    ("nfa", 35),
    ("monitor", 25),
    ("internal_support", 15),
    ("early_help", 10),
    ("referral", 15),
]
CATEGORIES = {
    "bullying": 12,
    "neglect": 10,
    "mental-health": 10,
    "emotional-abuse": 8,
    "online-safety": 8,
    "domestic-abuse": 6,
    "physical-abuse": 6,
    "child-on-child": 5,
    "self-harm": 5,
    "other": 5,
    "operation-encompass": 4,
    "sexual-harassment": 3,
    "missing-education": 3,
    "drugs-alcohol": 3,
    "sexual-abuse": 2,
    "exploitation": 2,
    "cce": 1,
    "cse": 1,
    "radicalisation": 1,
}
AGENCIES = {
    "csc": 60,
    "police": 15,
    "early-help": 10,
    "camhs": 8,
    "school-nurse": 4,
    "lado": 3,
}
STUCK = 0.02  # share of concerns whose work stalls at some step (overdue tasks)


class Casework(Branches):
    def __init__(self, *, rng, people, terms, now, audit, processes, names):
        self.rng, self.people, self.terms = rng, people, terms
        self.now, self.today = now, now.date()
        self.audit, self.procs, self.names = audit, processes, names
        self.concern = Table(Concern)
        self.involvement = Table(ConcernPupil)
        self.triage = Table(Triage)
        self.decision = Table(Decision)
        self.referral = Table(Referral)
        self.action = Table(Action)
        self.closure = Table(Closure)
        self.notification = Table(Notification)
        self.categories = self._weighted(terms["category"], CATEGORIES)
        self.agencies = self._weighted(terms["agency"], AGENCIES)
        self.outcomes = [o for o, w in OUTCOMES for _ in range(w)]
        self.locations = list(terms["location"].values())
        self.counts = {"reopened": 0, "referrals": 0, "actions": 0, "closures": 0}

    def _weighted(self, terms, weights):
        return [
            terms[key] for key, w in weights.items() if key in terms for _ in range(w)
        ]

    def tables(self):
        return [
            self.concern,
            self.involvement,
            self.triage,
            self.decision,
            self.referral,
            self.action,
            self.closure,
            self.notification,
        ]

    def flush(self):
        for table in self.tables():
            table.flush()

    # One concern ----------------------------------------------------------------------

    def add(self, sp, at, children):
        rng = self.rng
        pk = self.concern.take_id()
        ref = f"C{pk:06d}"
        head = rng.random() < 0.04
        team = Team.HEAD if head else Team.DSL
        workers = [sp.head] if head else [*sp.team, self.people.trust_dsl]
        reporter = rng.choice(sp.staff)
        urgent = not head and rng.random() < 0.03
        category = rng.choice(self.categories)
        location = rng.choice(self.locations)
        voice = rng.choice(texts.VOICE) if rng.random() < 0.75 else ""
        c = {
            "pk": pk,
            "ref": ref,
            "sp": sp,
            "team": team,
            "workers": workers,
            "urgent": urgent,
            "category": category,
            "at": at,
            "reporter": reporter,
        }
        status = self._cycle(c, 1, at)
        self.concern.add(
            id=pk,
            submission_key=uuid.UUID(int=rng.getrandbits(128), version=4),
            status=status,
            route=Concern.Route.HEAD if head else Concern.Route.DSL_TEAM,
            form_title="Low-level concern about an adult"
            if head
            else "General concern",
            reported_by_id=reporter,
            recorded_by_id=reporter,
            occurred_on=(at - timedelta(days=rng.choice([0, 0, 0, 1, 2]))).date(),
            occurred_at=time(rng.randint(8, 16), rng.choice([0, 15, 30, 45])),
            location_id=location[0],
            location_name=location[1],
            what_happened=rng.choice(texts.WHAT),
            child_voice=voice,
            child_voice_not_known=""
            if voice
            else "Synthetic: too upset to talk today.",
            primary_category_id=category[0],
            primary_category_name=category[1],
            # Triage (below) confirms the reported category.
            reporting_category_id=category[0],
            tag_names=[],
            immediate_risk=urgent,
            answers=[],
            submitted_at=at,
            school_id=sp.school.pk,
        )
        self.audit.created(
            Concern,
            pk,
            ref,
            at,
            reporter,
            {"status": "received", "school": sp.school.pk},
        )
        roles = [
            InvolvementRole.SUBJECT,
            InvolvementRole.ALLEGED_PERPETRATOR,
            InvolvementRole.WITNESS,
            InvolvementRole.OTHER,
        ]
        for n, child in enumerate(children):
            role = roles[0] if n == 0 else rng.choice(roles)
            link = self.involvement.take_id()
            self.involvement.add(id=link, concern_id=pk, pupil_id=child, role=role)
            self.audit.created(
                ConcernPupil,
                link,
                f"{self.names[child]}",
                at,
                reporter,
                {"concern": pk, "pupil": child, "role": role},
            )
        return pk

    def _finish(self, created, step, stuck):
        """When the step is done, or None if it is still open now."""
        if stuck == step:
            return None
        mean = MEAN_DAYS[step]
        done = (
            created
            + timedelta(minutes=10)
            + timedelta(days=self.rng.expovariate(1 / mean))
        )
        return done if done < self.now else None

    def _human(self, run, c, step, created, due_on, stuck, **extra):
        done = self._finish(created, step, stuck)
        owner = self.rng.choice(c["workers"])
        claimed = created + timedelta(minutes=self.rng.randint(2, 240))
        if done is None and (self.rng.random() < 0.5 or claimed > self.now):
            owner = None  # waiting in the team queue, unclaimed
        if done is not None:
            claimed = min(claimed, done - MS * 2)
        pk = run.task(
            step,
            "HUMAN",
            at=created,
            done_at=done,
            owner=owner,
            assigned=claimed,
            due_on=due_on,
            today=self.today,
            **extra,
        )
        if owner:
            self.audit.changed(
                CaseTask,
                pk,
                f"<concern.{step}/{pk}> - ASSIGNED",
                claimed,
                owner,
                {"owner": ["", self.names.get(("u", owner), "")]},
            )
        return pk, done, owner

    def _cycle(self, c, cycle, at):
        """Walk one cycle of ConcernFlow from `at`; returns the concern's status."""
        rng = self.rng
        sp = c["sp"]
        run = self.procs.run(
            CONCERN_FLOW,
            created=at,
            school_id=sp.school.pk,
            team=c["team"],
            cycle=cycle,
            urgent=c["urgent"] and cycle == 1,
            concern_id=c["pk"],
        )
        self.audit.created(
            CaseProcess,
            run.pk,
            f"Concern #{run.pk}",
            at,
            c["reporter"] if cycle == 1 else None,
            {"cycle": cycle, "status": "NEW"},
        )
        outcome = (
            rng.choice(self.outcomes)
            if c["team"] == Team.DSL
            else rng.choice(["nfa", "monitor"])
        )
        agencies = []
        if outcome == "referral":
            agencies = rng.sample(self.agencies, k=rng.choice([1, 1, 1, 2, 2, 3]))
            agencies = list({a[0]: a for a in agencies}.values())
        sign_off = rng.random() < 0.12
        steps = (
            ["triage", "decide"]
            + (["follow_up"] if agencies else [])
            + ["close"]
            + (["sign_off"] if sign_off else [])
        )
        if cycle == 2:
            steps.remove("triage")
        stuck = rng.choice(steps) if rng.random() < STUCK else None
        try:
            return self._walk(run, c, cycle, at, steps, stuck, outcome, agencies)
        finally:
            run.write()

    def _walk(self, run, c, cycle, at, steps, stuck, outcome, agencies):
        rng, pk, ref = self.rng, c["pk"], c["ref"]
        if cycle == 1:
            run.task("start", "START", at=at)
            run.task("check_urgency", "EXCLUSIVE_GATEWAY", at=at + MS)
            run.task(
                "alert_urgent" if c["urgent"] else "alert_team",
                "FUNCTION",
                at=at + MS * 2,
            )
            self._notify(c, at + MS * 3)
            t = at + MS * 4
            due = t.date() if c["urgent"] else weekdays_after(t.date(), 1)
            _task, done, owner = self._human(run, c, "triage", t, due, stuck)
            if done is None:
                return Concern.Status.RECEIVED
            risk = (
                "immediate"
                if c["urgent"]
                else rng.choice(["low", "medium", "medium", "high"])
            )
            tid = self.triage.take_id()
            self.triage.add(
                id=tid,
                concern_id=pk,
                cycle=1,
                primary_category_id=c["category"][0],
                primary_category_name=c["category"][1],
                tag_names=[],
                risk_level=risk,
                risk_reason=texts.RISK_REASON,
                triaged_by_id=owner,
                triaged_at=done,
            )
            self.audit.created(
                Triage,
                tid,
                f"{ref} triage",
                done,
                owner,
                {"concern": pk, "cycle": 1, "risk_level": risk},
            )
            self.audit.changed(
                Concern, pk, ref, done, owner, {"status": ["received", "in_progress"]}
            )
            self.audit.read(
                Concern,
                pk,
                ref,
                done - timedelta(minutes=5),
                owner,
                "concern read",
                via="concern page",
            )
            t = done + MS
        else:
            run.task("reopen", "START", at=at)
            t = at + MS
        _task, done, owner = self._human(
            run, c, "decide", t, weekdays_after(t.date(), 1), stuck
        )
        if done is None:
            return Concern.Status.IN_PROGRESS
        review_on = None
        if outcome in ("monitor", "referral", "early_help") and rng.random() < 0.3:
            review_on = done.date() + timedelta(days=rng.choice([28, 42, 56, 84]))
        did = self.decision.take_id()
        self.decision.add(
            id=did,
            concern_id=pk,
            cycle=cycle,
            outcome=outcome,
            rationale=texts.RATIONALE,
            review_on=review_on,
            decided_by_id=owner,
            decided_at=done,
        )
        self.audit.created(
            Decision,
            did,
            f"{ref}: {outcome}",
            done,
            owner,
            {"concern": pk, "cycle": cycle, "outcome": outcome},
        )
        if outcome in ("monitor", "internal_support") and rng.random() < 0.4:
            self._action(c, done, owner)
        t = done + MS
        run.task("check_referrals", "EXCLUSIVE_GATEWAY", at=t)
        if agencies:
            ends = self._referrals(run, c, did, agencies, t + MS, done, owner, stuck)
            if ends is None:
                return Concern.Status.IN_PROGRESS
            t = ends
        _task, done, owner = self._human(
            run, c, "close", t, weekdays_after(t.date(), 5), stuck
        )
        if done is None:
            return Concern.Status.IN_PROGRESS
        closure = {
            "id": self.closure.take_id(),
            "concern_id": pk,
            "cycle": cycle,
            "outcome_summary": rng.choice(texts.OUTCOME),
            "rationale": texts.RATIONALE,
            "review_on": review_on,
            "needs_sign_off": "sign_off" in steps,
            "closed_by_id": owner,
            "closed_at": done,
        }
        self.counts["closures"] += 1
        self.audit.created(
            Closure,
            closure["id"],
            f"{ref} closed",
            done,
            owner,
            {"concern": pk, "cycle": cycle},
        )
        try:
            t = done + MS
            run.task("check_sign_off", "EXCLUSIVE_GATEWAY", at=t)
            if "sign_off" in steps:
                c2 = dict(
                    c, workers=[w for w in c["workers"] if w != owner] or c["workers"]
                )
                _task, signed, signer = self._human(
                    run, c2, "sign_off", t + MS, weekdays_after(t.date(), 2), stuck
                )
                if signed is None:
                    return Concern.Status.IN_PROGRESS
                closure.update(
                    signed_off_by_id=signer,
                    signed_off_at=signed,
                    sign_off_note="Synthetic: agreed.",
                )
                t = signed + MS
                run.task("check_signed_off", "EXCLUSIVE_GATEWAY", at=t)
            run.end(t + MS)
            self.audit.changed(
                Concern, pk, ref, t, owner, {"status": ["in_progress", "closed"]}
            )
            if cycle == 1 and review_on and rng.random() < 0.5:
                reopen_at = datetime.combine(review_on, time(7, 0), tzinfo=t.tzinfo)
                if t < reopen_at < self.now:
                    closure.update(reopened_at=reopen_at, reopen_reason=texts.REOPEN)
                    self.counts["reopened"] += 1
                    return self._cycle(c, 2, reopen_at)
            return Concern.Status.CLOSED
        finally:
            self.closure.add(**closure)
