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
