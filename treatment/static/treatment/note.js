// The procedure note's "Copy note" and "Print" buttons (treatment/_procedure_note_body.html).
(function () {
  "use strict";
  function say(button, key) {
    var status = button.parentElement.querySelector(".copy-status");
    if (status) { status.textContent = status.dataset[key] || ""; }
  }
  function copyWithSelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var done = document.execCommand("copy");
    document.body.removeChild(area);
    return done;
  }
  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy-note]");
    if (copy) {
      var source = document.getElementById(copy.dataset.copyNote);
      var text = source.content ? source.content.textContent : source.textContent;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { say(copy, "copied"); }, function () {
          say(copy, copyWithSelection(text) ? "copied" : "failed");
        });
      } else {
        say(copy, copyWithSelection(text) ? "copied" : "failed");
      }
      return;
    }
    if (event.target.closest("[data-print-note]")) { window.print(); }
  });
})();
