#!/usr/bin/env python3
"""Report a concern to Chronicle from the terminal, through its API.

An example client, standard library only: it fetches a concern form's definition,
renders it (questions, choices, the categories with their definitions), asks for
each answer, looks the child up, and submits. See docs/api.md.

    export CHRONICLE_API_URL=https://chronicle.example.org
    export CHRONICLE_API_TOKEN=chr_...        # made in Chronicle under "API tokens"
    python3 docs/api-client.py                # choose a form, answer the questions
    python3 docs/api-client.py --form 3 --answers answers.json   # no questions asked
    python3 docs/api-client.py --tasks overdue   # casework: your late tasks, every
                                                 # page (a token with "casework")

An answers file holds what you would type, by field name; categories and places
may be given by name:

    {"pupils": [{"search": "A123456789012", "role": "subject"}],
     "occurred_on": "today", "location": "Playground",
     "what_happened": "...", "child_voice": "...",
     "primary_category": "Bullying, including cyberbullying",
     "immediate_risk": false, "answers": {"has_anyone_else_been_told": "yes"}}
"""

# ruff: noqa: T201 (a terminal program prints)

import argparse
import datetime
import html
import json
import os
import re
import sys
import textwrap
import urllib.error
import urllib.parse
import urllib.request
import uuid


class ApiError(Exception):
    """A refusal: Chronicle sends RFC 9457 problem details (application/problem+
    json: title, status, detail, and errors by field). Something in between (a
    proxy, a gateway) may send anything, so an unreadable body becomes a detail."""

    def __init__(self, status, body):
        super().__init__(f"{status}: {body.get('detail', body)}")
        self.status, self.body = status, body

    @classmethod
    def from_response(cls, error):
        try:
            body = json.load(error)
        except ValueError:
            body = {"detail": f"{error.code} {error.reason} (not from Chronicle?)"}
        if error.headers.get("Retry-After"):
            wait = error.headers["Retry-After"]
            body["detail"] = f"{body.get('detail', '')} Try again in {wait} seconds."
        return cls(error.code, body)


class Chronicle:
    """A few lines of urllib: JSON in, JSON out, the token on every request."""

    def __init__(self, url, token):
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise SystemExit("The API URL must start with https:// (or http://).")
        self.base = url.rstrip("/") + "/api/v1"
        self.token = token

    def call(self, method, path, body=None, query=None):
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            raise ApiError.from_response(error) from None

    def get(self, path, **query):
        return self.call("GET", path, query=query)[1]

    def every(self, path, **query):
        """Each item of a paginated list, following next_cursor page by page."""
        while True:
            page = self.get(path, **query)
            yield from page["items"]
            if not page.get("next_cursor"):
                return
            query["cursor"] = page["next_cursor"]


# -- rendering ---------------------------------------------------------------------


def text_of(fragment):
    """Rich text (HTML) as plain text for the terminal."""
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment or "")).strip()


def say(text="", indent=0):
    for line in textwrap.wrap(text, 88 - indent) or [""]:
        print(" " * indent + line)


def render(form):
    say()
    say(f"== {form['title']} ==")
    if form["guidance_html"]:
        say(text_of(form["guidance_html"]))
    say()
    say("Categories (choose the one that fits best):")
    for category in form["categories"]:
        say(f"- {category['name']}: {category['definition']}", 2)
        for child in category["children"]:
            say(f"- {child['name']}: {child['definition']}", 6)
    say()
    say("Places: " + ", ".join(location["name"] for location in form["locations"]))
    say()


def describe(field):
    required = "" if field["required"] else " (optional)"
    say(f"{field['label']}{required}")
    if field.get("help_text"):
        say(text_of(field["help_text"]), 4)
    if field.get("choices"):
        say("Choices: " + ", ".join(c["label"] for c in field["choices"]), 4)


# -- answering ---------------------------------------------------------------------


class Answers:
    """What the user types, or what an answers file says (then nothing is asked)."""

    def __init__(self, preset=None):
        self.preset = preset

    def get(self, name, prompt, group=None):
        if self.preset is None:
            return input(f"  {prompt}: ").strip()
        source = self.preset.get(group, {}) if group else self.preset
        return source.get(name, "")


def by_name(options, value, what):
    """An id from a list of {"id", "name"}, given an id or a name."""
    for option in options:
        if str(value) in (str(option["id"]), option["name"]):
            return option["id"]
    raise SystemExit(f"No {what} called {value!r} on this form.")


def flatten(categories):
    for category in categories:
        yield category
        yield from category["children"]


def choose_pupils(api, answers, roles):
    """Each child: look them up (name or UPN), then say how they are involved."""
    if answers.preset is not None:
        rows = answers.preset.get("pupils", [])
        return [
            {"pupil": find_pupil(api, row["search"], pick=0), "role": row["role"]}
            for row in rows
        ]
    chosen = []
    say(f"Roles: {', '.join(role['value'] for role in roles)}", 4)
    while True:
        search = input("  Search for a child (name or UPN; empty when done): ")
        if not search.strip():
            return chosen
        pupil = find_pupil(api, search, pick=None)
        if pupil is not None:
            role = input("  How are they involved? ").strip() or "subject"
            chosen.append({"pupil": pupil, "role": role})


