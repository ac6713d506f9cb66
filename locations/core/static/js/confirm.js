// Asks before a destructive form is sent: any form with data-confirm="question" (see action_button in
// _form.html). A static file, so the Content-Security-Policy needs no inline script.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
  if (!window.confirm(form.dataset.confirm)) event.preventDefault();
}, true);
