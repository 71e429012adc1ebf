// The roster on one page without reloading: add a row, remove a row, fill rows from lines
// pasted out of a spreadsheet. Without this script the same buttons post the form and the
// server does the same (web/homeowner/application.py); nothing here is needed to apply.
(function () {
  var form = document.querySelector("form.roster-form");
  if (!form) return;
  var status = form.querySelector(".roster-status");
  var list = form.querySelector(".roster-rows");
  var paste = form.querySelector("textarea[name=paste]");
  var COLUMNS = ["room", "floor", "area", "owner_name", "phone"];
  var NUMBER = /^\d+(\.\d+)?$/;

  function say(text) { status.textContent = text; status.hidden = !text; }
  function fill(template, n) { return template.replace("%n", n); }
  function rows() { return Array.prototype.slice.call(list.querySelectorAll("fieldset.household")); }

  // Every row's names and ids follow its position: households-<i>-<field>.
  function renumber() {
    rows().forEach(function (row, i) {
      row.id = "row-" + i;
      row.querySelectorAll("[id],[name],[for],[aria-describedby]").forEach(function (el) {
        ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (v) el.setAttribute(attr, v.replace(/households-\d+-/g, "households-" + i + "-"));
        });
      });
      var room = row.querySelector("input[name$='-room']").value.trim();
      row.querySelector("legend").textContent = fill(form.dataset.rowLegend, i + 1) + (room ? " · " + room : "");
      var remove = row.querySelector("button[value^='remove_row:']");
      remove.value = "remove_row:" + i;
      remove.textContent = fill(form.dataset.removeLabel, i + 1);
    });
  }

  function blankRow() {
    var row = rows()[rows().length - 1].cloneNode(true);
    row.querySelectorAll(".error").forEach(function (e) { e.remove(); });
    row.querySelectorAll(".has-error").forEach(function (e) { e.classList.remove("has-error"); });
    row.querySelectorAll("input").forEach(function (input) {
      input.value = "";
      input.removeAttribute("aria-invalid");
    });
    list.appendChild(row);
    return row;
  }

  form.addEventListener("click", function (e) {
    var button = e.target.closest("button[name=op]");
    if (!button) return;
    var op = button.value;
    if (op === "add_row") {
      e.preventDefault();
      var row = blankRow();
      renumber();
      row.querySelector("input").focus();
      say(form.dataset.added);
    } else if (op.indexOf("remove_row:") === 0) {
      e.preventDefault();
      var all = rows(), i = parseInt(op.split(":")[1], 10);
      var room = all[i].querySelector("input[name$='-room']").value.trim();
      if (all.length === 1) blankRow();
      all[i].remove();
      renumber();
      var next = rows()[Math.min(i, rows().length - 1)];
      next.querySelector("input").focus();
      say(fill(form.dataset.removed, i + 1).replace("%room", room || form.dataset.emptyRow));
    } else if (op === "paste") {
      e.preventDefault();
      fromPaste();
    }
  });

  function parse(text) {
    var out = [];
    text.split(/\r?\n/).forEach(function (line) {
      if (!line.trim()) return;
      var cells = line.split(/\t|,|，/).map(function (c) { return c.trim(); });
      if (!out.length && !NUMBER.test(cells[1] || "") && !NUMBER.test(cells[2] || "")) return;  // heading
      out.push(cells);
    });
    return out;
  }

  function fromPaste() {
    var found = parse(paste.value);
    if (!found.length) { say(form.dataset.nothing); paste.focus(); return; }
    while (rows().length < found.length) blankRow();
    rows().slice(found.length).forEach(function (row) { row.remove(); });
    renumber();
    rows().forEach(function (row, i) {
      COLUMNS.forEach(function (name, j) {
        row.querySelector("input[name='households-" + i + "-" + name + "']").value = found[i][j] || "";
      });
    });
    renumber();  // legends show the rooms
    paste.value = "";
    say(fill(form.dataset.pasted, found.length));
  }

  // Pasting fills the rows at once; the button stays for typing or correcting the lines.
  paste.addEventListener("paste", function () { setTimeout(fromPaste, 0); });
})();
