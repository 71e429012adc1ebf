// Batch printing: merge the chosen letters without leaving the page, saying what is happening.
// Without JavaScript the form simply opens the merged PDF in a new tab.
(function () {
  var form = document.querySelector("form.letters-batch");
  if (!form || !window.fetch || !window.URL) return;
  var status = form.querySelector(".batch-status");
  var button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", function (event) {
    var chosen = form.querySelectorAll("input[name=letter_ids]:checked").length;
    if (!chosen) {
      event.preventDefault();
      status.textContent = status.dataset.none;
      return;
    }
    event.preventDefault();
    button.disabled = true;
    status.textContent = status.dataset.working.replace("%n", chosen);
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.blob();
      })
      .then(function (blob) {
        var url = URL.createObjectURL(blob);
        status.innerHTML = "";
        var link = document.createElement("a");
        link.href = url;
        link.target = "_blank";
        link.className = "button";
        link.textContent = status.dataset.done.replace("%n", chosen);
        status.appendChild(link);
        link.focus();
      })
      .catch(function () {
        status.textContent = status.dataset.failed;
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
