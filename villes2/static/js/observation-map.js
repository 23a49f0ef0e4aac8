/* Choropleth of a comparison (templates/observation/compare.html): draws the GeoJSON
   named by data-geojson-url, each territory filled with the colour of its quantile class
   (data-palette, the legend's colours), hatched when it has no value; the scope's outline
   on top. No tiles unless data-tile-url is set. The table on the page holds the same data. */
(function () {
  "use strict";
  var HATCH_ID = "observation-no-value";

  function addHatch(map) {
    var svg = map.getPanes().overlayPane.querySelector("svg");
    if (!svg || document.getElementById(HATCH_ID)) { return; }
    var ns = "http://www.w3.org/2000/svg";
    var defs = document.createElementNS(ns, "defs");
    var pattern = document.createElementNS(ns, "pattern");
    pattern.setAttribute("id", HATCH_ID);
    pattern.setAttribute("width", "6");
    pattern.setAttribute("height", "6");
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("patternTransform", "rotate(45)");
    var background = document.createElementNS(ns, "rect");
    background.setAttribute("width", "6");
    background.setAttribute("height", "6");
    background.setAttribute("fill", "#ffffff");
    var stroke = document.createElementNS(ns, "rect");
    stroke.setAttribute("width", "2");
    stroke.setAttribute("height", "6");
    stroke.setAttribute("fill", "#6b7380");
    pattern.appendChild(background);
    pattern.appendChild(stroke);
    defs.appendChild(pattern);
    svg.insertBefore(defs, svg.firstChild);
  }

  function draw(element) {
    var palette = JSON.parse(element.dataset.palette || "[]");
    var map = L.map(element, { zoomControl: false, attributionControl: true, scrollWheelZoom: false, zoomSnap: 0.25, preferCanvas: false });
    L.control.zoom({ zoomInTitle: element.dataset.zoomIn, zoomOutTitle: element.dataset.zoomOut }).addTo(map);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(element.dataset.attribution);
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, { attribution: element.dataset.tileAttribution || "" }).addTo(map);
    }
    fetch(element.dataset.geojsonUrl, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (collection) {
        var areas = collection.features.filter(function (f) { return !f.properties.outline; });
        var outlines = collection.features.filter(function (f) { return f.properties.outline; });
        if (!areas.length) { element.hidden = true; return; }
        var layer = L.geoJSON({ type: "FeatureCollection", features: areas }, {
          style: function (feature) {
            var number = feature.properties["class"];
            return {
              color: "#4a5361",
              weight: 0.6,
              fillOpacity: 1,
              fillColor: number ? palette[number - 1] : "url(#" + HATCH_ID + ")",
              className: number ? "class-" + number : "no-value"
            };
          },
          onEachFeature: function (feature, shape) {
            var p = feature.properties;
            shape.bindTooltip(p.label, { sticky: true });
            shape.on("click", function () { window.location.href = p.url; });
            shape.on("mouseover", function () { shape.setStyle({ weight: 2.5, color: "#1b1f24" }); shape.bringToFront(); });
            shape.on("mouseout", function () { layer.resetStyle(shape); });
          }
        }).addTo(map);
        if (outlines.length) {
          L.geoJSON({ type: "FeatureCollection", features: outlines }, {
            interactive: false,
            style: function () { return { color: "#143861", weight: 2.5, fill: false }; }
          }).addTo(map);
        }
        map.fitBounds(layer.getBounds(), { padding: [8, 8] });
        // The layers are drawn once the map has a view: only then is there an SVG to
        // hold the hatching pattern.
        addHatch(map);
      })
      .catch(function () { element.hidden = true; });
  }
  document.querySelectorAll("[data-choropleth]").forEach(draw);
})();
