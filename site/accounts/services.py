"""Writes for users, schools and roles. Keyword-only, atomic, validated."""

from django.db import transaction

from .models import Membership, Role, User
from .roles import group_for


@transaction.atomic
def user_sync_role_groups(*, user):
    """Make the user's groups exactly the groups of the roles they hold."""
    held = set(user.memberships.values_list("role", flat=True))
    role_groups = {group_for(role) for role in Role}
    wanted = {group_for(role) for role in held}
    user.groups.remove(*(role_groups - wanted))
    user.groups.add(*wanted)


@transaction.atomic
def membership_grant(*, user, school, role):
    existing = Membership.objects.filter(user=user, school=school, role=role).first()
    if existing:
        return existing
    membership = Membership(user=user, school=school, role=Role(role))
    membership.full_clean()
    membership.save()
    user_sync_role_groups(user=user)
    return membership


@transaction.atomic
def membership_revoke(*, user, school, role):
    for membership in Membership.objects.filter(user=user, school=school, role=role):
        membership.delete()
    user_sync_role_groups(user=user)


@transaction.atomic
def user_upsert(*, username, email, first_name, last_name, password=None):
    """Create the user or bring their details up to date; set the password if given."""
    user = User.objects.filter(username=username).first() or User(username=username)
    user.email, user.first_name, user.last_name = email, first_name, last_name
    if password is not None:
        user.set_password(password)
    user.full_clean(exclude=["password"] if password is None else None)
    user.save()
    return user
