/* Small enhancements for every page; each page works without them. Loaded with `defer`, no
 * inline script anywhere (the Content-Security-Policy forbids them). */
(function () {
  "use strict";

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
})();
