// The locations' map: Leaflet (vendored), circles sized by mentions and coloured by the negative
// share. The data comes in data-* attributes (no inline script: the page allows none).
(function () {
  "use strict";

  // green at no negative mentions, through yellow at a quarter, to red at half and more
  function colour(share) {
    if (share === null || share === undefined) return "#8a94a6";
    var hue = Math.round(120 * (1 - Math.min(share / 0.5, 1)));
    return "hsl(" + hue + ", " + (hue > 90 ? 65 : hue > 30 ? 80 : 70) + "%, " +
      (hue > 90 ? 42 : hue > 30 ? 45 : 48) + "%)";
  }

  function draw(el) {
    if (!window.L) return;
    var points = JSON.parse(el.dataset.points || "[]");
    var map = L.map(el, { scrollWheelZoom: false, attributionControl: !!el.dataset.tiles });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.credit || "" }).addTo(map);
    }
    var most = Math.max.apply(null, points.map(function (p) { return p.mentions; }).concat([1]));
    var bounds = [];
    points.forEach(function (p) {
      var radius = 6 + 22 * Math.sqrt(p.mentions / most);
      var circle = L.circleMarker([p.lat, p.lon], {
        radius: radius, color: "#333", weight: 1, fillColor: colour(p.negative_share),
        fillOpacity: 0.75,
      }).addTo(map);
      var share = p.negative_share === null ? "—" : Math.round(100 * p.negative_share) + " %";
      var box = document.createElement("div");
      var title = document.createElement("b");
      title.textContent = p.name;
      box.appendChild(title);
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(
        el.dataset.labelMentions + ": " + p.mentions + " · " + el.dataset.labelNegative + ": " + share));
      circle.bindTooltip(box);
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
    else map.setView([55.75, 37.62], 10);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("location-map");
    if (el) draw(el);
  });
})();
