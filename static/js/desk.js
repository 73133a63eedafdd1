/* The agents' workspace: canned responses and htmx's handling of refused moves.
   Everything here is an enhancement; each form also works without JavaScript. */
(function () {
  "use strict";

  // The ticket panel answers 400 (text missing), 403 and 409 (move refused) with the panel and
  // the message in it: let htmx swap those like a success.
  if (window.htmx) {
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "(400|403|409)", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
    ];
  }

  // "Insert" a canned response: without JavaScript the GET form reloads the page with the reply
  // prefilled; with it, the text goes into the reply at the cursor and nothing is reloaded.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-canned-target]")) {
      return;
    }
    var select = form.querySelector("select[name=canned]");
    var textarea = document.getElementById(form.getAttribute("data-canned-target"));
    if (!select || !textarea) {
      return;
    }
    event.preventDefault();
    var option = select.options[select.selectedIndex];
    var body = option ? option.getAttribute("data-body") : null;
    if (!body) {
      return;
    }
    var start = textarea.selectionStart || 0;
    var end = textarea.selectionEnd || 0;
    var text = textarea.value;
    if (!text) {
      textarea.value = body;
    } else {
      textarea.value = text.slice(0, start) + body + text.slice(end);
    }
    textarea.focus();
  });

  // After htmx replaces the ticket panel, move the focus to its message so that keyboard and
  // screen reader users hear the outcome and keep their place.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    var panel = document.getElementById("ticket-panel");
    if (!panel || (target && target.id !== "ticket-panel" && !target.contains(panel))) {
      return;
    }
    var feedback = panel.querySelector("[data-feedback]");
    var invalid = panel.querySelector("[aria-invalid=true]");
    var focus = invalid || feedback;
    if (focus) {
      if (!focus.hasAttribute("tabindex") && focus === feedback) {
        focus.setAttribute("tabindex", "-1");
      }
      focus.focus();
    }
  });
})();

/* Queues: "select every ticket of the page" (a JavaScript convenience: without it, each box is
   ticked one by one); it reflects the boxes ticked by hand, and comes back after htmx swaps the
   results in. */
(function () {
  "use strict";

  function boxes(table) {
    return Array.prototype.slice.call(table.querySelectorAll("tbody input[name='bulk-tickets']"));
  }

  function reflect(table) {
    var all = table.querySelector("[data-select-all]");
    if (!all) {
      return;
    }
    var ticked = boxes(table).filter(function (box) {
      return box.checked;
    }).length;
    all.checked = ticked > 0 && ticked === boxes(table).length;
    all.indeterminate = ticked > 0 && !all.checked;
  }

  function setUp(root) {
    (root || document).querySelectorAll("[data-select-all]").forEach(function (all) {
      all.hidden = false;
      reflect(all.closest("table"));
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var table = target.closest && target.closest("table.queue-table");
    if (!table) {
      return;
    }
    if (target.matches("[data-select-all]")) {
      boxes(table).forEach(function (box) {
        box.checked = target.checked;
      });
    }
    reflect(table);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    setUp(event.detail && event.detail.elt);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      setUp(document);
    });
  } else {
    setUp(document);
  }
})();
