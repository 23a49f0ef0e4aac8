/* The map of interventions (templates/admin/inquiries/intervention/map.html): the GeoJSON
   named by data-geojson-url holds the centre's départements ("frame", drawn beneath), the
   boundaries of the sites that have one ("area") and a point per site ("site") whose
   circle has the radius given (its area proportional to the half-days). No tiles unless
   data-tile-url is set. The table on the page holds the same figures. */
(function () {
  "use strict";
  var INK = "#205067";

  function only(collection, role) {
    return {
      type: "FeatureCollection",
      features: collection.features.filter(function (f) { return f.properties.role === role; })
    };
  }

  function draw(element) {
    var map = L.map(element, { zoomControl: false, attributionControl: true, scrollWheelZoom: false, zoomSnap: 0.25 });
    L.control.zoom({ zoomInTitle: element.dataset.zoomIn, zoomOutTitle: element.dataset.zoomOut }).addTo(map);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(element.dataset.attribution);
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, { attribution: element.dataset.tileAttribution || "" }).addTo(map);
    }
    fetch(element.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (collection) {
        var frame = L.geoJSON(only(collection, "frame"), {
          interactive: false,
          style: function () { return { color: "#8a94a3", weight: 1, fillColor: "#eef1f4", fillOpacity: 1 }; }
        }).addTo(map);
        L.geoJSON(only(collection, "area"), {
          interactive: false,
          style: function () { return { color: INK, weight: 1.5, fillColor: "#79aec8", fillOpacity: 0.3 }; }
        }).addTo(map);
        var sites = L.geoJSON(only(collection, "site"), {
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, {
              radius: feature.properties.radius,
              color: "#ffffff",
              weight: 1.5,
              fillColor: INK,
              fillOpacity: 0.75
            });
          },
          onEachFeature: function (feature, shape) {
            shape.bindTooltip(feature.properties.label, { sticky: true });
            shape.on("click", function () { window.location.href = feature.properties.url; });
          }
        }).addTo(map);
        var bounds = frame.getBounds();
        if (sites.getLayers().length) {
          bounds = bounds.isValid() ? bounds.extend(sites.getBounds()) : sites.getBounds();
        }
        if (!bounds.isValid()) { element.hidden = true; return; }
        map.fitBounds(bounds, { padding: [12, 12] });
      })
      .catch(function () { element.hidden = true; });
  }
  document.querySelectorAll("[data-intervention-map]").forEach(draw);
})();
