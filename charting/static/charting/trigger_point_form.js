// Clicking the body map sets the muscle's side from the region's side, until the clinician picks one.
document.addEventListener("bodymap:place", function () {
  var side = document.getElementById("id_side");
  var regionSide = document.getElementById("id_region_side");
  if (side && regionSide && regionSide.value && !side.dataset.touched) { side.value = regionSide.value; }
});
document.addEventListener("change", function (event) {
  // Only the clinician's own choice counts; a muscle clicked on the map fills the side itself.
  if (event.target.id === "id_side" && !(event.detail && event.detail.bodymap)) { event.target.dataset.touched = "1"; }
});
