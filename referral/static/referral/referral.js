// Choosing a ranked muscle shades its essential and spillover zones on the pain-drawing map.
(function () {
  function clear(map) {
    map.querySelectorAll(".zone-essential, .zone-spillover").forEach(function (el) {
      el.classList.remove("zone-essential", "zone-spillover");
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
  });
})();
