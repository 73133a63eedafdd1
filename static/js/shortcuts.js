/* The agents' keyboard shortcuts: "?" help, j/n next and k/p previous ticket, r reply, t take.
   Never while the focus is in a field (input, textarea, select, contenteditable) nor with Ctrl,
   Alt or Meta held: typing a "j" in a reply writes a "j". Without JavaScript, nothing here is
   needed: every action has its link or button. */
(function () {
  "use strict";

  var ORDER_KEY = "helpdesk.queueOrder";

  function typing(target) {
    if (!target || !target.closest) {
      return false;
    }
    return Boolean(
      target.closest("input, textarea, select, [contenteditable]:not([contenteditable=false])")
    );
  }

  function dialog() {
    return document.getElementById("shortcuts-dialog");
  }

  function install() {
    var template = document.getElementById("shortcuts-template");
    var main = document.getElementById("main");
    if (!template || !main || dialog()) {
      return;
    }
    main.appendChild(template.content.cloneNode(true));
  }

  var opener = null;

  function openHelp() {
    var help = dialog();
    if (!help || help.open) {
      return;
    }
    opener = document.activeElement;
    help.showModal();
    var close = help.querySelector("[data-shortcuts-close]");
    if (close) {
      close.focus();
    }
  }

  // --- The queue's order, for the ticket page's next and previous ----------------------------

  function queueLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-results a.ticket-link"));
  }

  function rememberOrder() {
    var links = queueLinks();
    if (!links.length || !window.sessionStorage) {
      return;
    }
    var paths = links.map(function (link) {
      return link.pathname;
    });
    try {
      window.sessionStorage.setItem(ORDER_KEY, JSON.stringify(paths));
    } catch (error) {
      // Storage full or refused: the ticket page's j/k simply do nothing.
    }
  }

  function storedOrder() {
    try {
      var paths = JSON.parse(window.sessionStorage.getItem(ORDER_KEY) || "[]");
      return Array.isArray(paths) ? paths : [];
    } catch (error) {
      return [];
    }
  }

  // --- Moving through a queue or from ticket to ticket ------------------------------------------

  function currentRow() {
    return document.querySelector("#queue-results tr.queue-current");
  }

  function chooseRow(step) {
    var links = queueLinks();
    if (!links.length) {
      return false;
    }
    var rows = links.map(function (link) {
      return link.closest("tr");
    });
    var index = rows.indexOf(currentRow());
    var next = index < 0 ? (step > 0 ? 0 : rows.length - 1) : index + step;
    next = Math.max(0, Math.min(rows.length - 1, next));
    rows.forEach(function (row) {
      row.classList.remove("queue-current");
    });
    rows[next].classList.add("queue-current");
    links[next].focus();
    links[next].scrollIntoView({ block: "nearest" });
    return true;
  }

  function goToTicket(step) {
    var paths = storedOrder();
    var index = paths.indexOf(window.location.pathname);
    if (index < 0 || !paths[index + step]) {
      return false;
    }
    window.location.assign(paths[index + step]);
    return true;
  }

  function move(step) {
    return chooseRow(step) || goToTicket(step);
  }

  // --- Reply and take ---------------------------------------------------------------------------

  function reply() {
    var box =
      document.querySelector("[data-shortcut=reply]") ||
      document.querySelector("#composer textarea") ||
      document.querySelector("#ticket-panel textarea");
    if (!box) {
      return false;
    }
    var details = box.closest("details");
    if (details && !details.open) {
      details.open = true;
    }
    box.focus();
    box.scrollIntoView({ block: "center" });
    return true;
  }

  function take() {
    var row = currentRow();
    var button = row
      ? row.querySelector("button.take-one")
      : document.querySelector("[data-shortcut=take]") ||
        document.querySelector("form[action*='/actions/take/'] button[type=submit]");
    if (!button) {
      return false;
    }
    button.click();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) {
      return;
    }
    if (typing(event.target)) {
      return;
    }
    var help = dialog();
    if (help && help.open) {
      return; // The dialog is modal: Escape and Tab keep their usual meaning inside it.
    }
    var done = false;
    switch (event.key) {
      case "?":
        openHelp();
        done = true;
        break;
      case "j":
      case "n":
        done = !event.shiftKey && move(1);
        break;
      case "k":
      case "p":
        done = !event.shiftKey && move(-1);
        break;
      case "r":
        done = !event.shiftKey && reply();
        break;
      case "t":
        done = !event.shiftKey && take();
        break;
      default:
        return;
    }
    if (done) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-shortcuts-open]")) {
      openHelp();
    }
  });

  document.addEventListener("close", function (event) {
    if (event.target === dialog() && opener && opener.focus) {
      opener.focus();
      opener = null;
    }
  }, true);

  document.addEventListener("htmx:afterSettle", rememberOrder);

  function start() {
    install();
    rememberOrder();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
