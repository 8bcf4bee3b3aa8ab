// Choosing a ranked muscle shades its essential and spillover zones on the pain-drawing map, and its outline.
(function () {
  function clear(map) {
    map.querySelectorAll(".zone-essential, .zone-spillover, .muscle-focus").forEach(function (el) {
      el.classList.remove("zone-essential", "zone-spillover", "muscle-focus");
    });
  }
  function shade(map, keys, cls) {
    keys.split(" ").filter(Boolean).forEach(function (key) {
      map.querySelectorAll('[data-key="' + key + '"]').forEach(function (el) { el.classList.add(cls); });
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".candidate .show-zones");
    if (!button) return;
    var item = button.closest(".candidate");
    var map = document.getElementById("refer-map-box");
    if (!map) return;
    var wasPressed = button.getAttribute("aria-pressed") === "true";
    document.querySelectorAll(".candidate .show-zones").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    clear(map);
    if (wasPressed) return;
    button.setAttribute("aria-pressed", "true");
    shade(map, item.dataset.essential || "", "zone-essential");
    shade(map, item.dataset.spillover || "", "zone-spillover");
    shade(map, item.dataset.muscle + ":" + item.dataset.side, "muscle-focus");
  });
  // The ranked muscles stand out on the map's muscle layer (layer="muscles"), after each ranking.
  function rank() {
    var map = document.getElementById("refer-map-box");
    if (!map) return;
    map.querySelectorAll(".muscle.ranked, .muscle.muscle-focus").forEach(function (el) {
      el.classList.remove("ranked", "muscle-focus");
    });
    document.querySelectorAll("#candidates .candidate").forEach(function (item) {
      shade(map, item.dataset.muscle + ":" + item.dataset.side, "ranked");
    });
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target.id === "candidates") rank();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", rank); else rank();
})();
