// A little plain JavaScript: say that a form is being processed and stop double submission.
// Every page works without it.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
  if (form.dataset.sent === "1") { ev.preventDefault(); return; }
  form.dataset.sent = "1";
  var busy = form.dataset.busy;
  var progress = form.querySelector(".progress");
  if (busy && progress) { progress.textContent = busy; progress.hidden = false; }
  form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); });
});
// After an import, move the focus to the report so keyboard and screen-reader users land on it.
document.addEventListener("DOMContentLoaded", function () {
  var report = document.getElementById("rep") || document.getElementById("fail");
  if (report) report.focus();
});
