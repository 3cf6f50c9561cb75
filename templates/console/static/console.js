// The console's one behaviour beyond htmx: a button that prints a framed page on its own
// (the monthly bulletin), so the paper carries the page and not the console around it.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print-frame]");
  if (!button) return;
  var frame = document.getElementById(button.getAttribute("data-print-frame"));
  if (frame && frame.contentWindow) {
    event.preventDefault();
    frame.contentWindow.focus();
    frame.contentWindow.print();
  }
});
