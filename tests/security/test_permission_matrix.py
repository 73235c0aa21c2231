"""The permission matrix: every URL of the site × every role × GET and POST, against
the outcome declared below.

The URLs come from the URL configuration itself (urlwalk.routes), so a view added
anywhere without a rule here fails `test_every_url_has_a_rule`, naming the URL. Our
own URLs have one rule each, by URL name. Wagtail's built-in admin (pages, images,
documents, users…) is covered by name prefix (WAGTAIL_RULES): it is Wagtail's code,
so the matrix asserts what matters to us — anonymous people are sent to sign in,
staff are refused everything that is not admin furniture (choosers, the dashboard,
their account), only configurators reach the page tree — and, like everywhere, no
500. Wagtail's pages are asked as anonymous, staff and configurator only (the other
roles hold the same Wagtail permissions as staff), to keep the matrix fast.

Outcomes (matrix.py): "allowed" (the view ran: a page, a file, a redirect onwards,
or the input refused with a message), "redirect-to-login" (the API: 401), "403/404"
(or Wagtail's "no permission" bounce to the dashboard), "405".

Every object a URL points at is a real record of one school (conftest.world).
"other_dsl" is the DSL of another school of the same trust: pages that list "your
schools" are allowed to them (they show their own school), pages about one of this
school's records refuse them.
"""

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import ROLES
from .matrix import ALLOW, DENY, LOGIN, NOT_ALLOWED, fetch
from .urlwalk import routes

pytestmark = pytest.mark.django_db

SIGNED_IN = frozenset(ROLES) - {"anonymous"}
CASE_TEAM = frozenset({"dsl", "deputy"})
# Pages that list "the schools where you work a team": the other school's DSL sees
# their own school there.
CASE_TEAM_ANYWHERE = CASE_TEAM | {"other_dsl"}
HEADS = frozenset({"head", "trust_lead"})
TEAM_AND_HEADS = CASE_TEAM | HEADS
TEAM_AND_HEADS_ANYWHERE = TEAM_AND_HEADS | {"other_dsl"}
CONFIGURATORS = frozenset({"configurator", "trust_lead"})
DSLS = frozenset({"dsl"})
DSLS_ANYWHERE = frozenset({"dsl", "other_dsl"})
NOBODY = frozenset()
EVERYONE = frozenset(ROLES) | {"token"}
TOKEN = frozenset({"token"})


@dataclass(frozen=True)
class Rule:
    """Who is allowed, for GET and for POST (a set of roles, or NOT_ALLOWED when
    the method is refused with 405 for everyone).

    on: the world's records that fill the URL's parameters, in order.
    anonymous: what someone not signed in gets (admin pages: sent to sign in).
    refused: what a signed-in role outside the set gets.
    """

    get: frozenset | str
    post: frozenset | str
    on: tuple = ()
    anonymous: str = LOGIN
    refused: str = DENY
    # The role is checked before the method (e.g. wagtail-modeladmin): others are
    # refused even where the method would be 405.
    role_first: bool = False
    exceptions: dict = field(default_factory=dict)  # (role, method) -> outcome


def gets(roles, **kwargs):
    """A page that is only read: POST is 405."""
    return Rule(roles, NOT_ALLOWED, **kwargs)


def posts(roles, **kwargs):
    """An action: GET is 405."""
    return Rule(NOT_ALLOWED, roles, **kwargs)


def page(roles, **kwargs):
    """A page with a form: GET shows it, POST sends it."""
    return Rule(roles, roles, **kwargs)


