/* Automatic log-off after inactivity, in step with the server's session (SESSION_IDLE_SECONDS).
 * Every page load or htmx request refreshes the server session; typing or clicking in the page
 * refreshes it too (a quiet keep-alive), so a clinician writing a long note is not logged out.
 * With no activity, a warning shows shortly before the end; when the time has passed the page
 * posts to the idle log-out and lands on the login page. Tabs share the last activity time. */
(function () {
  "use strict";
  if (window.tpclinicIdle) { return; }
  var script = document.currentScript || document.querySelector("script[data-idle-seconds]");
  if (!script) { return; }
  window.tpclinicIdle = true;
  var data = script.dataset;
  var idle = parseInt(data.idleSeconds, 10) * 1000;
  if (!(idle > 0)) { return; }
  var warnBefore = Math.min(60000, idle / 2);
  var KEY = "tpclinic:lastServerTouch";
  var lastServer = Date.now();
  var localActivity = 0;
  var pinging = false;
  var box = null;
  var left = null;

  function store(value) { try { localStorage.setItem(KEY, String(value)); } catch (e) { /* private mode */ } }
  function shared() {
    var value = 0;
    try { value = parseInt(localStorage.getItem(KEY) || "0", 10) || 0; } catch (e) { value = 0; }
    return Math.max(value, lastServer);
  }
  function touched() { lastServer = Date.now(); store(lastServer); hide(); }
  store(lastServer);

  function logout() {
    var form = document.createElement("form");
    form.method = "post";
    form.action = data.logoutUrl;
    [["csrfmiddlewaretoken", data.csrf], ["next", location.pathname + location.search]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = pair[0]; input.value = pair[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  function ping() {
    if (pinging) { return; }
    pinging = true;
    fetch(data.keepaliveUrl, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": data.csrf } })
      .then(function (response) {
        if (response.status === 204) { touched(); } else if (response.status === 401 || response.status === 403) { logout(); }
      })
      .catch(function () { /* offline: the timer decides */ })
      .then(function () { pinging = false; });
  }

  function show(seconds) {
    if (!box) {
      box = document.createElement("div");
      box.id = "idle-warning";
      box.setAttribute("role", "alertdialog");
      box.setAttribute("aria-live", "assertive");
      box.setAttribute("aria-labelledby", "idle-warning-text");
      var s = box.style;
      s.position = "fixed"; s.insetInlineEnd = "1rem"; s.bottom = "1rem"; s.zIndex = "1000"; s.maxWidth = "26rem";
      s.background = "#fff8e1"; s.border = "2px solid #b26a00"; s.borderRadius = "8px"; s.padding = "1rem";
      s.boxShadow = "0 4px 16px rgba(0,0,0,.25)";
      left = document.createElement("p");
      left.id = "idle-warning-text";
      var stay = document.createElement("button");
      stay.type = "button";
      stay.textContent = data.textStay;
      stay.addEventListener("click", ping);
      box.appendChild(left);
      box.appendChild(stay);
      document.body.appendChild(box);
      stay.focus();
    }
    left.textContent = data.textWarning.replace("SECONDS", String(seconds));
  }

  function hide() {
    if (box) { box.remove(); box = null; left = null; }
  }

  ["keydown", "pointerdown", "input", "wheel"].forEach(function (name) {
    document.addEventListener(name, function () { localActivity = Date.now(); }, { capture: true, passive: true });
  });
  document.addEventListener("htmx:afterRequest", touched);
  window.addEventListener("storage", function (event) { if (event.key === KEY) { hide(); } });

  function tick() {
    var last = shared();
    var elapsed = Date.now() - last;
    if (elapsed >= idle) { logout(); return; }
    var active = localActivity > last;
    if (active && elapsed >= Math.min(idle / 2, idle - warnBefore)) { ping(); return; }
    if (elapsed >= idle - warnBefore && !active) { show(Math.ceil((idle - elapsed) / 1000)); } else { hide(); }
  }
  window.setInterval(tick, 1000);
}());
