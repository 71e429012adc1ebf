// Buttons with data-confirm ask before submitting. Kept out of the pages so the
// Content-Security-Policy can refuse every inline script.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
