// Batch printing: the form asks for a merged PDF and lands on that batch's own page, which
// shows the progress. Here only: refuse an empty choice, and a second click while it is sent.
(function () {
  var form = document.querySelector("form.letters-batch");
  if (!form) return;
  var status = form.querySelector(".batch-status");
  var button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", function (event) {
    var chosen = form.querySelectorAll("input[name=letter_ids]:checked").length;
    if (!chosen) {
      event.preventDefault();
      status.textContent = status.dataset.none;
      return;
    }
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    button.disabled = true;
    status.textContent = status.dataset.working.replace("%n", chosen);
  });
  // Back from the batch's page: the form may be sent again.
  window.addEventListener("pageshow", function () {
    delete form.dataset.sent;
    button.disabled = false;
  });
})();
