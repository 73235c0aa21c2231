"""Where the audit log places each audited model: the lookup from the model to its
school, and to the concerns and children it is about.

An entry names its object by content type and primary key and has no school of its
own, so the school is found through the object. SCHOOL_SCOPES gives, for each audited
model, the lookup from that model to its school (and the concerns a DSL does not
work: concerns about adults go to the head). Entries about a model not listed here —
trusts, trust-wide terms, models added later — are shown to no one until a line is
added (tests/audit/test_browse.py fails for an audited model with no line).

Plain data, with models named by label: the audit app sits below every other app.
Read by audit.refusals (is a refused record placeable?) and by the audit-log pages
(oversight.selectors).
"""

_DSL_ROUTE: dict[str, str] = {"concern__route": "dsl_team"}

# model label -> (lookup to the school, extra filter on the object)
SCHOOL_SCOPES: dict[str, tuple[str, dict[str, str]]] = {
    "accounts.user": ("memberships__school", {}),
    "accounts.school": ("pk", {}),
    "accounts.membership": ("school", {}),
    "accounts.pendingrolegrant": ("school", {}),
    "accounts.schoolterm": ("school", {}),
    "accounts.schoolclosureday": ("school", {}),
    "otp_totp.totpdevice": ("user__memberships__school", {}),
    "otp_static.staticdevice": ("user__memberships__school", {}),
    "api.apitoken": ("user__memberships__school", {}),
    "api.servicetoken": ("school", {}),
    "api.webhookendpoint": ("school", {}),
    "concern_forms.concerndraft": ("user__memberships__school", {}),
    "taxonomy.term": ("school", {}),
    "taxonomy.concerncategory": ("school", {}),
    "taxonomy.agency": ("school", {}),
    "taxonomy.location": ("school", {}),
    "taxonomy.outcome": ("school", {}),
    "taxonomy.profileflag": ("school", {}),
    "records.pupil": ("school", {}),
    "records.concern": ("school", {"route": "dsl_team"}),
    "records.concernpupil": ("concern__school", _DSL_ROUTE),
    # The adult a concern names: with its concern (route HEAD is never shown).
    "records.concernaboutadult": ("concern__school", _DSL_ROUTE),
    "records.concernattachment": ("concern__school", _DSL_ROUTE),
    "records.triage": ("concern__school", _DSL_ROUTE),
    "records.decision": ("concern__school", _DSL_ROUTE),
    "records.referral": ("concern__school", _DSL_ROUTE),
    "records.referralcontact": ("concern__school", _DSL_ROUTE),
    "records.action": ("concern__school", _DSL_ROUTE),
    "records.closure": ("concern__school", _DSL_ROUTE),
    "records.addendum": ("pupil__school", {}),
    "records.fileaudit": ("pupil__school", {}),
    "records.fileauditaction": ("audit__pupil__school", {}),
    "records.fileauditsample": ("school", {}),
    "records.filenote": ("pupil__school", {}),
    "records.keyperson": ("pupil__school", {}),
    "records.noteattachment": ("note__pupil__school", {}),
    "records.pupilflag": ("pupil__school", {}),
    "records.pupillink": ("from_pupil__school", {}),
    "records.significantmark": ("pupil__school", {}),
    "records.transfer": ("school", {}),
    "records.transferdocument": ("transfer__school", {}),
    "records.previousschoolentry": ("pupil__school", {}),
    "records.importedrecord": ("pupil__school", {}),
    "records.legalhold": ("pupil__school", {}),
    "records.destructioncertificate": ("school", {}),
    "workflows.caseprocess": ("school", {}),
    "workflows.caseworksettings": ("school", {}),
    "workflows.patternrule": ("school", {}),
    "workflows.patternreview": ("pupil__school", {}),
    "records.restriction": ("school", {}),
    "records.breakglassaccess": ("school", {}),
}

# Need to know: the lookups from each model to the concern(s) and child(ren) it is
# about. An entry about a record restricted to other people (records.Restriction)
# is not shown, as the record itself is not.
_CONCERN = ("concern", "concern__involvements__pupil")
NEED_TO_KNOW: dict[str, dict[str, tuple[str, ...]]] = {
    "records.pupil": {"pupil": ("pk",)},
    "records.concern": {"concern": ("pk",), "pupil": ("involvements__pupil",)},
    "records.concernpupil": {"concern": ("concern",), "pupil": ("pupil",)},
    "records.concernaboutadult": {"concern": ("concern",), "pupil": _CONCERN[1:]},
    "records.concernattachment": {"concern": ("concern",), "pupil": _CONCERN[1:]},
    "records.triage": {"concern": ("concern",), "pupil": _CONCERN[1:]},
    "records.decision": {"concern": ("concern",), "pupil": _CONCERN[1:]},
    "records.referral": {"concern": ("concern",), "pupil": _CONCERN[1:]},
    "records.referralcontact": {"concern": ("concern",), "pupil": _CONCERN[1:]},
    "records.action": {"concern": ("concern",), "pupil": _CONCERN[1:]},
    "records.closure": {"concern": ("concern",), "pupil": _CONCERN[1:]},
    "records.addendum": {"pupil": ("pupil",)},
    "records.fileaudit": {"pupil": ("pupil",)},
    "records.fileauditaction": {"pupil": ("audit__pupil",)},
    "records.filenote": {"concern": ("concern",), "pupil": ("pupil",)},
    "records.keyperson": {"pupil": ("pupil",)},
    "records.noteattachment": {
        "concern": ("note__concern",),
        "pupil": ("note__pupil",),
    },
    "records.pupilflag": {"pupil": ("pupil",)},
    "records.pupillink": {"pupil": ("from_pupil", "to_pupil")},
    "records.significantmark": {"pupil": ("pupil",)},
    "records.transfer": {"pupil": ("pupil",)},
    "records.transferdocument": {"pupil": ("transfer__pupil",)},
    "records.previousschoolentry": {"pupil": ("pupil",)},
    "records.importedrecord": {"pupil": ("pupil",)},
    "records.legalhold": {"pupil": ("pupil",)},
    "records.restriction": {"concern": ("concern",), "pupil": ("pupil",)},
    "records.breakglassaccess": {"concern": ("concern",), "pupil": ("pupil",)},
    "workflows.caseprocess": {
        "concern": ("concern",),
        "pupil": ("concern__involvements__pupil", "transfer__pupil"),
    },
    "workflows.patternreview": {"pupil": ("pupil",)},
}
# Audited but deliberately unscoped: trust-wide, no one school's.
# The case manager's records of a concern about an adult (workflows.adults): like
# the concern (route HEAD), their entries are shown to no one in the audit log.
UNSCOPED: frozenset[str] = frozenset(
    {
        "accounts.trust",
        "workflows.adultcase",
        "workflows.adultcasesettings",
        "workflows.adultpatternreview",
        "workflows.employeraction",
        "workflows.ladoadvice",
        "workflows.ladoreferral",
        "workflows.lowlevelreview",
        "workflows.strategydiscussion",
    }
)
