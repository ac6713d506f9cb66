// The header's menu button on small screens (below 768 px, see site.css): it shows and hides the menus.
// The button stays hidden, and the menus open, when this script does not run.
(() => {
  const header = document.querySelector(".site-header");
  const button = header && header.querySelector(".menu-toggle");
  if (!button) return;
  header.classList.add("menu-ready");
  button.hidden = false;
  const setOpen = (open) => {
    header.classList.toggle("menu-open", open);
    button.setAttribute("aria-expanded", String(open));
  };
  button.addEventListener("click", () => setOpen(!header.classList.contains("menu-open")));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.classList.contains("menu-open")) {
      setOpen(false);
      button.focus();
    }
  });
})();
