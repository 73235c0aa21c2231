"""The terms every school starts with: KCSIE categories with definitions, agencies,
locations, decisions and outcomes, pupil profile flags. DSLs rename, retire, merge and
add to them in the admin; `key` keeps each one identifiable across renames."""

from django.db import migrations

# (key, name, definition, [(key, name, definition), ...] sub-categories)
CATEGORIES = [
    ("physical-abuse", "Physical abuse",
     "Hitting, shaking, throwing, poisoning, burning or scalding, drowning, suffocating "
     "or otherwise causing physical harm to a child, including fabricating or inducing "
     "illness.", []),
    ("emotional-abuse", "Emotional abuse",
     "Persistent emotional maltreatment that severely harms a child's emotional "
     "development: making them feel worthless or unloved, frightening them, or exposing "
     "them to the ill-treatment of others.", []),
    ("sexual-abuse", "Sexual abuse",
     "Forcing or enticing a child to take part in sexual activities, with or without "
     "contact, including online, and whether or not the child is aware of what is "
     "happening.", []),
    ("neglect", "Neglect",
     "Persistent failure to meet a child's basic physical or psychological needs (food, "
     "clothing, shelter, supervision, medical care, emotional needs), likely to seriously "
     "impair their health or development.", []),
    ("child-on-child", "Child-on-child abuse",
     "Abuse of a child by another child or children: bullying, physical abuse, sexual "
     "violence and harassment, initiation or hazing, sharing of nudes, upskirting.", [
         ("sexual-violence", "Sexual violence between children",
          "Rape, assault by penetration or sexual assault by one child of another."),
         ("sexual-harassment", "Sexual harassment between children",
          "Unwanted conduct of a sexual nature between children, online or offline, such "
          "as sexual comments, jokes, touching or sharing sexual images."),
         ("harmful-sexual-behaviour", "Harmful sexual behaviour",
          "Sexual behaviour by a child that is developmentally inappropriate, harmful to "
          "themselves or others, or abusive."),
         ("bullying", "Bullying, including cyberbullying",
          "Repeated behaviour by children intended to hurt another child physically or "
          "emotionally, in person or online."),
     ]),
    ("exploitation", "Exploitation",
     "A child or young person is manipulated, coerced or deceived into activity in "
     "exchange for something they need or want, or for the benefit of the abuser.", [
         ("cce", "Child criminal exploitation (CCE)",
          "A child is coerced, controlled or manipulated into criminal activity, such as "
          "carrying drugs or money, or stealing."),
         ("cse", "Child sexual exploitation (CSE)",
          "A child is coerced, manipulated or deceived into sexual activity in exchange for "
          "something, or for the benefit of the perpetrator."),
         ("county-lines", "County lines",
          "A child is used by gangs to move and sell drugs across areas, often away from "
          "home."),
         ("modern-slavery", "Modern slavery and trafficking",
          "A child is moved, held or forced into work or services; may need a National "
          "Referral Mechanism referral."),
     ]),
    ("honour-based-abuse", "So-called honour-based abuse",
     "Abuse committed to protect or defend the supposed honour of a family or community.", [
         ("fgm", "Female genital mutilation (FGM)",
          "Any procedure that cuts or injures female genitals for non-medical reasons. "
          "Teachers must report a known case to the police themselves."),
         ("forced-marriage", "Forced marriage",
          "A marriage entered into without the full and free consent of one or both "
          "parties, or of a child under 18."),
     ]),
    ("radicalisation", "Radicalisation (Prevent)",
     "A child is being drawn into supporting terrorism or extremist ideologies.", []),
    ("domestic-abuse", "Domestic abuse",
     "A child sees, hears or experiences the effects of abuse between people aged 16 or "
     "over who are personally connected, such as parents or carers.", []),
    ("operation-encompass", "Operation Encompass notification",
     "The police tell the school that a child was present at, or affected by, a domestic "
     "abuse incident.", []),
    ("online-safety", "Online safety",
     "Harm or risk online: harmful content, contact with people who mean harm, harmful "
     "conduct, or commercial risks such as scams and gambling.", []),
    ("mental-health", "Mental health",
     "Signs that a child may be experiencing a mental health problem, or that "
     "experiences are affecting their mental health.", [
         ("self-harm", "Self-harm",
          "A child hurts themselves on purpose, or talks or writes about doing so."),
     ]),
    ("missing-education", "Children absent from education",
     "Repeated or unexplained absence, or a child missing from education, which can be a "
     "sign of abuse, neglect or exploitation.", []),
    ("abduction", "Child abduction and community safety",
     "A child is taken or kept away from a parent or carer, or approached by an adult in "
     "a way that causes concern.", []),
    ("serious-violence", "Serious violence",
     "A child is involved in, at risk of, or affected by serious violence, including "
     "knife crime and gang involvement.", []),
    ("drugs-alcohol", "Drugs and alcohol",
     "A child uses, is affected by or is exposed to drugs or alcohol, including a "
     "parent's or carer's use.", []),
    ("homelessness", "Homelessness",
     "A child or family is homeless or at risk of becoming homeless.", []),
    ("family-in-prison", "Family member in prison",
     "A parent or close family member is in prison, putting the child at risk of poor "
     "outcomes.", []),
    ("court-system", "Children and the court system",
     "A child is a witness or victim in a criminal case, or involved in family court "
     "proceedings.", []),
    ("cybercrime", "Cybercrime",
     "A child is involved in, or at risk of, criminal activity using computers, such as "
     "hacking.", []),
    ("other", "Other concern",
     "A worry about a child's welfare that fits no other category: describe it in "
     "full.", []),
]
AGENCIES = [
    ("csc", "Children's social care / MASH"), ("police", "Police"), ("lado", "LADO"),
    ("prevent", "Prevent"), ("early-help", "Early help"), ("camhs", "CAMHS"),
    ("school-nurse", "School nurse / health"), ("gp", "GP"),
    ("youth-justice", "Youth offending / youth justice"), ("housing", "Housing"),
    ("virtual-school", "Virtual school head"), ("other", "Other agency"),
]
OUTCOMES = [
    ("nfa", "No further action"), ("monitor", "Monitor in school"),
    ("internal-support", "Internal support"), ("early-help", "Early help"),
    ("referral-csc", "Referral to children's social care / MASH"),
    ("referral-police", "Referral to police"), ("referral-lado", "Referral to LADO"),
    ("referral-prevent", "Referral to Prevent / Channel"),
    ("referral-health", "Referral to health (CAMHS / school nurse)"),
    ("referral-other", "Referral to another agency"),
]
LOCATIONS = [
    ("classroom", "Classroom"), ("corridor", "Corridor"), ("playground", "Playground"),
    ("toilets", "Toilets"), ("changing-rooms", "Changing rooms"),
    ("dining-hall", "Dining hall"), ("school-gate", "School gate"),
    ("journey", "Journey to or from school"), ("school-trip", "School trip"),
    ("online", "Online"), ("home", "Home"), ("community", "In the community"),
    ("other", "Elsewhere"),
]
PROFILE_FLAGS = [
    ("cin", "Child in need (CIN)"), ("cp-plan", "Child protection plan"),
    ("looked-after", "Looked after (CLA)"),
    ("previously-looked-after", "Previously looked after"),
    ("early-help", "Early help"), ("send", "SEND support"), ("ehcp", "EHC plan"),
    ("young-carer", "Young carer"), ("privately-fostered", "Privately fostered"),
    ("family-in-prison", "Family member in prison"), ("channel", "Channel support"),
]


def create(apps, schema_editor):
    Term = apps.get_model("taxonomy", "Term")

    def add(vocabulary, key, name, order, definition="", parent=None):
        return Term.objects.create(
            vocabulary=vocabulary, key=key, name=name, sort_order=order,
            definition=definition, parent=parent,
        )

    for order, (key, name, definition, children) in enumerate(CATEGORIES):
        parent = add("category", key, name, order * 10, definition)
        for child_order, (child_key, child_name, child_definition) in enumerate(children):
            add("category", child_key, child_name, child_order * 10, child_definition,
                parent)
    for vocabulary, terms in [("agency", AGENCIES), ("outcome", OUTCOMES),
                              ("location", LOCATIONS), ("profile_flag", PROFILE_FLAGS)]:
        for order, (key, name) in enumerate(terms):
            add(vocabulary, key, name, order * 10)


def remove(apps, schema_editor):
    Term = apps.get_model("taxonomy", "Term")
    shipped = Term.objects.exclude(key="")
    shipped.filter(parent__isnull=False).delete()
    shipped.delete()


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
