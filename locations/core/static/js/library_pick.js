/* The shoot form's library field: when the typed text is one of the suggestions, remember that place's slug
 * (hidden field), say which place it is, and choose "a location from the library". Without this script the
 * server resolves the typed name itself. */
(function () {
  "use strict";

  function setup() {
    var input = document.querySelector("input[list=library-locations]");
    var slug = document.querySelector("input[name=location_slug]");
    var list = document.getElementById("library-locations");
    var chosen = document.getElementById("library-chosen");
    if (!input || !slug || !list || !chosen) { return; }

    function update() {
      var match = null;
      Array.prototype.forEach.call(list.options, function (option) {
        if (option.value === input.value) { match = option; }
      });
      if (!match) {
        if (slug.value && input.value !== input.getAttribute("data-picked")) { slug.value = ""; chosen.textContent = ""; }
        return;
      }
      slug.value = match.getAttribute("data-slug");
      input.setAttribute("data-picked", input.value);
      chosen.textContent = chosen.getAttribute("data-chosen-text") + " ";
      var link = document.createElement("a");
      link.href = match.getAttribute("data-url");
      link.textContent = match.value;
      chosen.appendChild(link);
      var library = document.querySelector("input[name=where][value=library]");
      if (library) { library.checked = true; }
    }

    input.setAttribute("data-picked", input.value);
    input.addEventListener("input", update);
    input.addEventListener("change", update);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
}());
