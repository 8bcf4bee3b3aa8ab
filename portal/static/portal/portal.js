/* Pain diary: say the slider's value in words and count the places marked on the body map. */
(function () {
  "use strict";
  function fill(template, name, value) { return template.replace("{" + name + "}", value); }

  var slider = document.querySelector(".pain-slider");
  var output = document.getElementById("pain-value");
  if (slider && output) {
    var update = function () {
      var text = fill(output.getAttribute("data-template"), "value", slider.value);
      output.textContent = text;
      slider.setAttribute("aria-valuetext", text);
    };
    slider.addEventListener("input", update);
    update();
  }

  var count = document.getElementById("map-count");
  var map = document.getElementById("diary-map");
  if (count && map) {
    var show = function (keys) { count.textContent = fill(count.getAttribute("data-template"), "number", keys.length); };
    var input = map.querySelector('input[name="regions"]');
    show(input && input.value ? input.value.split(",").filter(Boolean) : []);
    map.addEventListener("bodymap:change", function (event) { show(event.detail.keys); });
  }
})();
