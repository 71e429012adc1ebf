// A batch print's page follows its job: the bar and the words come from the status JSON
// (worded by the server); when the job has finished, the page is loaded again to show the
// download or the reason. Without JavaScript the page reloads itself (<noscript> refresh).
(function () {
  var card = document.querySelector("section.batch[data-poll]");
  if (!card || !card.dataset.poll || !window.fetch) return;
  var bar = card.querySelector(".batch-bar");
  var headline = card.querySelector(".batch-headline");
  var count = card.querySelector(".batch-count");
  var detail = card.querySelector(".batch-detail");
  var refresh = card.querySelector(".batch-refresh");
  if (refresh) refresh.hidden = true;
  var delay = 400; // quick at first, so a short batch feels immediate; then once a second
  var failures = 0;

  function show(s) {
    if (s.finished) {
      window.location.replace(window.location.href);
      return;
    }
    if (bar) {
      bar.max = s.total;
      if (s.state === "queued") bar.removeAttribute("value");
      else bar.value = s.done;
      bar.textContent = s.percent + "%";
    }
    if (headline.textContent !== s.headline) headline.textContent = s.headline;
    if (count) count.textContent = s.count;
    if (detail) detail.textContent = s.detail;
    schedule();
  }

  function schedule() {
    window.setTimeout(poll, delay);
    delay = Math.min(delay * 1.5, 1000);
  }

  function poll() {
    fetch(card.dataset.poll, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (s) {
        failures = 0;
        show(s);
      })
      .catch(function () {
        // The network or the server hiccuped: try a few more times, then offer the link.
        failures += 1;
        if (failures < 5) schedule();
        else if (refresh) refresh.hidden = false;
      });
  }

  schedule();
})();
