// Injection rows of the session form: add from the empty-form template, remove by marking DELETE.
(function () {
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