def find_pupil(api, search, pick):
    results = api.get("/pupils", q=search)["results"]
    for number, pupil in enumerate(results, 1):
        say(f"{number}. {pupil['label']}", 4)
    if not results:
        say("No child found at your schools.", 4)
        return None
    if pick is None:
        pick = int(input("  Which one? ") or 1) - 1
    return results[pick]["id"]


def value_for(field, raw, form):
    """What the user gave, as the API's JSON wants it."""
    kind = field["type"]
    if raw in ("", None):
        return [] if kind in ("categories", "checkboxes") else ""
    if kind == "date" and raw == "today":
        return datetime.date.today().isoformat()
    if kind == "boolean":
        return raw if isinstance(raw, bool) else raw.lower().startswith("y")
    if kind == "location":
        return by_name(form["locations"], raw, "place")
    if kind == "category":
        return by_name(flatten(form["categories"]), raw, "category")
    if kind in ("categories", "checkboxes"):
        items = raw if isinstance(raw, list) else [i.strip() for i in raw.split(",")]
        if kind == "checkboxes":
            return items
        categories = list(flatten(form["categories"]))
        return [by_name(categories, item, "category") for item in items]
    return raw


def fill(api, form, answers):
    body = {"submission_key": str(uuid.uuid4())}  # once per report, kept on retries
    for field in form["fields"]:
        describe(field)
        if field["type"] == "pupils":
            body["pupils"] = choose_pupils(api, answers, form["involvement_roles"])
        elif field["type"] != "uuid":
            raw = answers.get(field["name"], field["label"])
            value = value_for(field, raw, form)
            if value != "":
                body[field["name"]] = value
    body["answers"] = {}
    for question in form["questions"]:
        describe(question)
        raw = answers.get(question["name"], question["label"], group="answers")
        value = value_for(question, raw, form)
        if value not in ("", []):
            body["answers"][question["name"]] = value
    return body


# -- the program -------------------------------------------------------------------


def submit(api, form, body):
    """Send the report; on a dropped connection send it again: the submission key
    makes the repeat return the same record, never a second one."""
    path = f"/forms/{form['id']}/concerns"
    try:
        return api.call("POST", path, body)
    except urllib.error.URLError:
        say("The connection dropped: sending again (the same report, not a second).")
        return api.call("POST", path, body)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("CHRONICLE_API_URL"))
    parser.add_argument("--token", default=os.environ.get("CHRONICLE_API_TOKEN"))
    parser.add_argument("--form", type=int, help="a form id (default: choose)")
    parser.add_argument("--answers", help="a JSON file of answers: ask nothing")
    parser.add_argument(
        "--tasks",
        choices=["open", "overdue", "mine"],
        help="list casework tasks instead of reporting (scope casework)",
    )
    args = parser.parse_args(argv)
    if not (args.url and args.token):
        parser.error("give --url and --token (or CHRONICLE_API_URL/_TOKEN)")
    api = Chronicle(args.url, args.token)
    preset = None
    if args.answers:
        with open(args.answers, encoding="utf-8") as answers_file:
            preset = json.load(answers_file)
    if args.tasks:
        return list_tasks(api, args.tasks)
    try:
        me = api.get("/token")
        say(f"Reporting as {me['user']}.")
        form_id = args.form or pick_form(api)
        form = api.get(f"/forms/{form_id}")
        render(form)
        body = fill(api, form, Answers(preset))
        status, concern = submit(api, form, body)
    except ApiError as error:
        say(f"Chronicle refused: {error.body.get('detail')}")
        for field, messages in error.body.get("errors", {}).items():
            say(f"{field}: {' '.join(messages)}", 4)
        return 1
    say()
    say(f"Sent. Reference {concern['reference']} ({concern['status_label']}).")
    say(text_of(form["confirmation_html"]))
    return 0 if status in (200, 201) else 1


def list_tasks(api, which):
    """The user's casework tasks, oldest first: reference, step, school, and
    whether it is late. References and steps only: no case content."""
    query = {"status": "open", "sort": "created", "limit": 50}
    if which == "overdue":
        query["overdue"] = "true"
    if which == "mine":
        query["mine"] = "true"
    try:
        for task in api.every("/casework/tasks", **query):
            late = " (overdue)" if task["overdue"] else ""
            say(
                f"{task['reference']}  {task['step_label']}  "
                f"{task['school']['name']}{late}"
            )
    except ApiError as error:
        say(f"Chronicle refused: {error.body.get('detail')}")
        return 1
    return 0


def pick_form(api):
    forms = api.get("/forms")
    for number, form in enumerate(forms, 1):
        say(f"{number}. {form['title']}")
    if not forms:
        raise SystemExit("There are no forms you can use.")
    return forms[int(input("Which form? ") or 1) - 1]["id"]


if __name__ == "__main__":
    sys.exit(main())
