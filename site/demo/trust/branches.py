"""The side branches of a concern's process, as rows: one referral follow-up per
agency (Viewflow's split and join), an internal action with its own ActionFlow, and
the team's notifications of a new concern. Mixed into casework.Casework."""

from datetime import datetime, time, timedelta

from records.models import Referral

from . import texts
from .processes import ACTION_FLOW, MS


def weekdays_after(day, n):
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


class Branches:
    def _referrals(self, run, c, decision, agencies, t, decided, dsl, stuck):
        """The split, one follow-up per agency, and the join once all are done.
        Returns when the last follow-up finished, or None while one is open."""
        split = run.task("split_referrals", "PARALLEL_GATEWAY", at=t)
        finished, follow_ups = [], []
        for n, (agency_id, agency_name, key) in enumerate(agencies, start=1):
            rid = self.referral.take_id()
            self.counts["referrals"] += 1
            due = weekdays_after(decided.date(), 1 if key == "csc" else 5)
            task, done, owner = self._human(
                run,
                c,
                "follow_up",
                t + MS,
                due,
                stuck,
                token=f"start/{split}_{n}",
                data={"referral": rid},
                referral_id=rid,
                prev=[split],
            )
            follow_ups.append(task)
            outcome = self.rng.choice(texts.AGENCY_OUTCOMES) if done else ""
            self.referral.add(
                id=rid,
                concern_id=c["pk"],
                decision_id=decision,
                agency_id=agency_id,
                agency_name=agency_name,
                response_due=due,
                contacted_on=decided.date(),
                method=self.rng.choice(["phone", "portal", "email"]),
                reference=f"SYN-{rid:07d}",
                responded_on=done.date() if done else None,
                agency_outcome=outcome,
                agency_rationale="Synthetic: threshold not met."
                if outcome == "nfa"
                else "",
                completed_by_id=owner if done else None,
                completed_at=done,
                created_at=decided,
            )
            self.audit.created(
                Referral,
                rid,
                f"{c['ref']} → {agency_name}",
                decided,
                dsl,
                {"concern": c["pk"], "agency": agency_id},
            )
            finished.append(done)
        if any(done is None for done in finished):
            return None
        last = max(finished)
        run.task("referrals_done", "JOIN", at=last + MS, prev=follow_ups)
        return last + MS * 2

    def _action(self, c, at, by):
        """An internal action for someone at the school, with its ActionFlow."""
        rng, sp = self.rng, c["sp"]
        pk = self.action.take_id()
        self.counts["actions"] += 1
        who = rng.choice(sp.team + sp.staff[:3])
        due = at.date() + timedelta(days=rng.randint(3, 14))
        done = None
        if due < self.today and rng.random() < 0.92:
            done = min(
                self.now,
                datetime.combine(due, time(15, 0), tzinfo=at.tzinfo)
                - timedelta(days=rng.randint(0, 2)),
            )
            done = max(done, at + timedelta(hours=1))
        self.action.add(
            id=pk,
            concern_id=c["pk"],
            kind="action",
            description=rng.choice(texts.ACTIONS),
            assigned_to_id=who,
            due_on=due,
            created_by_id=by,
            created_at=at,
            completed_at=done,
            completed_note="Synthetic: done." if done else "",
        )
        run = self.procs.run(
            ACTION_FLOW,
            created=at,
            school_id=sp.school.pk,
            team=c["team"],
            concern_id=c["pk"],
            action_id=pk,
        )
        run.task("start", "START", at=at)
        run.task(
            "do_action",
            "HUMAN",
            at=at + MS,
            done_at=done,
            owner=who,
            due_on=due,
            today=self.today,
        )
        if done:
            run.end(done + MS)
        run.write()

    def _notify(self, c, at):
        sp, ref = c["sp"], c["ref"]
        if c["urgent"]:
            kind, text = (
                "urgent",
                f"URGENT: {ref} at {sp.school.name} — "
                "a child may be at immediate risk.",
            )
        else:
            kind, text = (
                "new_concern",
                f"New concern {ref} at {sp.school.name} is waiting for triage.",
            )
        read = at + timedelta(hours=self.rng.randint(1, 48))
        for user in c["workers"]:
            self.notification.add(
                id=self.notification.take_id(),
                user_id=user,
                kind=kind,
                message=text,
                url="/admin/casework/team-queue/",
                created_at=at,
                read_at=read if read < self.now else None,
                emailed_at=at,
                email_claimed_by="",
            )
