/* Body map behaviour (see anatomy/templatetags/bodymap.py). Vanilla JS, no build step.
 *
 * Listens on the document, so it works for any number of maps and for maps swapped in by htmx.
 * Settings are data- attributes on the map or on any element around it:
 *   data-mode="select"  click / Enter / Space on a region toggles it. The marked keys, comma-separated,
 *                       each as key@N with its pain intensity 0-10, go into the input named by
 *                       data-input, which then gets a bubbling "change" (so hx-trigger="change" on a
 *                       form works); the map dispatches "bodymap:change" with detail {keys, marks}.
 *                       A newly marked place starts at the value of the input named by
 *                       data-intensity-default-input (else 5) and opens the intensity panel (a labelled
 *                       slider); number keys 0-9 on the region in focus set its intensity (1 then 0
 *                       within 1.5 s sets 10). The intensity is drawn on the region as a number, said
 *                       in its accessible name, and listed under the map.
 *   data-mode="place"   a click records the point: the inputs named by data-view-input, data-x-input,
 *                       data-y-input, data-region-input and data-side-input (each optional) get the
 *                       view, x and y in viewBox units (0.1), the region code and its side; a marker is
 *                       drawn; the region input gets "change" and the map dispatches "bodymap:place"
 *                       with detail {view, x, y, region, side, key}. Enter / Space places the point at
 *                       the focused region's centre (data-cx, data-cy).
 *   layer="muscles"     muscle outlines over the regions. In place mode a click (or Enter / Space) on a
 *                       muscle places the point there as above, with the region under the point, and
 *                       fills the inputs named by data-muscle-input and data-muscle-side-input; the map
 *                       dispatches "bodymap:muscle" with detail {muscle, side, view, x, y, region}. Those
 *                       inputs get a "change" whose detail is {bodymap: true}, to tell it from a choice
 *                       made by hand; a muscle and side chosen either way is outlined on the map.
 *                       The "Show muscles" box hides or shows the layer.
 * Inputs are looked up inside the element carrying the attribute, then in its form.
 */