# The rules for our URLs, by URL name. A new view needs a line here.
RULES = {
    # The site root sends everyone to the admin, which asks for a sign-in.
    "home": page(SIGNED_IN, anonymous=ALLOW),
    # Health checks for load balancers and monitoring: anyone, no case data
    # (tests/ops/test_health.py), GET only.
    "health_live": gets(EVERYONE, anonymous=ALLOW),
    "health_ready": gets(EVERYONE, anonymous=ALLOW),
    # Two-factor enrolment and verification.
    "accounts:two_factor_setup": page(SIGNED_IN),
    "accounts:two_factor_verify": page(SIGNED_IN),
    "accounts:two_factor_backup_codes": page(SIGNED_IN),
    # "Stay signed in" on the idle-sign-out warning: any signed-in user, POST only.
    "accounts:keep_alive": posts(SIGNED_IN, anonymous=DENY),
    # Concern forms: anyone with a role reports; the type-ahead lists only pupils of
    # the user's schools (tests/forms).
    "concern_forms:pupil_search": gets(SIGNED_IN, anonymous=DENY),
    "concern_forms:form": page(SIGNED_IN, on=("page",)),
    "concern_forms:draft": posts(SIGNED_IN, on=("page",), anonymous=DENY),
    "concern_forms:draft_discard": posts(SIGNED_IN, on=("page",), anonymous=DENY),
    "forms:my_reports": page(SIGNED_IN),
    "records:attachment_download": gets(CASE_TEAM, on=("attachment",), anonymous=DENY),
    # The JSON API: bearer tokens only, never the session (401 for everyone else).
    "api-v1:openapi-json": page(EVERYONE, anonymous=ALLOW),
    "api-v1:api-root": page(NOBODY, anonymous=DENY),
    "api-v1:token_info": gets(TOKEN, refused=LOGIN),
    "api-v1:forms_list": gets(TOKEN, refused=LOGIN),
    "api-v1:form_detail": gets(TOKEN, on=("page",), refused=LOGIN),
    "api-v1:concern_submit": posts(TOKEN, on=("page",), refused=LOGIN),
    "api-v1:concern_submit_with_files": posts(TOKEN, on=("page",), refused=LOGIN),
    "api-v1:pupils": gets(TOKEN, refused=LOGIN),
    "api-v1:my_concerns": gets(TOKEN, refused=LOGIN),
    "api-v1:task_counts": gets(TOKEN, refused=LOGIN),
    # Casework reads and report figures (issue 22): the matrix's token (a member of
    # staff's, scopes submit and tasks) lacks their scopes: refused, 403.
    **{
        f"api-v1:{name}": gets(
            NOBODY, on=on, refused=LOGIN, exceptions={("token", "GET"): DENY}
        )
        for name, on in (
            ("casework_tasks", ()),
            ("casework_concerns", ()),
            ("casework_concern", ("concern_reference",)),
            ("casework_chronology", ("pupil",)),
            ("report_figures", ()),
        )
    },
    "api:api_tokens": page(SIGNED_IN),
    # Only the token's owner (staff) may revoke it.
    "api:api_token_revoke": posts(frozenset({"staff"}), on=("spare_token",)),
    # A school's service tokens for the MIS roll sync: its DSL only (issue 22).
    "api:service_tokens": page(DSLS_ANYWHERE),  # the index goes to their school
    "api:service_tokens_school": page(DSLS, on=("school",)),
    "api:service_token_revoke": posts(DSLS, on=("service_token",)),
    # A school's webhooks: its DSL and heads (issue 22).
    "api:webhooks": page(DSLS_ANYWHERE | HEADS),  # the index goes to their school
    "api:webhooks_school": page(DSLS | HEADS, on=("school",)),
    "api:webhook_test": posts(DSLS | HEADS, on=("webhook_endpoint",)),
    "api:webhook_remove": posts(DSLS | HEADS, on=("webhook_endpoint",)),
    # The roll push takes a school's service token only: a person's token, or
    # none, is refused as unauthenticated.
    "api-v1:roll_push": posts(NOBODY, refused=LOGIN),
    # Background tasks: the system administrator alone (tests/ops/test_background.py).
    "ops:background_tasks": page(NOBODY),
    "ops:task_retry": posts(NOBODY),
    # The school calendar: DSLs, deputies and heads of the school.
    "accounts_admin:school_calendar": page(TEAM_AND_HEADS_ANYWHERE),
    "accounts_admin:school_calendar_school": page(TEAM_AND_HEADS, on=("school",)),
    "accounts_admin:school_calendar_term_add": posts(TEAM_AND_HEADS, on=("school",)),
    "accounts_admin:school_calendar_closure_day_add": posts(
        TEAM_AND_HEADS, on=("school",)
    ),
    "accounts_admin:school_calendar_term_remove": page(
        TEAM_AND_HEADS, on=("calendar_term",)
    ),
    "accounts_admin:school_calendar_closure_day_remove": page(
        TEAM_AND_HEADS, on=("closure_day",)
    ),
    # Categories and lists: configurators. The record asked about is one of the
    # school's own categories, so only the category pages reach it; the other lists
    # answer 404 for it, and terms are never deleted.
    **{
        f"taxonomy_{model}_modeladmin_{view}": page(NOBODY, on=("category",))
        for model in ("agency", "location", "outcome", "profileflag")
        for view in ("edit", "delete", "history")
    },
    **{
        f"taxonomy_{model}_modeladmin_index": gets(CONFIGURATORS, role_first=True)
        for model in ("concerncategory", "agency", "location", "outcome", "profileflag")
    },
    **{
        f"taxonomy_{model}_modeladmin_create": page(CONFIGURATORS)
        for model in ("concerncategory", "agency", "location", "outcome", "profileflag")
    },
    "taxonomy_concerncategory_modeladmin_edit": page(CONFIGURATORS, on=("category",)),
    "taxonomy_concerncategory_modeladmin_history": gets(
        CONFIGURATORS, on=("category",), role_first=True
    ),
    "taxonomy_concerncategory_modeladmin_delete": page(NOBODY, on=("category",)),
    "taxonomy:taxonomy_merge": page(CONFIGURATORS, on=("category",)),
    # The child's file: the DSLs and deputies of the child's school.
    "records_admin:file_list": page(CASE_TEAM_ANYWHERE),
    "records_admin:file_attention": page(CASE_TEAM),
    "records_admin:file_detail": page(CASE_TEAM, on=("pupil",)),
    "records_admin:file_note_add": page(CASE_TEAM, on=("pupil",)),
    "records_admin:file_link_add": page(CASE_TEAM, on=("pupil",)),
    "records_admin:file_person_add": page(CASE_TEAM, on=("pupil",)),
    "records_admin:file_person_end": posts(CASE_TEAM, on=("pupil", "person")),
    "records_admin:file_flag_add": page(CASE_TEAM, on=("pupil",)),
    "records_admin:file_flag_end": posts(CASE_TEAM, on=("pupil", "flag")),
    "records_admin:file_access": page(CASE_TEAM, on=("pupil",)),
    "records_admin:file_export": page(CASE_TEAM, on=("pupil",)),
    "records_admin:file_addendum_add": page(CASE_TEAM, on=("pupil", "entry")),
    "records_admin:file_significant": posts(CASE_TEAM, on=("pupil", "entry")),
    "records_admin:file_document": page(CASE_TEAM, on=("document",)),
    "records_admin:pupil_import": page(CASE_TEAM_ANYWHERE),
    "records_admin:pupil_import_school": page(CASE_TEAM, on=("school",)),
    "records_admin:pupil_import_preview": page(CASE_TEAM, on=("school", "entry")),
    # File audits: DSLs, deputies and heads; an action goes to the person given it.
    "records_admin:file_audit_index": page(TEAM_AND_HEADS_ANYWHERE),
    "records_admin:file_audit_sample": posts(TEAM_AND_HEADS_ANYWHERE),
    "records_admin:file_audit_start": posts(TEAM_AND_HEADS_ANYWHERE),
    "records_admin:file_audit_detail": page(TEAM_AND_HEADS, on=("audit",)),
    "records_admin:file_audit_action_add": posts(TEAM_AND_HEADS, on=("audit",)),
    "records_admin:my_audit_actions": page(SIGNED_IN),
    "records_admin:file_audit_action_done": posts(TEAM_AND_HEADS, on=("audit_action",)),
    "records_admin:file_audits": page(TEAM_AND_HEADS, on=("pupil",)),
    # Casework: the school's DSL team works tasks; heads see the status page.
    "workflows:my_tasks": page(SIGNED_IN),
    "workflows:team_queue": page(TEAM_AND_HEADS_ANYWHERE),
    "workflows:casework_task": page(CASE_TEAM, on=("task",)),
    "workflows:task_claim": posts(CASE_TEAM, on=("task",)),
    "workflows:task_release": posts(CASE_TEAM, on=("task",)),
    "workflows:task_reassign": posts(CASE_TEAM, on=("task",)),
    "workflows:casework_concern": page(CASE_TEAM, on=("concern",)),
    "workflows:concern_reopen": posts(CASE_TEAM, on=("concern",)),
    "workflows:casework_status": page(TEAM_AND_HEADS_ANYWHERE),
    "workflows:casework_settings": page(frozenset({"dsl", "other_dsl"})),
    # Concerns about adults: the case manager (the school's heads) only.
    "workflows:adult_cases": page(HEADS),
    "workflows:adult_case": gets(HEADS, on=("adult_case",)),
    "workflows:casework_notifications": page(SIGNED_IN),
    # Only the person notified (the DSL) follows their notification.
    "workflows:notification_open": page(frozenset({"dsl"}), on=("notification",)),
    # File transfers: the DSL team of the child's school. The receiving school's
    # link needs no account: whoever holds the link (and the passphrase, given
    # separately) may download once and confirm receipt.
    "workflows:transfer_list": page(CASE_TEAM_ANYWHERE),
    "workflows:transfer_detail": page(CASE_TEAM, on=("transfer",)),
    "workflows:transfer_document": page(
        CASE_TEAM, on=("transfer", "transfer_document")
    ),
    # The signed receipt made here for a file that came in: read only.
    "workflows:transfer_receipt": gets(CASE_TEAM, on=("transfer_in",)),
    "workflows:transfer_out_start": page(CASE_TEAM, on=("pupil",)),
    "workflows:transfer_in_start": posts(CASE_TEAM, on=("pupil",)),
    "transfer_link": page(SIGNED_IN, on=("link_token",), anonymous=ALLOW),
    # Retention: the school's DSL decides (not deputies, not heads).
    "records_admin:retention_queue": page(DSLS_ANYWHERE),
    "records_admin:retention_certificate": page(DSLS, on=("certificate",)),
    "records_admin:retention_destroy": page(DSLS, on=("pupil",)),
    "records_admin:retention_hold_add": page(DSLS, on=("pupil",)),
    "records_admin:retention_hold_lift": posts(DSLS, on=("pupil", "hold")),
    # Reports: DSLs, deputies and heads, figures for their own schools only; a pin
    # is its owner's.
    "reports:reports": page(TEAM_AND_HEADS_ANYWHERE),
    "reports:reports_export": page(TEAM_AND_HEADS_ANYWHERE, on=("report_format",)),
    "reports:reports_governors": page(TEAM_AND_HEADS_ANYWHERE),
    "reports:reports_health": page(TEAM_AND_HEADS_ANYWHERE),
    "reports:reports_pin": posts(TEAM_AND_HEADS_ANYWHERE),
    "reports:reports_unpin": posts(DSLS, on=("pin",)),
    # The audit log: the DSLs, and the heads and trust leads who oversee them,
    # entries placed at their own schools only; the break-glass register likewise.
    "oversight:audit_log": page(DSLS_ANYWHERE | HEADS),
    "oversight:audit_log_export": page(DSLS_ANYWHERE | HEADS),
    "oversight:audit_log_object": page(
        DSLS | HEADS, on=("audit_content_type", "audit_object_pk")
    ),
    "oversight:audit_log_object_export": page(
        DSLS | HEADS, on=("audit_content_type", "audit_object_pk")
    ),
    "oversight:audit_log_person": page(DSLS | HEADS, on=("audit_person",)),
    "oversight:audit_log_person_export": page(DSLS | HEADS, on=("audit_person",)),
    "oversight:break_glass_register": gets(DSLS_ANYWHERE | HEADS),
    # Need to know: the team restricts what it works, a named person lifts it;
    # break-glass is asked for by the DSL teams (and system administrators, who
    # are not in this matrix: tests/security/test_need_to_know.py); an access is
    # closed only by whoever opened it.
    "records_admin:file_restrict": page(CASE_TEAM, on=("pupil",)),
    "records_admin:concern_restrict": page(CASE_TEAM, on=("concern",)),
    "records_admin:restriction_lift": posts(CASE_TEAM, on=("restriction",)),
    "records_admin:break_glass": page(CASE_TEAM_ANYWHERE),
    "records_admin:break_glass_close": posts(DSLS, on=("break_glass",)),
    # A DSL resets the two-factor of someone at their school (never their own).
    "accounts_admin:two_factor_reset": page(DSLS_ANYWHERE),
    # Remembered devices (issue 21): everyone their own; the owner (staff) alone
    # forgets theirs; a DSL forgets a colleague's with the two-factor reset.
    "remembered_devices": gets(SIGNED_IN),
    "remembered_devices_forget_all": posts(SIGNED_IN),
    "remembered_device_forget": posts(frozenset({"staff"}), on=("remembered_device",)),
    "two_factor_reset_forget_devices": posts(DSLS, on=("audit_person",)),
    # Where concerns about the head go (issue 16): heads read, trust leads set it.
    "school_settings": page(HEADS),
    "school_settings_school": page(HEADS, on=("school",)),
    # A form's own questions (issue 16): the DSLs and deputies of its school.
    "reports_questions": page(CASE_TEAM_ANYWHERE),
    "accounts_admin:two_factor_reset_confirm": page(DSLS, on=("audit_person",)),
    # Who holds which role: a school's DSLs and heads see it (each their own
    # schools); its DSLs give and take roles there.
    "accounts_admin:roles": gets(DSLS_ANYWHERE | HEADS),
    "accounts_admin:role_give": page(DSLS_ANYWHERE),
    "accounts_admin:role_take_away": page(DSLS, on=("membership",)),
    # A role the DSL proposed: a second person at the school (the head; here the
    # trust lead is a head of the school too) confirms it.
    "accounts_admin:role_grant_decide": page(HEADS, on=("pending_grant",)),
}


