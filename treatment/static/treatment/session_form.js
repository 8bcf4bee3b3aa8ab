// Injection rows of the session form: add from the empty-form template, remove by marking DELETE;
// within a row, "Add agent" adds the next mixed-agent slot (a copy of the last, renumbered and empty),
// up to the form's bound, and says so when the syringe is full. Nothing typed is touched.
(function () {
  function renumber(text, from, to) { return text.split(from).join(to); }
  function addMixedAgent(button) {
    var box = button.closest(".mixture");
    var slots = box.querySelectorAll("fieldset.mixed-agent");
    var status = box.querySelector(".mixture-status");
    var n = slots.length;
    if (n >= parseInt(button.dataset.max, 10)) {
      status.textContent = button.dataset.full;
      button.setAttribute("aria-disabled", "true");
      return;
    }
    var last = slots[n - 1];
    var clone = last.cloneNode(true);
    var fromName = "mix" + n + "_", toName = "mix" + (n + 1) + "_";
    clone.querySelectorAll("[name], [id], [for], [aria-label], [aria-describedby]").forEach(function (el) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
        if (el.hasAttribute(attr)) el.setAttribute(attr, renumber(el.getAttribute(attr), fromName, toName));
      });
      if (el.hasAttribute("aria-label")) {  // "Agent 3: lot" -> "Agent 4: lot"
        el.setAttribute("aria-label", el.getAttribute("aria-label").replace(String(n + 1), String(n + 2)));
      }
    });
    clone.querySelectorAll("input, select").forEach(function (el) {
      if (el.type === "checkbox") el.checked = false;
      else if (el.tagName === "SELECT") el.selectedIndex = 0;
      else el.value = "";
    });
    clone.querySelectorAll(".errorlist").forEach(function (el) { el.remove(); });
    var legend = clone.querySelector("legend");
    if (legend) legend.textContent = legend.textContent.replace(String(n + 1), String(n + 2));
    last.after(clone);
    status.textContent = "";
    var first = clone.querySelector("select");
    if (first) first.focus();
  }
  function total() { return document.getElementById("id_injections-TOTAL_FORMS"); }
  document.addEventListener("click", function (event) {
    var add = event.target.closest("#add-injection");
    if (add) {
      var count = parseInt(total().value, 10);
      var html = document.getElementById("injection-empty").innerHTML.replace(/__prefix__/g, String(count));
      var body = document.querySelector("#injections tbody");
      body.insertAdjacentHTML("beforeend", html);
      total().value = String(count + 1);
      var row = body.lastElementChild;
      var first = row.querySelector("select");
      if (first) first.focus();
      row.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    var addAgent = event.target.closest(".add-agent");
    if (addAgent) {
      addMixedAgent(addAgent);
      return;
    }
    var remove = event.target.closest(".remove-row");
    if (remove) {
      var tr = remove.closest("tr");
      var box = tr.querySelector("input[type=checkbox][name$='-DELETE']");
      if (box) box.checked = true;
      tr.hidden = true;
      tr.dispatchEvent(new Event("change", { bubbles: true }));
      var addButton = document.getElementById("add-injection");
      if (addButton) addButton.focus();
    }
  });
})();

// The dose-override reason is asked for only when the live check finds the total over the limit
// (or a reason is already written); hidden, it is still sent, so nothing typed is lost.
document.addEventListener("htmx:afterSwap", function () {
  var box = document.getElementById("dose-override");
  var total = document.getElementById("dose-total");
  if (!box || !total) return;
  var reason = box.querySelector("textarea");
  box.hidden = total.dataset.status !== "over" && !(reason && reason.value.trim());
});
