// Type-ahead for naming the children in a concern: search by name or UPN (the
// server returns only pupils on roll at the user's schools), then choose each
// child's involvement. Rows post as parallel `pupil` / `pupil_role` fields.
(function () {
  "use strict";
  const form = document.querySelector("[data-concern-form]");
  if (!form) return;
  const input = document.getElementById("pupil-search");
  const results = document.getElementById("pupil-results");
  const status = document.getElementById("pupil-status");
  const tbody = form.querySelector("[data-children] tbody");
  const roleOptions = form.querySelector("[data-role-options]").innerHTML;
  let active = -1;
  let timer = null;

  function chosenIds() {
    return Array.from(tbody.querySelectorAll("input[name=pupil]")).map((i) => i.value);
  }

  function close() {
    results.hidden = true;
    results.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function addRow(pupil) {
    if (chosenIds().includes(String(pupil.id))) return;
    const row = document.createElement("tr");
    const who = document.createElement("td");
    const hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "pupil";
    hidden.value = pupil.id;
    who.append(hidden, document.createTextNode(pupil.label));
    const role = document.createElement("td");
    const select = document.createElement("select");
    select.name = "pupil_role";
    select.setAttribute("aria-label", "How involved");
    select.innerHTML = roleOptions;
    role.append(select);
    const remove = document.createElement("td");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small button-secondary";
    button.dataset.remove = "";
    // Which child: "Remove" alone does not say, read out of the table.
    const whoHidden = document.createElement("span");
    whoHidden.className = "w-sr-only";
    whoHidden.textContent = " " + (pupil.name || pupil.label);
    button.append("Remove", whoHidden);
    remove.append(button);
    row.append(who, role, remove);
    tbody.append(row);
    status.textContent = pupil.label + " added.";
    select.focus();
  }

  function show(pupils) {
    results.innerHTML = "";
    pupils.forEach((pupil, index) => {
      const option = document.createElement("li");
      option.id = "pupil-option-" + index;
      option.setAttribute("role", "option");
      option.textContent = pupil.label;
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        addRow(pupil);
        input.value = "";
        close();
      });
      option.pupil = pupil;
      results.append(option);
    });
    results.hidden = pupils.length === 0;
    input.setAttribute("aria-expanded", String(pupils.length > 0));
    status.textContent = pupils.length ? pupils.length + " children found." : "No child found.";
  }

  function search() {
    const q = input.value.trim();
    if (q.length < 2) return close();
    const base = input.dataset.searchUrl;
    fetch(base + (base.includes("?") ? "&" : "?") + "q=" + encodeURIComponent(q), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => (response.ok ? response.json() : { results: [] }))
      .then((data) => show(data.results));
  }

  function highlight(index) {
    const options = results.querySelectorAll("[role=option]");
    if (!options.length) return;
    active = (index + options.length) % options.length;
    options.forEach((o, i) => o.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") { highlight(active + 1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { highlight(active - 1); event.preventDefault(); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter") {
      event.preventDefault(); // never submit the whole form from the search box
      const options = results.querySelectorAll("[role=option]");
      const option = options[active >= 0 ? active : 0];
      if (option) { addRow(option.pupil); input.value = ""; close(); }
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
  tbody.addEventListener("click", (event) => {
    const button = event.target.closest("[data-remove]");
    if (button) button.closest("tr").remove();
  });
  // One record per submit: the button is disabled once the form is on its way (the
  // server also ignores a repeat of the same submission key).
  form.addEventListener("submit", () => {
    form.querySelector("[data-submit]").disabled = true;
  });
})();

// A form sent back with errors: focus moves to the summary, so a screen reader
// reads it and the keyboard starts from its links to the fields.
(function () {
  "use strict";
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();

// Drafts: what has been typed is saved to the server every few seconds while it
// changes, and when the page is hidden (tab closed, computer locked), so a network
// blip or a stray click loses nothing. Files cannot be kept.
(function () {
  "use strict";
  const form = document.querySelector("[data-concern-form]");
  if (!form || !form.dataset.draftUrl) return;
  const status = form.querySelector("[data-draft-status]");
  let dirty = false;
  let sending = false;

  function payload() {
    const data = new FormData(form);
    data.delete("attachments");
    return data;
  }

  function save() {
    if (!dirty || sending || !form.dataset.draftUrl) return;
    sending = true;
    dirty = false;
    fetch(form.dataset.draftUrl, { method: "POST", body: payload(), credentials: "same-origin" })
      .then((response) => {
        if (response.status === 409) { // this form was sent already (another tab)
          form.dataset.draftUrl = "";
          throw new Error("sent");
        }
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then((data) => {
        const when = new Date(data.saved_at);
        status.textContent = "Draft saved at " + when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + ".";
      })
      .catch(() => {
        dirty = true;
        status.textContent = "Couldn't save a draft just now; we'll keep trying. Don't close this page.";
      })
      .finally(() => { sending = false; });
  }

  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("change", () => { dirty = true; });
  new MutationObserver(() => { dirty = true; }).observe(
    form.querySelector("[data-children] tbody"), { childList: true });
  setInterval(save, 5000);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && dirty && form.dataset.draftUrl) {
      navigator.sendBeacon(form.dataset.draftUrl, payload());
      dirty = false;
    }
  });
  form.addEventListener("submit", () => { dirty = false; });
})();