@dataclass(frozen=True)
class WagtailRule:
    """Wagtail's own views, by name prefix: the outcomes each role may get."""

    anonymous: frozenset
    staff: frozenset
    configurator: frozenset


ANY = frozenset({ALLOW, DENY, NOT_ALLOWED})
REFUSED = frozenset({DENY, NOT_ALLOWED})
SIGN_IN = frozenset({LOGIN})
OPEN = WagtailRule(ANY, ANY, ANY)
# The admin's furniture: dashboard, account, choosers and their listings (titles of
# form pages, images, documents, moderation tasks; never case content).
FURNITURE = WagtailRule(SIGN_IN, ANY, ANY)
# The page tree holds the configured concern forms: configurators edit it.
PAGE_TREE = WagtailRule(SIGN_IN, REFUSED, ANY)
# Users, groups, sites, collections, moderation workflows, redirects, media,
# snippets: superusers only.
SYSTEM = WagtailRule(SIGN_IN, REFUSED, REFUSED)
# Signing out ends at the sign-in page.
SIGN_OUT = WagtailRule(SIGN_IN, ANY | SIGN_IN, ANY | SIGN_IN)
WAGTAIL_RULES = (  # first match wins
    (("wagtailadmin_logout",), SIGN_OUT),
    (("wagtailadmin_login", "wagtailadmin_password_reset", "wagtailcore_login"), OPEN),
    (("wagtailadmin_sprite", "wagtailadmin_javascript_catalog"), OPEN),
    (("wagtailcore_authenticate_with_password",), OPEN),
    (
        (
            "wagtailadmin_home",
            "wagtailadmin_account",
            "wagtailadmin_dismissibles",
            "wagtailadmin_choose_",
            "wagtailadmin_tag_",
            "wagtailadmin_api:",
            "wagtailadmin_editing_sessions:",
            "wagtailadmin_block_preview",
            "wagtaildocs_chooser:",
            "wagtailimages_chooser:",
            "wagtailembeds:",
            "wagtail_modeladmin:javascript_catalog",
            "wagtailadmin_workflows:task_choose",
            "wagtailadmin_workflows:task_chosen",
            "wagtailadmin_reports:site_history",
            # Wagtail renders these confirmation steps to anyone in the admin; the
            # action behind each checks permission.
            "wagtailadmin_pages:choose_parent",
            "wagtailadmin_pages:move_confirm",
            "wagtailadmin_pages:confirm_workflow_cancellation",
            "wagtailadmin_pages:revisions_index",
        ),
        FURNITURE,
    ),
    (
        (
            "wagtailadmin_explore",
            "wagtailadmin_pages:",
            "wagtail_bulk_action",
            "wagtailforms:",
            "wagtailadmin_reports:",
        ),
        PAGE_TREE,
    ),
    (
        (
            "wagtailusers_",
            "wagtailsites:",
            "wagtailadmin_collections:",
            "wagtailadmin_workflows:",
            "wagtailredirects:",
            "wagtaildocs:",
            "wagtailimages:",
            "wagtailsnippets:",
        ),
        SYSTEM,
    ),
)
WAGTAIL_ROLES = ("anonymous", "staff", "configurator")
# Wagtail's deliberate error page ("failwhale"): a 500 is its purpose.
WAGTAIL_SKIPPED = {"wagtailadmin_error_test"}
# Wagtail bugs on an empty POST, upstream (a real browser always sends the fields).
WAGTAIL_KNOWN_500 = {
    ("wagtailadmin_pages:copy", "POST"),
    ("wagtailadmin_choose_page_external_link", "POST"),
}


