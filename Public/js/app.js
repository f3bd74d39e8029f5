// Quick exit ("Snel weg"): one click or the Escape key leaves for a neutral site.
// location.replace swaps the current history entry, so Back does not return to this page.
// Without JavaScript the link still works as an ordinary link.
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) { return; }
  function leave(event) {
    if (event) { event.preventDefault(); }
    // An open journal is closed on the way out, so the next person at this screen finds it locked.
    var journal = document.querySelector('form[action$="/logboek/sluiten"]');
    if (journal && navigator.sendBeacon) {
      try { navigator.sendBeacon(journal.action, new FormData(journal)); } catch (e) { /* leave anyway */ }
    }
    document.documentElement.classList.add("leaving");
    document.title = "";
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") { leave(event); }
  });
})();

// Action plan: ticks are kept in this browser only (localStorage), never sent anywhere.
(function () {
  "use strict";
  var plan = document.querySelector("[data-plan-key]");
  if (plan) {
    var key = "vertrouwd-" + plan.getAttribute("data-plan-key");
    var saved = {};
    try { saved = JSON.parse(window.localStorage.getItem(key) || "{}"); } catch (e) { saved = {}; }
    plan.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      box.checked = saved[box.value] === true;
      box.addEventListener("change", function () {
        saved[box.value] = box.checked;
        try { window.localStorage.setItem(key, JSON.stringify(saved)); } catch (e) { /* private mode: ticks last for this page only */ }
      });
    });
  }
  var print = document.querySelector("[data-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
})();

// Back office: one box ticks every case in a list (a flood can be hundreds). Hidden without JavaScript.
(function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var name = all.getAttribute("data-select-all");
    var form = all.form;
    if (!form) { return; }
    all.hidden = false;
    all.addEventListener("change", function () {
      form.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (box) { box.checked = all.checked; });
    });
  });
})();
