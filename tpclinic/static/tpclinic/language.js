// The "choose your preferred language" dialog: opens on a first visit, Esc or Close dismisses it
// and remembers that on this browser; the native <dialog> keeps focus inside while open.
(function () {
  var dialog = document.getElementById("language-dialog");
  var button = document.getElementById("language-button");
  if (!dialog || !button || typeof dialog.showModal !== "function") return;
  function dismiss() {
    var token = document.querySelector("#language-dialog input[name=csrfmiddlewaretoken]");
    fetch(dialog.dataset.dismissUrl, { method: "POST", headers: { "X-CSRFToken": token ? token.value : "" }, credentials: "same-origin" });
  }
  button.addEventListener("click", function () { dialog.showModal(); });
  document.getElementById("language-close").addEventListener("click", function () { dialog.close("dismiss"); });
  dialog.addEventListener("cancel", function () { dialog.returnValue = "dismiss"; });
  dialog.addEventListener("close", function () { if (dialog.returnValue === "dismiss") { dismiss(); } button.focus(); });
  if (dialog.dataset.autoOpen === "1") { dialog.showModal(); }
})();
