/* Small enhancements for every page; each page works without them. Loaded in the head, not
 * deferred, so that it marks the page as scripted before the header is drawn (without the mark
 * the menu is shown open, since it cannot fold); every other part only listens on `document`.
 * No inline script anywhere (the Content-Security-Policy forbids them). */
(function () {
  "use strict";

  document.documentElement.classList.remove("no-js");

  // Escape folds the header's menu on small screens and gives the focus back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !window.bootstrap) {
      return;
    }
    var menu = document.getElementById("main-menu");
    if (!menu || !menu.classList.contains("show")) {
      return;
    }
    window.bootstrap.Collapse.getOrCreateInstance(menu, { toggle: false }).hide();
    var button = document.querySelector("[data-bs-target='#main-menu']");
    if (button) {
      button.focus();
    }
  });

  // "ACTIONS" menu items and banner buttons point at a form on the page (#action-...): take the
  // person to its first field so they can type at once, keyboard users included.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-hd-action]");
    if (!link) {
      return;
    }
    var target = document.querySelector(link.getAttribute("href"));
    if (!target) {
      return;
    }
    event.preventDefault();
    var field = target.querySelector(
      "textarea, input:not([type=hidden]), select, button[type=submit]"
    );
    target.scrollIntoView({ block: "start" });
    (field || target).focus({ preventScroll: true });
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", link.getAttribute("href"));
    }
  });

  // After htmx swaps in the next step of a form, move focus to its heading so screen reader and
  // keyboard users know where they are.
  document.addEventListener("htmx:afterSwap", function (event) {
    var heading = event.detail.target.querySelector("[data-hd-focus]");
    if (heading) {
      heading.focus();
    }
  });

  // A relative time shows its exact date while it has the keyboard's focus; Escape hides it
  // again without moving the focus (WCAG 1.4.13), until the time is focused anew.
  document.addEventListener("keydown", function (event) {
    var time = document.activeElement;
    if (event.key === "Escape" && time && time.classList.contains("hd-relative-time")) {
      time.classList.add("hd-dismissed");
    }
  });
  document.addEventListener("focusout", function (event) {
    if (event.target.classList && event.target.classList.contains("hd-relative-time")) {
      event.target.classList.remove("hd-dismissed");
    }
  });
})();