def wagtail_rule(name):
    for prefixes, rule in WAGTAIL_RULES:
        if name.startswith(prefixes):
            return rule
    return None


ALL_ROUTES = {}
for _route in routes():
    if _route.name is not None:
        ALL_ROUTES.setdefault(_route.name, _route)
OURS = sorted(name for name, route in ALL_ROUTES.items() if not route.is_wagtails)
WAGTAILS = sorted(
    name
    for name, route in ALL_ROUTES.items()
    if route.is_wagtails and name not in WAGTAIL_SKIPPED and name != "wagtail_serve"
)


def test_every_url_has_a_rule():
    """A new URL must be given its expected outcomes above."""
    missing = [
        f"{name}  ({ALL_ROUTES[name].route})" for name in OURS if name not in RULES
    ]
    uncovered = [name for name in WAGTAILS if wagtail_rule(name) is None]
    unnamed = [
        route.route
        for route in routes()
        if route.name is None and not route.is_wagtails
    ]
    assert not missing, "These URL names need a rule in RULES:\n" + "\n".join(missing)
    assert not uncovered, "Wagtail URLs with no WAGTAIL_RULES prefix: " + ", ".join(
        uncovered
    )
    assert not unnamed, "Give these URLs a name (the matrix keys by name): " + str(
        unnamed
    )


