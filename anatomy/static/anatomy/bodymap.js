/* Body map behaviour (see anatomy/templatetags/bodymap.py). Vanilla JS, no build step.
 *
 * Listens on the document, so it works for any number of maps and for maps swapped in by htmx.
 * Settings are data- attributes on the map or on any element around it:
 *   data-mode="select"  click / Enter / Space on a region toggles it. The marked keys, comma-separated,
 *                       go into the input named by data-input, which then gets a bubbling "change"
 *                       (so hx-trigger="change" on a form works); the map dispatches "bodymap:change"
 *                       with detail {keys}.
 *   data-mode="place"   a click records the point: the inputs named by data-view-input, data-x-input,
 *                       data-y-input, data-region-input and data-side-input (each optional) get the
 *                       view, x and y in viewBox units (0.1), the region code and its side; a marker is
 *                       drawn; the region input gets "change" and the map dispatches "bodymap:place"
 *                       with detail {view, x, y, region, side, key}. Enter / Space places the point at
 *                       the focused region's centre (data-cx, data-cy).
 * Inputs are looked up inside the element carrying the attribute, then in its form.
 */
(function () {
  "use strict";
  if (window.tpclinicBodyMap) return;
  var SVG = "http://www.w3.org/2000/svg";

  function setting(el, name) {
    var holder = el.closest("[data-" + name + "]");
    return holder ? { holder: holder, value: holder.getAttribute("data-" + name) } : null;
  }

  function field(el, name) {
    var found = setting(el, name);
    if (!found || !found.value) return null;
    var selector = '[name="' + CSS.escape(found.value) + '"]';
    var form = found.holder.closest("form");
    return found.holder.querySelector(selector) || (form && form.querySelector(selector)) || null;
  }

  function fire(target, type, detail) {
    target.dispatchEvent(detail === undefined ? new Event(type, { bubbles: true })
      : new CustomEvent(type, { bubbles: true, detail: detail }));
  }

  function mapOf(region) { return region.closest(".bodymap") || region.closest("[data-mode]"); }

  function toggle(region) {
    var map = mapOf(region);
    var key = region.getAttribute("data-key");
    var on = !region.classList.contains("marked");
    map.querySelectorAll(".region").forEach(function (path) {
      if (path.getAttribute("data-key") !== key) return;
      path.classList.toggle("marked", on);
      path.setAttribute("aria-checked", on ? "true" : "false");
    });
    var input = field(region, "input");
    var keys;
    if (input) {  // keep the order in which regions were marked
      keys = input.value.split(",").map(function (k) { return k.trim(); }).filter(Boolean);
      keys = keys.filter(function (k) { return k !== key; });
      if (on) keys.push(key);
    } else {
      keys = [];
      map.querySelectorAll(".region.marked").forEach(function (path) {
        var k = path.getAttribute("data-key");
        if (keys.indexOf(k) < 0) keys.push(k);
      });
    }
    if (input) {
      input.value = keys.join(",");
      fire(input, "change");
    }
    fire(map, "bodymap:change", { keys: keys });
  }

  function drawMarker(map, svg, x, y) {
    map.querySelectorAll(".place-marker-group").forEach(function (old) { old.remove(); });
    var group = document.createElementNS(SVG, "g");
    group.setAttribute("class", "place-marker-group");
    group.setAttribute("aria-hidden", "true");
    var ring = document.createElementNS(SVG, "circle");
    ring.setAttribute("class", "place-marker");
    ring.setAttribute("cx", x); ring.setAttribute("cy", y); ring.setAttribute("r", "5");
    var dot = document.createElementNS(SVG, "circle");
    dot.setAttribute("class", "place-marker-dot");
    dot.setAttribute("cx", x); dot.setAttribute("cy", y); dot.setAttribute("r", "1.4");
    group.appendChild(ring); group.appendChild(dot);
    svg.appendChild(group);
  }

  function place(region, x, y) {
    var map = mapOf(region);
    var detail = {
      view: region.getAttribute("data-view"), x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10,
      region: region.getAttribute("data-region"), side: region.getAttribute("data-side") || "",
      key: region.getAttribute("data-key"),
    };
    var values = { "view-input": detail.view, "x-input": detail.x, "y-input": detail.y,
                   "region-input": detail.region, "side-input": detail.side };
    var changed = null;
    Object.keys(values).forEach(function (name) {
      var input = field(region, name);
      if (!input) return;
      input.value = String(values[name]);
      if (!changed || name === "region-input") changed = input;
    });
    map.querySelectorAll(".region.placed").forEach(function (path) { path.classList.remove("placed"); });
    region.classList.add("placed");
    drawMarker(map, region.ownerSVGElement, detail.x, detail.y);
    if (changed) fire(changed, "change");
    fire(map, "bodymap:place", detail);
  }

  function act(region, event) {
    var mode = setting(region, "mode");
    if (!mode) return;
    if (mode.value === "select") {
      toggle(region);
    } else if (mode.value === "place") {
      var x, y;
      if (event.type === "click") {
        var svg = region.ownerSVGElement;
        var point = svg.createSVGPoint();
        point.x = event.clientX; point.y = event.clientY;
        var local = point.matrixTransform(svg.getScreenCTM().inverse());
        x = local.x; y = local.y;
      } else {
        x = parseFloat(region.getAttribute("data-cx"));
        y = parseFloat(region.getAttribute("data-cy"));
      }
      place(region, x, y);
    }
  }

  document.addEventListener("click", function (event) {
    var region = event.target.closest && event.target.closest(".bodymap .region");
    if (region) act(region, event);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " " && event.key !== "Spacebar") return;
    var region = event.target.closest && event.target.closest(".bodymap .region");
    if (!region) return;
    event.preventDefault();
    act(region, event);
  });

  // Keyboard focus: repeat the focused outline on top, as later neighbours hide part of its own stroke.
  document.addEventListener("focusin", function (event) {
    document.querySelectorAll(".bodymap .focus-ring").forEach(function (ring) { ring.remove(); });
    var region = event.target.closest && event.target.closest(".bodymap .region");
    if (!region || !region.matches(":focus-visible")) return;
    var ring = document.createElementNS(SVG, "path");
    ring.setAttribute("class", "focus-ring");
    ring.setAttribute("aria-hidden", "true");
    ring.setAttribute("d", region.getAttribute("d"));
    region.ownerSVGElement.appendChild(ring);
  });
  document.addEventListener("focusout", function () {
    document.querySelectorAll(".bodymap .focus-ring").forEach(function (ring) { ring.remove(); });
  });

  // A place map shown again with its inputs filled (a form with errors) shows the recorded point.
  function restore(root) {
    var maps = Array.prototype.slice.call(root.querySelectorAll('.bodymap[data-mode="place"]'));
    if (root.matches && root.matches('.bodymap[data-mode="place"]')) maps.push(root);
    maps.forEach(function (map) {
      var view = field(map, "view-input"), x = field(map, "x-input"), y = field(map, "y-input");
      if (!view || !x || !y || !view.value || x.value === "" || y.value === "") return;
      var svg = map.querySelector('svg[data-view="' + CSS.escape(view.value) + '"]');
      if (svg) drawMarker(map, svg, parseFloat(x.value), parseFloat(y.value));
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { restore(document); });
  } else {
    restore(document);
  }
  document.addEventListener("htmx:load", function (event) { restore(event.target); });

  window.tpclinicBodyMap = { restore: restore };
})();
