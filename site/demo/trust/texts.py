"""Invented wording for generated records: varied enough to read like a real log,
never about a real child or adult."""

WHAT = [
    "Synthetic. Arrived late and hungry for the third day this week; said there was "
    "no breakfast at home and the electricity had been off.",
    "Synthetic. Bruise on the upper arm noticed in PE; gave two different accounts of "
    "how it happened and became upset when asked again.",
    "Synthetic. Told a lunchtime supervisor that older pupils take their money on the "
    "way home and threatened to post a video of them.",
    "Synthetic. Parent arrived to collect smelling strongly of alcohol and unsteady on "
    "their feet; the child was reluctant to leave with them.",
    "Synthetic. Shared in a lesson that they had been talking online to someone who "
    "asked them to keep the chat secret and to send pictures.",
    "Synthetic. Scratches on the forearm seen during art; said they 'do it when "
    "everything is too loud' and asked the teacher not to tell anyone.",
    "Synthetic. Disclosed that there was shouting and a door broken at home last "
    "night; police attended (Operation Encompass call received this morning).",
    "Synthetic. Has missed nine days this half term with no explanation; phone calls "
    "to home unanswered and the family not seen at the address.",
    "Synthetic. Pushed to the ground and kicked by two pupils on the field; first aid "
    "given for a graze; says it happens most days.",
    "Synthetic. Found with a vape and a large amount of cash; vague about where it "
    "came from and seen getting into an unknown car after school.",
]
VOICE = [
    "'I don't want to go home tonight.'",
    "'It's fine, it's always like this.'",
    "'Please don't tell my mum I said.'",
    "'They said they'd hurt my brother if I told.'",
    "'I just want it to stop.'",
    "'Nobody listens when I say.'",
]
RISK_REASON = (
    "Synthetic: weighed against the threshold document and what the file already "
    "holds; the pattern and the child's account set the level."
)
RATIONALE = (
    "Synthetic rationale: we spoke to the child and the class teacher, checked the "
    "file for earlier concerns and weighed the risk against the local threshold "
    "document; this response is proportionate and will be reviewed."
)
OUTCOME = [
    "Synthetic: support in place; parents spoken to; no further incidents seen.",
    "Synthetic: agency assessment complete; school actions done; monitoring ends.",
    "Synthetic: pastoral plan reviewed with the child; they say things are better.",
]
REOPEN = "Synthetic: the review date was reached; the decision is looked at again."
ACTIONS = [
    "Pastoral check-in with the child",
    "Call home to speak to a parent",
    "Update the class teacher and the SENCo",
    "Check attendance daily for two weeks",
    "Book a meeting with the school nurse",
]
NOTES = [
    (
        "meeting",
        "Team around the family meeting",
        "Synthetic: actions agreed; next meeting in six weeks.",
    ),
    (
        "phone",
        "Call from the social worker",
        "Synthetic: home visit went well; plan continues.",
    ),
    (
        "discussion",
        "Conversation with the child",
        "Synthetic: says lunchtimes are easier now.",
    ),
    (
        "email",
        "Email from the early help worker",
        "Synthetic: family engaging with the parenting course.",
    ),
]
AGENCY_OUTCOMES = ["assessment", "support", "step_down", "advice", "nfa", "strategy"]
