// Quick exit ("Snel weg"): one click or the Escape key leaves for a neutral site.
// location.replace swaps the current history entry, so Back does not return to this page.
// Without JavaScript the link still works as an ordinary link.
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) { return; }
  function leave(event) {
    if (event) { event.preventDefault(); }
    document.documentElement.classList.add("leaving");
    document.title = "";
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") { leave(event); }
  });
})();
