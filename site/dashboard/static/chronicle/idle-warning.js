/* The warning before the idle sign-out (WCAG 2.2.1 Timing adjustable).
 *
 * accounts.middleware.SessionTimeoutMiddleware signs a person out after
 * CHRONICLE_SESSION_IDLE_MINUTES without a request they made. Shortly before that
 * (two minutes), this shows an alert dialog: "Stay signed in" POSTs to the
 * keep-alive view (accounts:keep_alive), which counts as activity, and restarts the
 * clock; "Sign out now" signs out. Any other request the page makes (a form sent,
 * a search while typing) restarts the clock too, as it does on the server; so does
 * activity in another tab of the same admin (shared through localStorage). When the
 * limit passes with no answer, the page reloads: the server then shows the sign-in
 * page with its reason, and the child's record is no longer on screen.
 *
 * Settings and words come from the <script data-chronicle-idle> tag
 * (accounts/wagtail_hooks.py). */
(function () {
  "use strict";
  const tag = document.querySelector("script[data-chronicle-idle]");
  // Signed-in admin pages only: sign-in and two-factor pages have no sidebar.
  if (!tag || !document.getElementById("wagtail-sidebar")) return;
  const idleMs = Number(tag.dataset.idleSeconds) * 1000;
  const warnMs = Number(tag.dataset.warnSeconds) * 1000;
  const STORAGE_KEY = "chronicle:last-activity";
  // The admin's own background pings (accounts.middleware.BACKGROUND_VIEWS) do not
  // count on the server, so they do not count here.
  const BACKGROUND = /\/editing-sessions\//;
  let lastActivity = Date.now();
  let warnTimer = null;
  let endTimer = null;
  let dialog = null;

  function csrfToken() {
    const config = document.getElementById("wagtail-config");
    return config ? JSON.parse(config.textContent).CSRF_TOKEN : "";
  }

  function latestActivity() {
    const shared = Number(window.localStorage.getItem(STORAGE_KEY)) || 0;
    return Math.max(lastActivity, shared);
  }

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    const since = Date.now() - latestActivity();
    warnTimer = window.setTimeout(onWarn, Math.max(0, idleMs - warnMs - since));
    // A little after the server's limit, so the reload finds the session ended.
    endTimer = window.setTimeout(onEnd, Math.max(0, idleMs - since + 2000));
  }

  function activity() {
    lastActivity = Date.now();
    try {
      window.localStorage.setItem(STORAGE_KEY, String(lastActivity));
    } catch (error) {
      // Storage may be full or blocked: this tab's own clock still works.
    }
    if (dialog && dialog.open) dialog.close();
    schedule();
  }

  function onWarn() {
    // Another tab may have been used since: only warn if nobody has.
    if (Date.now() - latestActivity() < idleMs - warnMs) return schedule();
    showDialog();
  }

  function onEnd() {
    if (Date.now() - latestActivity() < idleMs) return schedule();
    window.location.assign(window.location.href);
  }

  function button(text, className) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = text;
    return element;
  }

  function buildDialog() {
    dialog = document.createElement("dialog");
    dialog.className = "chronicle-idle";
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-labelledby", "chronicle-idle-title");
    dialog.setAttribute("aria-describedby", "chronicle-idle-message");
    dialog.dataset.idleWarning = "";
    const title = document.createElement("h2");
    title.id = "chronicle-idle-title";
    title.className = "w-h3";
    title.textContent = tag.dataset.title;
    const message = document.createElement("p");
    message.id = "chronicle-idle-message";
    message.textContent = tag.dataset.message;
    const stay = button(tag.dataset.stay, "button");
    const leave = button(tag.dataset.leave, "button button-secondary");
    const actions = document.createElement("div");
    actions.className = "chronicle-idle__actions";
    actions.append(stay, leave);
    dialog.append(title, message, actions);
    stay.addEventListener("click", stayedSignedIn);
    leave.addEventListener("click", signOut);
    // Escape means the person is here: the same as "Stay signed in".
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      stayedSignedIn();
    });
    document.body.append(dialog);
    return stay;
  }

  function showDialog() {
    const stay = dialog ? dialog.querySelector("button") : buildDialog();
    dialog.showModal();
    stay.focus();
  }

  function stayedSignedIn() {
    window
      .fetch(tag.dataset.keepAliveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
      })
      .then((response) => {
        // Already signed out (the server answers with the sign-in page, or 403).
        if (!response.ok || response.redirected) {
          window.location.assign(window.location.href);
        }
      });
  }

  function signOut() {
    const form = document.createElement("form");
    form.method = "post";
    form.action = tag.dataset.signOutUrl;
    const token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = csrfToken();
    form.append(token);
    document.body.append(form);
    form.submit();
  }

  // Every request this page makes (fetch or XMLHttpRequest) is activity, as it is
  // to the server; so is the keep-alive above, which goes through fetch.
  const originalFetch = window.fetch;
  window.fetch = function (resource, ...rest) {
    const url = resource instanceof Request ? resource.url : String(resource);
    if (!BACKGROUND.test(url)) activity();
    return originalFetch.call(this, resource, ...rest);
  };
  const originalOpen = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    if (!BACKGROUND.test(String(url))) activity();
    return originalOpen.call(this, method, url, ...rest);
  };
  window.addEventListener("storage", (event) => {
    if (event.key !== STORAGE_KEY) return;
    if (dialog && dialog.open) dialog.close();
    schedule();
  });
  activity();
})();