(function () {
  "use strict";
  if (window.tpclinicBodyMap) return;
  var SVG = "http://www.w3.org/2000/svg";
  var TARGET = ".bodymap .region, .bodymap .muscle, .bodymap .area";  // what a click, a key or the search can choose

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
    var key = region.getAttribute("data-key");
    var marks = marksOf(region), was = marks.some(function (m) { return m.key === key; });
    marks = marks.filter(function (m) { return m.key !== key; });
    if (!was) marks.push({ key: key, level: defaultLevel(region) });
    commit(region, marks);
    caption(region);  // the name shown now says the intensity too
    if (!was) openPanel(region, key);
    else closePanel(mapOf(region), key);
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

  // The region drawn under a point of a view (the muscle layer lies on top of the regions).
  function regionAt(svg, x, y) {
    var found = null, point = new DOMPoint(x, y);
    svg.querySelectorAll(".region").forEach(function (path) {
      if (!found && path.isPointInFill(point)) found = path;
    });
    return found;
  }

  function placeMuscle(muscle, x, y) {
    var svg = muscle.ownerSVGElement, region = regionAt(svg, x, y);
    if (!region) {  // an outline's edge may stray past the skin: chart the muscle's centre instead
      x = parseFloat(muscle.getAttribute("data-cx")); y = parseFloat(muscle.getAttribute("data-cy"));
      region = regionAt(svg, x, y);
    }
    if (!region) return;
    var map = mapOf(muscle);
    place(region, x, y);
    map.querySelectorAll(".muscle.chosen").forEach(function (path) { path.classList.remove("chosen"); });
    muscle.classList.add("chosen");
    var values = { "muscle-input": muscle.getAttribute("data-muscle"), "muscle-side-input": muscle.getAttribute("data-side") };
    Object.keys(values).forEach(function (name) {
      var input = field(muscle, name);
      if (!input) return;
      input.value = values[name];
      fire(input, "change", { bodymap: true });  // detail: filled by the map, not chosen by hand
    });
    fire(map, "bodymap:muscle", { muscle: values["muscle-input"], side: values["muscle-side-input"],
      view: muscle.getAttribute("data-view"), x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10,
      region: region.getAttribute("data-key") });
  }

  function act(region, event) {
    var mode = setting(region, "mode");
    if (!mode) return;
    if (region.classList.contains("area")) { openArea(region, event.type !== "click"); return; }
    if (region.classList.contains("muscle")) {
      if (mode.value !== "place") return;
      if (event.type === "click") {
        var at = toLocal(region.ownerSVGElement, event.clientX, event.clientY);
        placeMuscle(region, at.x, at.y);
      } else {
        placeMuscle(region, parseFloat(region.getAttribute("data-cx")), parseFloat(region.getAttribute("data-cy")));
      }
      return;
    }
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
    var region = event.target.closest && event.target.closest(TARGET);
    if (region) act(region, event);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " " && event.key !== "Spacebar") return;
    var region = event.target.closest && event.target.closest(TARGET);
    if (!region) return;
    event.preventDefault();
    act(region, event);
  });

  // Keyboard focus: repeat the focused outline on top, as later neighbours hide part of its own stroke.
  document.addEventListener("focusin", function (event) {
    document.querySelectorAll(".bodymap .focus-ring").forEach(function (ring) { ring.remove(); });
    var region = event.target.closest && event.target.closest(TARGET);
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
    maps.forEach(showChosenMuscle);
  }

  // The muscle named by the form's muscle and side inputs is outlined on the map, however it was chosen.
  function showChosenMuscle(map) {
    var muscle = field(map, "muscle-input"), side = field(map, "muscle-side-input");
    map.querySelectorAll(".muscle.chosen").forEach(function (path) { path.classList.remove("chosen"); });
    if (!muscle || !side || !muscle.value || !side.value) return;
    map.querySelectorAll('.muscle[data-key="' + CSS.escape(muscle.value + ":" + side.value) + '"]').forEach(
      function (path) { path.classList.add("chosen"); });
  }
  document.addEventListener("change", function (event) {
    if (!event.target.form || (event.detail && event.detail.bodymap)) return;
    event.target.form.querySelectorAll('.bodymap[data-mode="place"]').forEach(function (map) {
      var muscle = field(map, "muscle-input"), side = field(map, "muscle-side-input");
      if (event.target === muscle || event.target === side) showChosenMuscle(map);
    });
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { restore(document); });
  } else {
    restore(document);
  }
  document.addEventListener("htmx:load", function (event) { restore(event.target); });

  /* ---- Keyboard: one Tab stop per map, arrow keys to the neighbouring region ------------------ */

  // The regions, and the muscles while they are shown on a place map (they take clicks there).
  function choosable(root) {
    var map = mapOf(root);
    if (map && map.classList.contains("bm-areas")) return Array.prototype.slice.call(root.querySelectorAll(".area"));
    return places(root);
  }
  function places(root) {
    var map = mapOf(root), muscles = map && map.getAttribute("data-mode") === "place" && !map.classList.contains("muscles-off");
    return Array.prototype.slice.call(root.querySelectorAll(muscles ? ".region, .muscle" : ".region"));
  }
  function regionsOf(map) { return places(map); }

  function centre(region) {
    return { x: parseFloat(region.getAttribute("data-cx")), y: parseFloat(region.getAttribute("data-cy")) };
  }

  function rove(region) {  // the focused region becomes the map's one Tab stop
    var map = mapOf(region);
    map.querySelectorAll('.region[tabindex="0"], .muscle[tabindex="0"], .area[tabindex="0"]').forEach(function (other) {
      if (other !== region) other.setAttribute("tabindex", "-1");
    });
    region.setAttribute("tabindex", "0");
  }

  var DIRECTIONS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  // The nearest region whose centre lies in the direction pressed (within 60 degrees of it), scored
  // so that one straight ahead beats a closer one off to the side; at a view's edge, Left and Right
  // cross to the other view at about the same height.
  function neighbour(region, key) {
    var d = DIRECTIONS[key], from = centre(region), svg = region.ownerSVGElement, best = null, bestScore = Infinity;
    choosable(svg).forEach(function (other) {
      if (other === region || other.getAttribute("data-key") === region.getAttribute("data-key")) return;
      var to = centre(other), dx = to.x - from.x, dy = to.y - from.y;
      var along = dx * d[0] + dy * d[1], across = Math.abs(dx * d[1] - dy * d[0]);
      if (along <= 0 || across > along * 1.8) return;
      var score = along + 2.5 * across;
      if (score < bestScore) { bestScore = score; best = other; }
    });
    if (best || d[1] !== 0) return best;
    var svgs = Array.prototype.slice.call(mapOf(region).querySelectorAll("svg.bodymap-view"));
    var next = svgs[svgs.indexOf(svg) + d[0]];
    if (!next) return null;
    choosable(next).forEach(function (other) {
      var to = centre(other), score = Math.abs(to.y - from.y) * 3 + (d[0] > 0 ? to.x : 240 - to.x);
      if (score < bestScore) { bestScore = score; best = other; }
    });
    return best;
  }

  document.addEventListener("keydown", function (event) {
    if (!DIRECTIONS[event.key]) return;
    var region = event.target.closest && event.target.closest(TARGET);
    if (!region || !setting(region, "mode") || setting(region, "mode").value === "view") return;
    event.preventDefault();
    var next = neighbour(region, event.key);
    if (next) { rove(next); next.focus(); }
  });

  /* ---- The caption: the name of the region in focus or touched ---------------------------------- */

  function caption(region) {
    var box = mapOf(region).querySelector(".bodymap-caption");
    if (box) box.textContent = region.getAttribute("aria-label") || "";
  }

  document.addEventListener("focusin", function (event) {
    var region = event.target.closest && event.target.closest(TARGET);
    if (!region) return;
    rove(region);
    caption(region);
    // Scroll the zoomed view to a place reached by keyboard; never under a pointer, where moving the
    // view between press and release would send the click to whatever slid beneath it.
    if (region.matches(":focus-visible")) reveal(region);
  });
  document.addEventListener("pointerdown", function (event) {
    var region = event.target.closest && event.target.closest(TARGET);
    if (region) caption(region);
  });

  /* ---- Zoom and pan: buttons, the wheel (with Ctrl, as trackpad pinches send it), pinch, drag ---- */

  var FULL = [0, 0, 240, 520], MAX_ZOOM = 16;

  function box(svg) { return svg._bmBox || FULL.slice(); }

  function setBox(svg, b) {
    var w = Math.min(FULL[2], Math.max(FULL[2] / MAX_ZOOM, b[2]));
    var h = w * FULL[3] / FULL[2];
    var x = Math.min(FULL[2] - w, Math.max(0, b[0])), y = Math.min(FULL[3] - h, Math.max(0, b[1]));
    svg._bmBox = [x, y, w, h];
    svg.setAttribute("viewBox", [x, y, w, h].map(function (n) { return Math.round(n * 100) / 100; }).join(" "));
    var map = mapOf(svg);
    var zoomed = Array.prototype.some.call(map.querySelectorAll("svg.bodymap-view"), function (one) {
      return one._bmBox && one._bmBox[2] < FULL[2] - 0.01;
    });
    map.classList.toggle("zoomed", zoomed);
    if (zoomed && map.classList.contains("bm-areas")) {  // zoomed by hand: the places are the targets
      map.classList.remove("bm-areas");
      var stop = map.querySelector('.area[tabindex="0"]');
      if (stop) { stop.setAttribute("tabindex", "-1"); map.querySelector(".region").setAttribute("tabindex", "0"); }
    } else if (!zoomed && !map.classList.contains("bm-areas")) {
      wholeBody(map, false);
    }
  }

  // Zoom `svg` by `factor` about the point (px, py) in its own units.
  function zoom(svg, factor, px, py) {
    var b = box(svg);
    if (px === undefined) { px = b[0] + b[2] / 2; py = b[1] + b[3] / 2; }
    var w = b[2] / factor, h = w * FULL[3] / FULL[2];
    setBox(svg, [px - (px - b[0]) * (w / b[2]), py - (py - b[1]) * (h / b[3]), w, h]);
  }

  function toLocal(svg, clientX, clientY) {
    var point = svg.createSVGPoint();
    point.x = clientX; point.y = clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  function reveal(region) {  // a region reached by keyboard or search scrolls into the zoomed view
    var svg = region.ownerSVGElement, b = box(svg), c = centre(region);
    if (c.x < b[0] || c.x > b[0] + b[2] || c.y < b[1] || c.y > b[1] + b[3]) {
      setBox(svg, [c.x - b[2] / 2, c.y - b[3] / 2, b[2], b[3]]);
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".bodymap-zoom button");
    if (!button) return;
    var map = mapOf(button);
    map.querySelectorAll("svg.bodymap-view").forEach(function (svg) {
      if (button.classList.contains("bodymap-zoom-in")) zoom(svg, 2);
      else if (button.classList.contains("bodymap-zoom-out")) zoom(svg, 0.5);
      else setBox(svg, FULL.slice());
    });
    if (button.classList.contains("bodymap-zoom-reset")) wholeBody(map, true);
  });

  document.addEventListener("wheel", function (event) {
    var svg = event.target.closest && event.target.closest(".bodymap svg.bodymap-view");
    if (!svg || !event.ctrlKey || setting(svg, "mode").value === "view") return;
    event.preventDefault();
    var at = toLocal(svg, event.clientX, event.clientY);
    zoom(svg, event.deltaY < 0 ? 1.25 : 0.8, at.x, at.y);
  }, { passive: false });

  // Two fingers pinch; one finger (or the mouse) drags a zoomed view. A drag is not a click.
  var pointers = {}, gesture = null;
  document.addEventListener("pointerdown", function (event) {
    var svg = event.target.closest && event.target.closest(".bodymap svg.bodymap-view");
    if (!svg || setting(svg, "mode").value === "view") return;
    pointers[event.pointerId] = { x: event.clientX, y: event.clientY, svg: svg };
    var ids = Object.keys(pointers).filter(function (id) { return pointers[id].svg === svg; });
    gesture = { svg: svg, start: box(svg), moved: false, ids: ids,
                from: ids.map(function (id) { return { x: pointers[id].x, y: pointers[id].y }; }) };
  });
  document.addEventListener("pointermove", function (event) {
    var p = pointers[event.pointerId];
    if (!p || !gesture) return;
    p.x = event.clientX; p.y = event.clientY;
    var svg = gesture.svg, scale = gesture.start[2] / svg.getBoundingClientRect().width;
    if (gesture.ids.length >= 2) {
      var a = pointers[gesture.ids[0]], b = pointers[gesture.ids[1]];
      if (!a || !b) return;
      var before = Math.hypot(gesture.from[0].x - gesture.from[1].x, gesture.from[0].y - gesture.from[1].y);
      var now = Math.hypot(a.x - b.x, a.y - b.y);
      if (before < 1) return;
      var mid = toLocal(svg, (a.x + b.x) / 2, (a.y + b.y) / 2);
      svg._bmBox = gesture.start.slice();
      zoom(svg, now / before, mid.x, mid.y);
      gesture.moved = true;
    } else if (svg._bmBox && gesture.start[2] < FULL[2]) {
      var dx = event.clientX - gesture.from[0].x, dy = event.clientY - gesture.from[0].y;
      if (!gesture.moved && Math.hypot(dx, dy) < 6) return;
      gesture.moved = true;
      setBox(svg, [gesture.start[0] - dx * scale, gesture.start[1] - dy * scale, gesture.start[2], gesture.start[3]]);
    }
  });
  function lift(event) {
    delete pointers[event.pointerId];
    if (gesture && gesture.moved) {
      var svg = gesture.svg;
      svg._bmSuppressClick = true;
      setTimeout(function () { svg._bmSuppressClick = false; }, 0);
    }
    if (!Object.keys(pointers).length) gesture = null;
  }
  document.addEventListener("pointerup", lift);
  document.addEventListener("pointercancel", lift);
  document.addEventListener("click", function (event) {
    var svg = event.target.closest && event.target.closest(".bodymap svg.bodymap-view");
    if (svg && svg._bmSuppressClick) { event.stopImmediatePropagation(); event.preventDefault(); }
  }, true);

  /* ---- Two levels where places are drawn too small to tap (WCAG 2.5.8) --------------------------- */
  // Decided by measuring, not by the device: when the drawing is narrow and its smallest place at the
  // whole-body view is under 24 px, that view offers body areas (the vocabulary's region groups, one per side where a group has
  // no midline place) as its targets. Tapping one (or Enter / Space) shows its view alone, zoomed so its
  // smallest place is at least 24 px, and the places become the targets; "Back to whole body" returns.
  // Where the drawing has room (one CSS px or more per unit, as on a desktop) the map stays one level:
  // the smallest places (the teeth) are still under 24 px there, and zoom and the search reach them.
  var MIN_TARGET = 24, NARROW_SCALE = 1;

  function interactive(map) {
    var mode = map.getAttribute("data-mode");
    return (mode === "select" || mode === "place") && map.querySelector(".bodymap-tools");
  }

  function smallestPlace(root) {
    var least = Infinity;
    root.querySelectorAll(".region").forEach(function (path) {
      var r = path.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) least = Math.min(least, r.width, r.height);
    });
    return least;
  }

  function areaName(map, code) {
    var item = map.querySelector('.bodymap-area-names [data-area="' + CSS.escape(code) + '"]');
    return item ? item.textContent : code;
  }

  function buildAreas(map) {  // built at the first narrow whole-body view, sized for it
    var names = map.querySelector(".bodymap-area-names"), template = names ? names.getAttribute("data-template") : "{area}";
    map.querySelectorAll("svg.bodymap-view").forEach(function (svg) {
      if (svg.querySelector(".areas")) return;
      var groups = {}, order = [], midline = {};
      svg.querySelectorAll(".region").forEach(function (path) {
        var group = path.getAttribute("data-group") || (path.getAttribute("data-region") || "").split(".")[0];
        if (!path.getAttribute("data-side")) midline[group] = true;
        (groups[group] = groups[group] || []).push(path);
        if (order.indexOf(group) < 0) order.push(group);
      });
      var layer = document.createElementNS(SVG, "g");
      layer.setAttribute("class", "areas");
      svg.appendChild(layer);
      order.forEach(function (group) {
        var parts = {};
        groups[group].forEach(function (path) {
          var side = midline[group] ? "" : path.getAttribute("data-side");
          (parts[side] = parts[side] || []).push(path);
        });
        Object.keys(parts).forEach(function (side) {
          var area = document.createElementNS(SVG, "path"), paths = parts[side];
          var sideName = side ? paths[0].getAttribute("aria-label") || baseLabel(paths[0]) : "";
          var label = areaName(map, group);
          if (side) label += ", " + (sideName.split(", ").pop() || side);
          area.setAttribute("class", "area");
          area.setAttribute("d", paths.map(function (p) { return p.getAttribute("d"); }).join(" "));
          area.setAttribute("data-area", group);
          area.setAttribute("data-side", side);
          area.setAttribute("data-view", svg.getAttribute("data-view"));
          area.setAttribute("data-key", group + ":" + side + "@" + svg.getAttribute("data-view"));
          area.setAttribute("role", "button");
          area.setAttribute("tabindex", "-1");
          area.setAttribute("aria-label", fill(template, { area: label }));
          layer.appendChild(area);
          var b = area.getBBox(), least = MIN_TARGET * 1.05 * FULL[2] / svg.getBoundingClientRect().width;
          if (b.width < least || b.height < least) {  // a small area takes taps on a 24 px square about it
            var sq = Math.max(least, b.width, b.height), x = b.x + b.width / 2 - sq / 2, y = b.y + b.height / 2 - sq / 2;
            area.setAttribute("d", area.getAttribute("d") + " M" + x + " " + y + "h" + sq + "v" + sq + "h" + (-sq) + "z");
            b = area.getBBox();
          }
          area.setAttribute("data-cx", String(Math.round((b.x + b.width / 2) * 10) / 10));
          area.setAttribute("data-cy", String(Math.round((b.y + b.height / 2) * 10) / 10));
        });
      });
    });
  }

  // Show the areas or the places at the whole-body view, by the places' measured size.
  function wholeBody(map, focusArea) {
    if (!interactive(map)) return;
    var last = map.querySelector('.region[tabindex="0"], .muscle[tabindex="0"]');
    map.querySelectorAll("svg.bodymap-view").forEach(function (svg) { svg.classList.remove("bm-shown"); });
    map.classList.remove("bm-area-open");
    map.classList.remove("bm-areas");
    var view = map.querySelector("svg.bodymap-view"), scale = view ? view.getBoundingClientRect().width / FULL[2] : 1;
    var small = !map.classList.contains("zoomed") && scale < NARROW_SCALE && smallestPlace(map) < MIN_TARGET;
    if (!small) {
      var stop = map.querySelector('.area[tabindex="0"]');
      if (stop) { stop.setAttribute("tabindex", "-1"); (map.querySelector(".region") || stop).setAttribute("tabindex", "0"); }
      return;
    }
    buildAreas(map);
    map.classList.add("bm-areas");
    var area = last && areaFor(map, last);
    if (!area) area = map.querySelector(".area");
    if (area) { rove(area); if (focusArea) area.focus(); }
  }

  function areaFor(map, place) {
    if (place.classList.contains("area")) return place;
    var group = place.getAttribute("data-group"), side = place.getAttribute("data-side") || "";
    if (!group) return null;
    return map.querySelector('.area[data-view="' + CSS.escape(place.getAttribute("data-view") || "") + '"][data-area="'
      + CSS.escape(group) + '"][data-side="' + CSS.escape(side) + '"]')
      || map.querySelector('.area[data-view="' + CSS.escape(place.getAttribute("data-view") || "") + '"][data-area="'
      + CSS.escape(group) + '"][data-side=""]');
  }

  function openArea(area, byKeyboard) {
    var map = mapOf(area), svg = area.ownerSVGElement, group = area.getAttribute("data-area"), side = area.getAttribute("data-side");
    var members = Array.prototype.filter.call(svg.querySelectorAll(".region"), function (path) {
      return path.getAttribute("data-group") === group && (!side || path.getAttribute("data-side") === side);
    });
    map.classList.remove("bm-areas");
    map.classList.add("bm-area-open");
    map.querySelectorAll("svg.bodymap-view").forEach(function (one) { one.classList.toggle("bm-shown", one === svg); });
    var width = svg.getBoundingClientRect().width, b = area.getBBox(), least = Infinity;
    members.forEach(function (path) { var m = path.getBBox(); least = Math.min(least, m.width, m.height); });
    var fit = Math.max(b.width, b.height * FULL[2] / FULL[3]) * 1.15;
    var w = Math.min(fit, least * width / (MIN_TARGET * 1.1));
    setBox(svg, [b.x + b.width / 2 - w / 2, b.y + b.height / 2 - w * FULL[3] / FULL[2] / 2, w, w * FULL[3] / FULL[2]]);
    var first = members[0];
    if (first) { rove(first); if (byKeyboard) first.focus(); }
    var back = map.querySelector(".bodymap-back");
    if (back && !byKeyboard) back.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("click", function (event) {
    var back = event.target.closest && event.target.closest(".bodymap-back");
    if (!back) return;
    var map = mapOf(back);
    map.querySelectorAll("svg.bodymap-view").forEach(function (svg) { setBox(svg, FULL.slice()); });
    wholeBody(map, true);
  });

  function settleAll() {
    document.querySelectorAll(".bodymap").forEach(function (map) {
      if (!map.classList.contains("bm-area-open") && !map.classList.contains("zoomed")) wholeBody(map, false);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", settleAll);
  else settleAll();
  document.addEventListener("htmx:load", settleAll);
  window.addEventListener("resize", settleAll);

  /* ---- Search: the list of places, an equal alternative to pointing ------------------------------ */

  function findRegion(map, text) {
    var wanted = text.trim().toLowerCase();
    if (!wanted) return null;
    var found = null;
    regionsOf(map).forEach(function (region) {
      if (!found && (region.getAttribute("aria-label") || "").toLowerCase() === wanted) found = region;
    });
    return found;
  }

  function choose(input) {
    var map = mapOf(input), region = findRegion(map, input.value);
    if (!region) return false;
    rove(region);
    reveal(region);
    region.focus();
    act(region, { type: "keydown" });
    input.value = "";
    return true;
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target.closest && event.target.closest(".bodymap-find-input");
    if (!input || event.key !== "Enter") return;
    event.preventDefault();  // never submit the surrounding form from the search box
    choose(input);
  });
  document.addEventListener("input", function (event) {
    var input = event.target.closest && event.target.closest(".bodymap-find-input");
    // A suggestion picked from the list arrives whole, without typing: take it at once.
    if (input && event.inputType === "insertReplacementText") choose(input);
  });

  /* ---- The muscle layer's switch ---------------------------------------------------------------- */

  document.addEventListener("change", function (event) {
    var box = event.target.closest && event.target.closest(".bodymap-show-muscles");
    if (!box) return;
    var map = mapOf(box);
    map.classList.toggle("muscles-off", !box.checked);
    var focused = map.querySelector('.muscle[tabindex="0"]');
    if (!box.checked && focused) {  // a hidden muscle cannot keep the map's Tab stop
      focused.setAttribute("tabindex", "-1");
      var first = map.querySelector(".region");
      if (first) first.setAttribute("tabindex", "0");
    }
  });

  /* ---- Pain intensity per marked place (select maps) ------------------------------------------- */

  var DEFAULT_LEVEL = 5;

  function items(text) {
    return text.split(",").map(function (item) { return item.trim(); }).filter(Boolean).map(function (item) {
      var at = item.indexOf("@");
      if (at < 0) return { key: item, level: null };
      var level = parseInt(item.slice(at + 1), 10);
      return { key: item.slice(0, at), level: isNaN(level) ? null : level };
    });
  }

  function marksOf(el) {  // the marked places in the order they were marked, from the input if any
    var input = field(el, "input");
    if (input) return items(input.value);
    var seen = {}, out = [];
    mapOf(el).querySelectorAll(".region.marked").forEach(function (path) {
      var key = path.getAttribute("data-key"), level = path.getAttribute("data-intensity");
      if (seen[key]) return;
      seen[key] = true;
      out.push({ key: key, level: level === null ? null : parseInt(level, 10) });
    });
    return out;
  }

  function defaultLevel(el) {
    var input = field(el, "intensity-default-input"), level = input ? parseInt(input.value, 10) : NaN;
    return level >= 0 && level <= 10 ? level : DEFAULT_LEVEL;
  }

  function fill(template, values) {
    return Object.keys(values).reduce(function (text, name) { return text.replace("{" + name + "}", values[name]); }, template);
  }

  function baseLabel(path) {
    var title = path.querySelector("title");
    return title ? title.textContent : (path.getAttribute("aria-label") || "");
  }

  function texts(map) { return map.querySelector(".bodymap-marked") || document.createElement("div"); }

  function labelOfKey(map, key) {
    var path = map.querySelector('.region[data-key="' + CSS.escape(key) + '"]');
    return path ? baseLabel(path) : key;
  }

  // Write the marks everywhere they show: regions (class, aria-checked, name), numbers, list, input.
  function commit(el, marks, quiet) {
    var map = mapOf(el), input = field(el, "input"), byKey = {}, words = texts(map);
    marks.forEach(function (m) { byKey[m.key] = m; });
    map.querySelectorAll(".region").forEach(function (path) {
      var m = byKey[path.getAttribute("data-key")];
      path.classList.toggle("marked", !!m);
      if (path.getAttribute("role") !== "checkbox") return;
      path.setAttribute("aria-checked", m ? "true" : "false");
      var base = baseLabel(path);
      if (m && m.level !== null) {
        path.setAttribute("data-intensity", String(m.level));
        path.setAttribute("aria-label", fill(words.getAttribute("data-label-template") || "{place}, {level}",
                                             { place: base, level: m.level }));
      } else {
        path.removeAttribute("data-intensity");
        path.setAttribute("aria-label", base);
      }
    });
    drawLevels(map);
    listMarks(map, marks);
    if (input) {
      input.value = marks.map(function (m) { return m.level === null ? m.key : m.key + "@" + m.level; }).join(",");
      if (!quiet) fire(input, "change");
    }
    if (!quiet) fire(map, "bodymap:change", { keys: marks.map(function (m) { return m.key; }), marks: marks });
  }

  function drawLevels(map) {
    map.querySelectorAll("svg.bodymap-view").forEach(function (svg) {
      var layer = svg.querySelector(".intensities");
      if (!layer) {
        layer = document.createElementNS(SVG, "g");
        layer.setAttribute("class", "intensities");
        layer.setAttribute("aria-hidden", "true");
        svg.insertBefore(layer, svg.querySelector(".orientation"));
      }
      while (layer.firstChild) layer.removeChild(layer.firstChild);
      svg.querySelectorAll(".region.marked[data-intensity]").forEach(function (path) {
        var group = document.createElementNS(SVG, "g"), dot = document.createElementNS(SVG, "circle"),
            text = document.createElementNS(SVG, "text"), x = path.getAttribute("data-cx"), y = path.getAttribute("data-cy");
        group.setAttribute("class", "region-intensity");
        group.setAttribute("data-key", path.getAttribute("data-key"));
        dot.setAttribute("cx", x); dot.setAttribute("cy", y); dot.setAttribute("r", "4.6");
        text.setAttribute("x", x); text.setAttribute("y", y);
        text.textContent = path.getAttribute("data-intensity");
        group.appendChild(dot); group.appendChild(text);
        layer.appendChild(group);
      });
    });
  }

  function listMarks(map, marks) {
    var box = map.querySelector(".bodymap-marked"), list = box && box.querySelector(".bodymap-marked-list");
    if (!list) return;
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!marks.length) {
      var empty = document.createElement("li");
      empty.className = "bodymap-marked-empty";
      empty.textContent = box.getAttribute("data-empty");
      list.appendChild(empty);
    }
    marks.forEach(function (m) {
      var item = document.createElement("li"), place = labelOfKey(map, m.key), words = document.createElement("span");
      words.textContent = m.level === null ? place : fill(box.getAttribute("data-template"), { place: place, level: m.level });
      item.appendChild(words);
      item.setAttribute("data-key", m.key);
      var change = document.createElement("button");
      change.type = "button";
      change.className = "bodymap-intensity-edit";
      change.setAttribute("data-key", m.key);
      change.textContent = box.getAttribute("data-change");
      var hidden = document.createElement("span");
      hidden.className = "bodymap-sr-only";
      hidden.textContent = " " + place;
      change.appendChild(hidden);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(change);
      list.appendChild(item);
    });
  }

  function setLevel(el, key, level, quiet) {
    var marks = marksOf(el), found = false;
    marks.forEach(function (m) { if (m.key === key) { m.level = level; found = true; } });
    if (!found) marks.push({ key: key, level: level });
    commit(el, marks, quiet);
  }

  function panelOf(map) { return map.querySelector(".bodymap-intensity"); }

  function showLevel(panel, level) {
    var slider = panel.querySelector(".bodymap-intensity-input"), out = panel.querySelector(".bodymap-intensity-value");
    slider.value = String(level);
    out.textContent = String(level);
  }

  // The panel (not modal) for one marked place: focus stays where it was, so the arrow and number keys
  // keep working on the map; Tab from the place reaches the slider.
  function openPanel(el, key) {
    var map = mapOf(el), panel = panelOf(map);
    if (!panel) return;
    var mark = marksOf(el).filter(function (m) { return m.key === key; })[0];
    panel.setAttribute("data-key", key);
    panel.querySelector(".bodymap-intensity-place").textContent = labelOfKey(map, key);
    showLevel(panel, mark && mark.level !== null ? mark.level : defaultLevel(el));
    panel.hidden = false;
  }

  function closePanel(map, key) {
    var panel = panelOf(map);
    if (panel && (key === undefined || panel.getAttribute("data-key") === key)) panel.hidden = true;
  }

  function backToMap(panel) {
    var map = mapOf(panel), key = panel.getAttribute("data-key");
    panel.hidden = true;
    var region = map.querySelector('.region[data-key="' + CSS.escape(key || "") + '"]') || map.querySelector('.region[tabindex="0"]');
    if (region) { rove(region); reveal(region); region.focus(); }
  }

  function say(map, text) {
    var status = map.querySelector(".bodymap-status");
    if (status) status.textContent = text;
  }

  document.addEventListener("input", function (event) {
    var slider = event.target.closest && event.target.closest(".bodymap-intensity-input");
    if (!slider) return;
    var panel = slider.closest(".bodymap-intensity");
    showLevel(panel, parseInt(slider.value, 10));
    setLevel(panel, panel.getAttribute("data-key"), parseInt(slider.value, 10), true);  // shown now, sent on change
  });
  document.addEventListener("change", function (event) {
    var slider = event.target.closest && event.target.closest(".bodymap-intensity-input");
    if (!slider) return;
    event.stopPropagation();  // the slider has no name; the map's own input carries the value
    var panel = slider.closest(".bodymap-intensity");
    setLevel(panel, panel.getAttribute("data-key"), parseInt(slider.value, 10));
  }, true);

  document.addEventListener("click", function (event) {
    var done = event.target.closest && event.target.closest(".bodymap-intensity-done");
    if (done) { backToMap(done.closest(".bodymap-intensity")); return; }
    var edit = event.target.closest && event.target.closest(".bodymap-intensity-edit");
    if (!edit) return;
    var map = mapOf(edit), panel = panelOf(map);
    openPanel(edit, edit.getAttribute("data-key"));
    if (panel) panel.querySelector(".bodymap-intensity-input").focus();
  });

  var lastDigit = null;
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var panel = event.target.closest && event.target.closest(".bodymap-intensity");
      if (panel && !panel.hidden) { event.preventDefault(); backToMap(panel); }
      return;
    }
    if (!/^[0-9]$/.test(event.key) || event.ctrlKey || event.altKey || event.metaKey) return;
    var region = event.target.closest && event.target.closest(".bodymap .region");
    var mode = region && setting(region, "mode");
    if (!mode || mode.value !== "select") return;
    event.preventDefault();
    var key = region.getAttribute("data-key"), level = parseInt(event.key, 10), now = Date.now();
    if (level === 0 && lastDigit && lastDigit.key === key && lastDigit.level === 1 && now - lastDigit.at < 1500) level = 10;
    lastDigit = { key: key, level: level, at: now };
    setLevel(region, key, level);
    openPanel(region, key);
    var map = mapOf(region);
    say(map, region.getAttribute("aria-label"));
    caption(region);
  });

  // A map shown again with its marks (a saved drawing, a form with errors) lists them.
  function listAll(root) {
    var maps = Array.prototype.slice.call(root.querySelectorAll('.bodymap[data-mode="select"]'));
    if (root.matches && root.matches('.bodymap[data-mode="select"]')) maps.push(root);
    maps.forEach(function (map) {
      var first = map.querySelector(".region");
      if (first) commit(first, marksOf(first), true);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { listAll(document); });
  } else {
    listAll(document);
  }
  document.addEventListener("htmx:load", function (event) { listAll(event.target); });

  window.tpclinicBodyMap = { restore: restore };
})();
