/* Villes² maps: draw the GeoJSON layer named by data-geojson-url in each [data-map].
   No background tiles unless data-tile-url is set: no request leaves the site by default. */
(function () {
  "use strict";
  function draw(element) {
    var map = L.map(element, { zoomControl: false, attributionControl: true, scrollWheelZoom: false, zoomSnap: 0.25 });
    L.control.zoom({ zoomInTitle: element.dataset.zoomIn, zoomOutTitle: element.dataset.zoomOut }).addTo(map);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(element.dataset.attribution);
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, { attribution: element.dataset.tileAttribution || "" }).addTo(map);
    }
    fetch(element.dataset.geojsonUrl, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        if (!collection.features.length) { element.hidden = true; return; }
        var layer = L.geoJSON(collection, {
          style: function (feature) {
            return feature.properties.outline
              ? { color: "#143861", weight: 3, fill: false }
              : { color: "#1d4e89", weight: 1, fillColor: "#8fb3de", fillOpacity: 0.35 };
          },
          onEachFeature: function (feature, shape) {
            if (feature.properties.outline) { return; }
            shape.bindTooltip(feature.properties.name + " (" + feature.properties.code + ")", { sticky: true });
            shape.on("click", function () { window.location.href = feature.properties.url; });
          }
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      })
      .catch(function () { element.hidden = true; });
  }
  document.querySelectorAll("[data-map]").forEach(draw);
})();
