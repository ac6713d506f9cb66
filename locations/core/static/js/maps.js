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

  /* Prefectures filled with colours chosen by the server; labels are plain text (name: value). */
  function choropleth(data, opts) {
    return L.geoJSON(data, {
      style: function (f) {
        return { color: "#555", weight: 0.8, fillColor: (opts.fills || {})[f.properties.code] || "#eeeeee",
                 fillOpacity: 0.8 };
      },
      onEachFeature: function (f, layer) {
        var text = label(f.properties, opts.lang) + ": " + ((opts.labels || {})[f.properties.code] || "0");
        layer.bindTooltip(el("span", text), { sticky: true });
        if (layer.getElement) {
          layer.on("add", function () {
            var path = layer.getElement();
            if (path) { path.setAttribute("data-code", f.properties.code); path.classList.add("choropleth-shape"); }
          });
        }
      }
    });
  }

  function pointPopup(props, opts) {
    var box = el("div", null, { "class": "map-popup" });
    if (props.thumbnail) {
      box.appendChild(el("img", null, { src: props.thumbnail, alt: "", width: "160", loading: "lazy" }));
    }
    var title = el("a", label(props, opts.lang), { href: props.url });
    box.appendChild(el("strong")).appendChild(title);
    var category = opts.lang === "en" ? props.category_en : props.category_ja;
    if (category) { box.appendChild(el("div", category, { "class": "map-popup-category" })); }
    if (typeof props.distance_km === "number") {
      box.appendChild(el("div", props.distance_km.toFixed(1) + " km"));
    }
    if (props.synthetic && opts.syntheticText) {
      box.appendChild(el("div", opts.syntheticText, { "class": "map-popup-note" }));
    }
    if (typeof props.days === "number" && opts.daysText) {
      box.appendChild(el("div", opts.daysText.replace("{n}", String(props.days)), { "class": "map-popup-note" }));
    }
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
          radius: opts.radius || 7, color: "#fff", weight: 1.5, fillColor: c, fillOpacity: 0.9
        });
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(el("span", label(f.properties, opts.lang)));
        layer.bindPopup(function () { return pointPopup(f.properties, opts); });
        if (opts.map) { listed(opts.map, layer, label(f.properties, opts.lang)); }
      }
    });
  }

  function pointMarker(latlng, props, opts) {
    var marker = L.circleMarker(latlng, {
      radius: 7, color: "#fff", weight: 1.5, fillColor: colourOf(props, opts), fillOpacity: 0.9
    });
    marker.bindTooltip(el("span", label(props, opts.lang)));
    marker.bindPopup(function () { return pointPopup(props, opts); });
    return marker;
  }

  function clusterMarker(map, latlng, count, opts) {
    var size = count < 100 ? 34 : count < 1000 ? 42 : 50;
    var marker = L.marker(latlng, {
      icon: L.divIcon({ html: el("span", String(count)), className: "map-cluster", iconSize: [size, size] }),
      keyboard: true, title: (opts.clusterText || "{n}").replace("{n}", String(count))
    });
    marker.on("click", function () { map.setView(latlng, Math.min(map.getZoom() + 2, 18)); });
    return marker;
  }

  /* A layer refetched for the visible box on every pan and zoom. */
  function viewport(map, opts) {
    var group = L.layerGroup();
    var clusters = L.layerGroup().addTo(group);
    var points = (L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false }) : L.layerGroup()).addTo(group);
    var container = map.getContainer();
    var pending = null;
    var sequence = 0;
    // Markers by slug: those still in view survive a refetch, so an open popup stays open
    // when the map pans to fit it, and panning does not flicker.
    var shown = {};
    function refresh() {
      if (!map.hasLayer(group)) { return; }
      var b = map.getBounds();
      var box = [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()),
                 Math.min(180, b.getEast()), Math.min(90, b.getNorth())];
      var url = opts.url + (opts.url.indexOf("?") >= 0 ? "&" : "?") +
        "bbox=" + box.map(function (v) { return v.toFixed(5); }).join(",") + "&zoom=" + map.getZoom();
      if (pending) { pending.abort(); }
      pending = window.AbortController ? new AbortController() : null;
      var mine = ++sequence;
      container.setAttribute("data-viewport-state", "loading");
      fetch(url, { signal: pending && pending.signal, headers: { Accept: "application/geo+json" } })
        .then(function (r) {
          if (!r.ok) { throw new Error(url + " answered " + r.status); }
          return r.json();
        })
        .then(function (data) {
          if (mine !== sequence) { return; }
          clusters.clearLayers();
          var next = {};
          var nClusters = 0, nPoints = 0;
          data.features.forEach(function (f) {
            var latlng = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
            if (f.properties.cluster) {
              clusters.addLayer(clusterMarker(map, latlng, f.properties.count, opts));
              nClusters += 1;
              return;
            }
            var slug = f.properties.slug;
            var marker = shown[slug];
            if (!marker) {
              marker = pointMarker(latlng, f.properties, opts);
              points.addLayer(marker);
              listed(map, marker, label(f.properties, opts.lang), 15);
            }
            next[slug] = marker;
            nPoints += 1;
          });
          Object.keys(shown).forEach(function (slug) {
            if (!next[slug]) {
              points.removeLayer(shown[slug]);
              if (map._pointList) { map._pointList.remove(shown[slug]); }
            }
          });
          shown = next;
          container.setAttribute("data-viewport-clusters", String(nClusters));
          container.setAttribute("data-viewport-points", String(nPoints));
          container.setAttribute("data-viewport-total", String(data.total));
          container.setAttribute("data-viewport-state", "ready");
        })
        .catch(function (err) {
          if (err.name === "AbortError") { return; }
          container.setAttribute("data-viewport-state", "error");
          container.setAttribute("data-error", String(err));
          if (window.console) { console.warn(err); }
        });
    }
    map.on("moveend", refresh);
    group.on("add", refresh);
    return group;
  }

  /* Lines of plain text, one per row, for a tooltip. */
  function textLines(lines) {
    var box = el("div");
    (lines || []).forEach(function (line, i) {
      if (i) { box.appendChild(document.createElement("br")); }
      box.appendChild(document.createTextNode(String(line)));
    });
    return box;
  }

  /* A production's shoots, the authorities its steps go to and a dashed line per pair, all inline. */
  function pins(opts) {
    var group = L.featureGroup();
    (opts.links || []).forEach(function (link) {
      L.polyline([link.start, link.end], {
        color: opts.authorityColor, weight: 2, opacity: 0.8, dashArray: "6 6"
      }).bindTooltip(textLines(link.lines), { sticky: true }).addTo(group);
    });
    (opts.shoots || []).forEach(function (pin) {
      var shoot = L.circleMarker([pin.lat, pin.lon], {
        radius: 9, color: "#ffffff", weight: 2, fill: true, fillColor: opts.shootColor, fillOpacity: 0.9
      }).bindTooltip(textLines(pin.lines)).addTo(group);
      if (opts.map) { listed(opts.map, shoot, (pin.lines || []).join(" · ")); }
    });
    (opts.authorities || []).forEach(function (pin) {
      var office = L.circleMarker([pin.lat, pin.lon], {
        radius: 7, color: opts.authorityColor, weight: 3, fill: true, fillColor: "#ffffff", fillOpacity: 1
      }).bindTooltip(textLines(pin.lines)).addTo(group);
      if (opts.map) { listed(opts.map, office, (pin.lines || []).join(" · ")); }
    });
    return group;
  }

  /* A keyboard-usable list of the points drawn on a map, under it: each entry is a button that brings its
   * point into view and opens its popup (or tooltip). Circle markers are SVG paths no key can reach. */
  function pointList(map, opts) {
    var container = map.getContainer();
    var box = el("details", null, { "class": "map-points" });
    var summary = el("summary");
    var list = el("ul", null, { "class": "plain" });
    box.appendChild(summary);
    box.appendChild(list);
    var frame = container.parentNode;
    frame.parentNode.insertBefore(box, frame.nextSibling);
    var entries = [];
    var timer = null;
    function render() {
      timer = null;
      list.textContent = "";
      var shown = entries.filter(function (e) { return map.hasLayer(e.layer); }).slice(0, 300);
      summary.textContent = (opts.listText || "{n}").replace("{n}", String(shown.length));
      shown.forEach(function (entry) {
        var item = el("li");
        var button = el("button", entry.text, { type: "button", "class": "link-button" });
        button.addEventListener("click", function () {
          var target = entry.layer.getLatLng ? entry.layer.getLatLng() : null;
          if (target) { map.setView(target, Math.max(map.getZoom(), entry.zoom || 12)); }
          if (entry.layer.getPopup && entry.layer.getPopup()) { entry.layer.openPopup(); }
          else if (entry.layer.getTooltip && entry.layer.getTooltip()) { entry.layer.openTooltip(); }
          container.focus();
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      box.hidden = shown.length === 0;
      container.setAttribute("data-listed-points", String(shown.length));
    }
    function schedule() { if (!timer) { timer = setTimeout(render, 60); } }
    map.on("layeradd layerremove", schedule);
    return {
      add: function (layer, text, zoom) { entries.push({ layer: layer, text: text, zoom: zoom }); schedule(); },
      remove: function (layer) { entries = entries.filter(function (e) { return e.layer !== layer; }); schedule(); }
    };
  }

  function listed(map, layer, text, zoom) {
    if (map._pointList) { map._pointList.add(layer, text, zoom); }
  }

  function fetchJSON(url, signal) {
    return fetch(url, { signal: signal, headers: { Accept: "application/geo+json" } }).then(function (r) {
      if (!r.ok) { throw new Error(url + " answered " + r.status); }
      return r.json();
    });
  }

  /* The offline base under every map: prefecture outlines and, from city zoom on, the municipal outlines of
   * the visible box with their names. Nothing in it is clickable: clicks go to the map itself. */
  function base(map, opts) {
    var container = map.getContainer();
    map._pointList = pointList(map, opts);
    container.setAttribute("tabindex", container.getAttribute("tabindex") || "0");
    var group = L.layerGroup().addTo(map);
    if (opts.prefectures) {
      fetchJSON(opts.prefectures).then(function (data) {
        var layer = L.geoJSON(data, { interactive: false, style: function () {
          return { color: "#5b6473", weight: 1.2, fillColor: "#eef0e6", fillOpacity: 0.55 };
        } }).addTo(group);
        layer.bringToBack();
        container.setAttribute("data-loaded-base-prefectures", String(layer.getLayers().length));
      }).catch(function (err) { container.setAttribute("data-error", String(err)); });
    }
    var towns = L.geoJSON(null, { interactive: false, style: function () {
      return { color: "#7a8494", weight: 0.8, dashArray: "3 3", fill: false };
    } }).addTo(group);
    var labels = L.layerGroup().addTo(group);
    var pending = null;
    function refresh() {
      if (!opts.municipalities) { return; }
      if (map.getZoom() < (opts.minZoom || 8)) {
        towns.clearLayers();
        labels.clearLayers();
        container.setAttribute("data-loaded-municipalities", "0");
        return;
      }
      var b = map.getBounds();
      var url = opts.municipalities + "?bbox=" + [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()),
        Math.min(180, b.getEast()), Math.min(90, b.getNorth())].map(function (v) { return v.toFixed(4); }).join(",");
      if (pending) { pending.abort(); }
      pending = window.AbortController ? new AbortController() : null;
      fetchJSON(url, pending && pending.signal).then(function (data) {
        towns.clearLayers();
        labels.clearLayers();
        towns.addData(data);
        if (map.getZoom() >= (opts.minZoom || 8) + 2) {
          towns.eachLayer(function (layer) {
            var props = layer.feature.properties;
            var text = label(props, opts.lang);
            var name = el("span", text, { lang: text === props.name_ja ? "ja" : opts.lang });
            L.marker(layer.getBounds().getCenter(), {
              icon: L.divIcon({ html: name, className: "town-label", iconSize: null }),
              interactive: false, keyboard: false
            }).addTo(labels);
          });
        }
        container.setAttribute("data-loaded-municipalities", String(data.features.length));
      }).catch(function (err) {
        if (err.name === "AbortError") { return; }
        container.setAttribute("data-error", String(err));
      });
    }
    map.on("moveend", refresh);
    refresh();
    watchTiles(map, opts);
    return group;
  }

  /* Tiles that fail (no network, a blocked server) leave a grey void: after the first failures with nothing
   * loaded, drop the tile layer (and its credit), keep the outlines, and say so on the map. */
  function watchTiles(map, opts) {
    var container = map.getContainer();
    map.eachLayer(function (layer) {
      if (!(layer instanceof L.TileLayer)) { return; }
      var loaded = 0, failed = 0, gone = false;
      container.setAttribute("data-tiles", "on");
      layer.on("tileload", function () { loaded += 1; });
      layer.on("tileerror", function () {
        failed += 1;
        if (gone || !((loaded === 0 && failed >= 2) || failed >= 12)) { return; }
        gone = true;
        map.removeLayer(layer);
        container.setAttribute("data-tiles", "failed");
        var note = L.control({ position: "bottomleft" });
        note.onAdd = function () { return el("div", opts.tilesFailedText, { "class": "map-note", role: "status" }); };
        note.addTo(map);
      });
    });
  }

  function addLayers(map, layers) {
    var control = null;
    function overlay(layer, name) {
      if (!control) {
        // Folded on small screens, where an open list would cover a third of the map.
        control = L.control.layers(null, null, { collapsed: window.innerWidth < 768 }).addTo(map);
      }
      control.addOverlay(layer, name);
    }
    layers.forEach(function (opts) {
      opts.map = map;
      if (opts.kind === "base") {
        base(map, opts);
        return;
      }
      if (opts.kind === "circle") {
        L.circle([opts.lat, opts.lon], { radius: opts.radiusM, color: "#b3261e", weight: 2, dashArray: "6 4",
                                         fillOpacity: 0.04, interactive: false }).addTo(map);
        map.getContainer().setAttribute("data-radius-m", String(opts.radiusM));
        return;
      }
      if (opts.kind === "pins") {
        var drawn = pins(opts).addTo(map);
        map.getContainer().setAttribute("data-loaded-pins", String(drawn.getLayers().length));
        return;
      }
      if (opts.kind === "viewport") {
        var live = viewport(map, opts);
        overlay(live, opts.name);
        live.addTo(map);
        return;
      }
      fetch(opts.url, { headers: { Accept: "application/geo+json" } })
        .then(function (r) {
          if (!r.ok) { throw new Error(opts.url + " answered " + r.status); }
          return r.json();
        })
        .then(function (data) {
          var layer = opts.kind === "outlines" ? outlines(data, opts) :
            opts.kind === "choropleth" ? choropleth(data, opts) : points(data, opts);
          layer.addTo(map);
          if (opts.kind === "outlines") { layer.bringToBack(); }
          overlay(layer, opts.name);
          // opts.key tells apart two layers of one kind on the same map (say, two point layers).
          map.getContainer().setAttribute("data-loaded-" + (opts.key || opts.kind), String(layer.getLayers().length));
        })
        .catch(function (err) {
          map.getContainer().setAttribute("data-error", String(err));
          if (window.console) { console.warn(err); }
        });
    });
  }

  /* The layers come as JSON in an inert element beside the map, never inside the script itself. */
  function addLayersFrom(map, id) {
    var data = document.getElementById(id);
    addLayers(map, data ? JSON.parse(data.textContent) : []);
  }

  window.LocationsMaps = { addLayers: addLayers, addLayersFrom: addLayersFrom };
})();
