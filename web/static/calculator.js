// The cost calculator, updated as one types. The figures are computed on the server by the
// same rules a case is judged by (GET /calculator/live), never in this script: it only sends
// the form and shows the answer. Without JavaScript the form posts back and shows the same.
(function () {
  "use strict";
  var form = document.getElementById("calc-form");
  if (!form || !window.fetch) return;
  var live = form.getAttribute("data-live");
  var result = document.getElementById("calc-result");
  var grid = document.getElementById("calc-grid");
  var timer = null;
  var seq = 0;

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (key !== "csrf_token") params.append(key, value);
    });
    return params.toString();
  }

  function showFieldErrors(errors) {
    ["floors", "per_floor", "same_area", "estimated_cost"].forEach(function (name) {
      var input = document.getElementById(name);
      var note = document.getElementById(name + "-error");
      if (!input || !note) return;
      if (errors[name]) {
        note.textContent = errors[name];
        note.hidden = false;
        input.setAttribute("aria-invalid", "true");
      } else {
        note.hidden = true;
        input.removeAttribute("aria-invalid");
      }
    });
  }

  function update(rebuildGrid) {
    var mine = ++seq;
    fetch(live + "?" + query(), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (mine !== seq) return; // an older answer arriving late
        result.innerHTML = data.result;
        if (rebuildGrid) {
          var open = Array.prototype.map.call(grid.querySelectorAll("details"), function (d) {
            return d.open;
          });
          grid.innerHTML = data.grid;
          grid.querySelectorAll("details").forEach(function (d, i) { d.open = !!open[i]; });
        }
        showFieldErrors(data.errors || {});
      })
      .catch(function () { /* keep the last answer; the button still posts the form */ });
  }

  form.addEventListener("input", function (event) {
    // Changing the floors or households a floor changes the grid; typing inside it must not
    // replace the field being typed in.
    var rebuild = event.target.id === "floors" || event.target.id === "per_floor";
    clearTimeout(timer);
    timer = setTimeout(function () { update(rebuild); }, 250);
  });
  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.getAttribute("formaction")) return;
    event.preventDefault();
    update(true);
  });
})();
