"""The rest of a trust's files: profile flags, key people and notes (rows), and —
through the app's own services, since there are few — restrictions and transfers in
and out (their processes and tasks made by Viewflow itself)."""

from datetime import datetime, time, timedelta

from accounts.models import User
from records.models import FileNote, KeyPerson, Pupil, PupilFlag
from records.restrictions.services import restriction_set
from workflows.transfers import transfer_in_start, transfer_out_start

from . import texts
from .writer import Table

FLAG_KEYS = [
    "cin",
    "cp-plan",
    "looked-after",
    "early-help",
    "send",
    "ehcp",
    "young-carer",
]


class Files:
    def __init__(self, *, rng, terms, now, audit, names):
        self.rng, self.terms, self.now, self.audit = rng, terms, now, audit
        self.names = names
        self.flag = Table(PupilFlag)
        self.person = Table(KeyPerson)
        self.note = Table(FileNote)
        self.counts = {"flags": 0, "key people": 0, "notes": 0}

    def tables(self):
        return [self.flag, self.person, self.note]

    def flush(self):
        for table in self.tables():
            table.flush()

    def pupil(self, sp, pupil, *, notes, dsl):
        """Flags and a key person for some children; `notes` notes on the file."""
        rng = self.rng
        flags = [
            self.terms["profile_flag"][k]
            for k in FLAG_KEYS
            if k in self.terms["profile_flag"]
        ]
        if notes or rng.random() < 0.06:
            flag_id, flag_name, _key = rng.choice(flags)
            starts = self.now.date() - timedelta(days=rng.randint(10, 900))
            pk = self.flag.take_id()
            self.flag.add(
                id=pk,
                pupil_id=pupil,
                flag_id=flag_id,
                flag_name=flag_name,
                starts_on=starts,
                ends_on=None if rng.random() < 0.7 else starts + timedelta(days=200),
                note="Synthetic flag.",
                recorded_by_id=dsl,
                recorded_at=self._at(starts),
            )
            self.audit.created(
                PupilFlag,
                pk,
                f"{self.names[pupil]}: {flag_name}",
                self._at(starts),
                dsl,
                {"pupil": pupil},
            )
            self.counts["flags"] += 1
            person = self.person.take_id()
            self.person.add(
                id=person,
                pupil_id=pupil,
                role=KeyPerson.Role.SOCIAL_WORKER,
                name="Sam Example (synthetic)",
                organisation="Example County Council",
                phone="01632 960000",
                from_date=starts,
                recorded_by_id=dsl,
                recorded_at=self._at(starts),
            )
            self.counts["key people"] += 1
        for _n in range(notes):
            kind, title, body = rng.choice(texts.NOTES)
            at = self.now - timedelta(days=rng.uniform(1, 1000))
            pk = self.note.take_id()
            self.note.add(
                id=pk,
                pupil_id=pupil,
                kind=kind,
                title=title,
                occurred_at=at,
                body=body,
                people="",
                child_voice="",
                recorded_by_id=dsl,
                recorded_at=at + timedelta(hours=2),
            )
            self.audit.created(
                FileNote,
                pk,
                title,
                at + timedelta(hours=2),
                dsl,
                {"pupil": pupil, "kind": kind},
            )
            self.counts["notes"] += 1

    def _at(self, day):
        return datetime.combine(day, time(11, 0), tzinfo=self.now.tzinfo)


def restrictions_and_transfers(*, rng, people, concerns_by_school, today):
    """A few restricted files and concerns, and transfers in and out, through the
    services (their audit entries and processes are the app's own)."""
    made = {"restrictions": 0, "transfers": 0}
    for sp in people.schools:
        dsl = User.objects.get(pk=sp.dsl)
        others = list(User.objects.filter(pk__in=sp.team[1:]))
        pupils = sp.pupils[1:]
        for pupil_id in rng.sample(pupils, k=min(3, len(pupils))):
            restriction_set(
                obj=Pupil.objects.get(pk=pupil_id),
                user=dsl,
                reason="Synthetic: a member of staff is related to the child.",
                people=others[:1],
            )
            made["restrictions"] += 1
        for concern in rng.sample(
            concerns_by_school[sp.school.pk],
            k=min(3, len(concerns_by_school[sp.school.pk])),
        ):
            restriction_set(
                obj=concern,
                user=dsl,
                reason="Synthetic: the concern names a member of staff's family.",
                people=others,
            )
            made["restrictions"] += 1
        leavers = Pupil.objects.filter(pk__in=pupils[-40:], date_left__isnull=True)[:3]
        for pupil in leavers:
            transfer_out_start(
                pupil=pupil,
                user=dsl,
                starts_on=today + timedelta(days=rng.randint(-10, 30)),
                other_school_name="Far View Academy (synthetic)",
                other_contact="A. Rivers (synthetic), DSL, 01632 960111",
            )
            made["transfers"] += 1
        for pupil in Pupil.objects.filter(pk__in=pupils[-80:-40])[:2]:
            transfer_in_start(pupil=pupil, user=dsl)
            made["transfers"] += 1
    return made
