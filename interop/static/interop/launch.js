// The "Launch app" page: follow the link to the app at once (the link stays for keyboards and for browsers without scripts).
document.addEventListener("DOMContentLoaded", function () {
  var link = document.querySelector("#launch-link[data-follow]");
  if (link) { window.location.assign(link.href); }
});
