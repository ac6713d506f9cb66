/* Layers that folium maps fetch from the app's GeoJSON API.
 * Every data value reaches the page through textContent or attributes, never as HTML. */
(function () {
  "use strict";

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function label(props, lang) {
    return (lang === "en" ? props.name_en || props.name_ja : props.name_ja || props.name_en) || "";
  }

  function colourOf(props, opts) {
    return (opts.colors && opts.colors[props.block]) || opts.color || "#1f77b4";
  }

  function outlines(data, opts) {
    return L.geoJSON(data, {
      style: function (f) {
        var c = colourOf(f.properties, opts);
        return { color: c, weight: 1.2, fillColor: c, fillOpacity: opts.fillOpacity || 0.12 };
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(el("span", label(f.properties, opts.lang)), { sticky: true });
        if (f.properties.url) {
          layer.on("click", function () { window.location.href = f.properties.url; });
        }
      }
    });
  }

  function pointPopup(props, opts) {
    var box = el("div", null, { "class": "map-popup" });
    var title = el("a", label(props, opts.lang), { href: props.url });
    box.appendChild(el("strong")).appendChild(title);
    if (props.subtitle) { box.appendChild(el("div", props.subtitle)); }
    if (props.approximate && opts.approximateText) {
      box.appendChild(el("div", opts.approximateText, { "class": "map-popup-note" }));
    }
    return box;
  }

  function points(data, opts) {
    return L.geoJSON(data, {
      pointToLayer: function (f, latlng) {
        var c = colourOf(f.properties, opts);
        return L.circleMarker(latlng, {
          radius: 7, color: "#fff", weight: 1.5, fillColor: c, fillOpacity: 0.9
        });
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(el("span", label(f.properties, opts.lang)));
        layer.bindPopup(function () { return pointPopup(f.properties, opts); });
      }
    });
  }

  function addLayers(map, layers) {
    var control = L.control.layers(null, null, { collapsed: false }).addTo(map);
    layers.forEach(function (opts) {
      fetch(opts.url, { headers: { Accept: "application/geo+json" } })
        .then(function (r) {
          if (!r.ok) { throw new Error(opts.url + " answered " + r.status); }
          return r.json();
        })
        .then(function (data) {
          var layer = opts.kind === "outlines" ? outlines(data, opts) : points(data, opts);
          layer.addTo(map);
          if (opts.kind === "outlines") { layer.bringToBack(); }
          control.addOverlay(layer, opts.name);
          map.getContainer().setAttribute("data-loaded-" + opts.kind, String(layer.getLayers().length));
        })
        .catch(function (err) {
          map.getContainer().setAttribute("data-error", String(err));
          if (window.console) { console.warn(err); }
        });
    });
  }

  window.LocationsMaps = { addLayers: addLayers };
})();