def test_every_rule_is_for_a_url():
    stale = sorted(set(RULES) - set(OURS))
    assert not stale, f"Rules for URLs that no longer exist: {stale}"


def expected(rule, route, role, method):
    if (role, method) in rule.exceptions:
        return rule.exceptions[(role, method)]
    allowed = rule.get if method == "GET" else rule.post
    if allowed == NOT_ALLOWED:
        # Wagtail's admin asks for a sign-in before anything else.
        if role == "anonymous":
            return LOGIN if route.is_admin else NOT_ALLOWED
        other = rule.post if method == "GET" else rule.get
        if rule.role_first and role not in other:
            return rule.refused
        return NOT_ALLOWED
    if role in allowed:
        return ALLOW
    return rule.anonymous if role == "anonymous" else rule.refused


def url_for(route, world, on=None):
    if on is not None:
        values = [getattr(world, attribute) for attribute in on]
        values = [getattr(value, "pk", value) for value in values]
        return reverse(route.name, kwargs=dict(zip(route.params, values, strict=True)))
    return reverse(route.name, kwargs=dict(wagtail_params(route, world)))


def wagtail_params(route, world):
    """Something plausible for each of a Wagtail URL's parameters: the concern form
    page for page ids, its model for content types, 1 for anything else."""
    page = world.page.pk
    values = {
        "app_label": "concern_forms",
        "content_type_app_name": "concern_forms",
        "model_name": "concernformpage",
        "content_type_model_name": "concernformpage",
        "app_name": "taxonomy",
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "uidb64": "MQ",
        "token": "x-x",
        "filter_spec": "original",
        "object_id": str(page),
        "action": "delete",
        "action_name": "approve",
    }
    for param in route.params:
        if param in values:
            yield param, values[param]
        elif "page" in param or param in ("destination_id", "pk"):
            yield param, page
        else:
            yield param, 1


