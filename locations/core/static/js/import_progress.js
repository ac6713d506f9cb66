// The import page's progress bar: when a form with a progress_id field is sent, give it a fresh id and poll
// the server for how far reading, checking, placing and writing have got (library/progress.py) until the
// answer page arrives. Without JavaScript the form is sent as before, only without the bar.
(() => {
  const box = document.getElementById("import-progress");
  if (!box) return;
  const bar = box.querySelector("progress");
  const status = box.querySelector("[role=status]");
  const randomId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0")).join("");
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const field = form instanceof HTMLFormElement && form.querySelector("input[name=progress_id]");
    if (!field || event.defaultPrevented) return;
    if (event.submitter && event.submitter.value === "problems") return; // a download: the page stays
    const id = randomId();
    field.value = id;
    const url = box.dataset.url.replace("__id__", id);
    box.hidden = false;
    bar.removeAttribute("value"); // indeterminate until the server has counted the rows
    status.textContent = box.dataset.sending;
    box.scrollIntoView({ block: "nearest" });
    const poll = () => {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : null))
        .then((found) => {
          if (found && found.total > 0) {
            bar.max = found.total;
            bar.value = found.done;
            status.textContent = `${found.label} ${found.done.toLocaleString()} / ${found.total.toLocaleString()}`;
          } else if (found) {
            status.textContent = found.label;
          }
        })
        .catch(() => {})
        .finally(() => window.setTimeout(poll, 700));
    };
    window.setTimeout(poll, 300);
  });
})();
