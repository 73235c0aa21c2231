"""On one installation, the receiving school's DSLs hear as soon as a file is
sent to them, with a transfer in to work on when the child is on their roll."""

from django.urls import reverse

from accounts.models import Role
from records.models import Transfer
from workflows.models import Notification

from ..builders import transfer_out, transfer_send, transfer_task
from ..factories import PupilFactory


def test_the_receiving_dsls_are_told_and_get_the_task_when_the_file_is_sent(
    pupil, dsl, other_school, make_member
):
    their_dsl = make_member(Role.DSL, at=other_school)
    their_deputy = make_member(Role.DEPUTY_DSL, at=other_school)
    joined = PupilFactory(school=other_school, upn=pupil.upn)
    transfer = transfer_out(pupil, dsl, other_school=other_school)
    assert not Notification.objects.filter(user=their_dsl).exists()
    transfer_send(transfer, dsl)
    incoming = Transfer.objects.get(pupil=joined, direction=Transfer.Direction.IN)
    assert transfer_task(incoming, "ask_expected")
    for user in (their_dsl, their_deputy):
        told = Notification.objects.get(user=user, message__contains="on its way")
        assert pupil.school.name in told.message
        assert told.url == reverse("workflows:transfer_detail", args=[incoming.pk])
    assert not Notification.objects.filter(
        user=dsl, message__contains="on its way"
    ).exists()


def test_a_child_not_yet_on_their_roll_is_announced_with_the_transfer_list(
    pupil, dsl, other_school, make_member
):
    their_dsl = make_member(Role.DSL, at=other_school)
    transfer_send(transfer_out(pupil, dsl, other_school=other_school), dsl)
    told = Notification.objects.get(user=their_dsl, message__contains="on its way")
    assert told.url == reverse("workflows:transfer_list")
    assert not Transfer.objects.filter(school=other_school).exists()