def client_for(role, clients, world):
    if role == "token":
        return Client(), {"Authorization": f"Bearer {world.api_secret}"}
    return clients[role], None


@pytest.mark.parametrize("name", OURS)
def test_our_url(name, world, clients):
    route = ALL_ROUTES[name]
    rule = RULES.get(name)
    assert rule is not None, f"{name} ({route.route}) needs a rule in RULES"
    roles = (*ROLES, "token") if route.route.startswith("api/") else ROLES
    assert len(rule.on) == len(route.params), (
        f"{name}: give the rule on=(…) naming a record for each of {route.params}"
    )
    url = url_for(route, world, rule.on)
    wrong = []
    for role in roles:
        client, headers = client_for(role, clients, world)
        for method in ("GET", "POST"):
            got, detail = fetch(client, method, url, headers=headers)
            want = expected(rule, route, role, method)
            if got != want:
                wrong.append(
                    f"{role:<12} {method:<4} {url}: expected {want}, "
                    f"got {got} ({detail})"
                )
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", WAGTAILS)
def test_wagtail_url(name, world, clients):
    route = ALL_ROUTES[name]
    rule = wagtail_rule(name)
    assert rule is not None, f"{name} ({route.route}) needs a WAGTAIL_RULES prefix"
    url = url_for(route, world)
    wrong = []
    for role in WAGTAIL_ROLES:
        for method in ("GET", "POST"):
            got, detail = fetch(clients[role], method, url)
            acceptable = getattr(rule, role)
            if (name, method) in WAGTAIL_KNOWN_500:
                acceptable = acceptable | {"500"}
            if got not in acceptable:
                wrong.append(
                    f"{role:<12} {method:<4} {url}: expected one of "
                    f"{sorted(acceptable)}, got {got} ({detail})"
                )
    assert not wrong, f"{name}:\n" + "\n".join(wrong)
