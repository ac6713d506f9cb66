/* The shoot form's map: a click puts a marker there, fills the latitude and longitude inputs and
 * chooses "a point on the map". Folium declares each map as a global named after its container. */
(function () {
  "use strict";

  function setup() {
    var container = document.querySelector(".folium-map");
    var lat = document.querySelector("input[data-pick=lat]");
    var lon = document.querySelector("input[data-pick=lon]");
    var map = container && window[container.id];
    if (!map || !lat || !lon || typeof L === "undefined") { return; }
    var marker = null;

    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, { radius: 8 }).addTo(map); }
    }

    var start = [parseFloat(lat.value), parseFloat(lon.value)];
    if (isFinite(start[0]) && isFinite(start[1])) { place(start); }

    map.on("click", function (event) {
      place(event.latlng);
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      var point = document.querySelector("input[name=where][value=point]");
      if (point) { point.checked = true; }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
}());
