/* The ticket pages: the reply box's two modes, the ACTIONS menu's forms, and uploads with drag
   and drop and a progress bar. Everything here is an enhancement: without JavaScript the modes
   are radio buttons read by CSS, each move has a page of its own, and uploads are plain file
   inputs. No inline script anywhere (the Content-Security-Policy forbids them). */
(function () {
  "use strict";

  // --- Reply to requester / Internal note ---------------------------------------------------

  function showMode(composer) {
    var checked = composer.querySelector("input[name=mode]:checked");
    var internal = checked
      ? checked.value === "internal"
      : !composer.querySelector("input[name=mode][value=public]");
    composer.classList.toggle("composer--internal", internal);
    composer.setAttribute("data-mode", internal ? "internal" : "public");
    composer.querySelectorAll(".composer-when-internal").forEach(function (node) {
      node.hidden = !internal;
    });
    composer.querySelectorAll(".composer-when-public").forEach(function (node) {
      node.hidden = internal;
    });
  }

  function initComposers(root) {
    root.querySelectorAll("[data-composer]").forEach(showMode);
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-composer] input[name=mode]")) {
      showMode(event.target.closest("[data-composer]"));
    }
  });

  // --- The ACTIONS menu ---------------------------------------------------------------------

  function closeMenus(except) {
    document.querySelectorAll("details[data-move-menu][open]").forEach(function (menu) {
      if (menu !== except) {
        menu.removeAttribute("open");
      }
    });
  }

  document.addEventListener("click", function (event) {
    var inside = event.target.closest && event.target.closest("details[data-move-menu]");
    closeMenus(inside);
    var link = event.target.closest && event.target.closest("a[data-move-link]");
    if (link) {
      link.closest("details").removeAttribute("open");
    }
    var close = event.target.closest && event.target.closest("[data-move-close]");
    var slot = document.getElementById("move-slot");
    if (close && slot && slot.contains(close)) {
      event.preventDefault();
      slot.innerHTML = "";
      var summary = document.querySelector("details[data-move-menu] > summary");
      if (summary) {
        summary.focus();
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    var menu = event.target.closest && event.target.closest("details[data-move-menu]");
    if (!menu) {
      if (event.key === "Escape") {
        var slot = document.getElementById("move-slot");
        var close = slot && slot.contains(event.target) && slot.querySelector("[data-move-close]");
        if (close) {
          close.click();
        }
      }
      return;
    }
    var items = Array.prototype.slice.call(menu.querySelectorAll("a.dropdown-item"));
    var index = items.indexOf(document.activeElement);
    if (event.key === "Escape") {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
      event.preventDefault();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!menu.open) {
        menu.setAttribute("open", "");
      }
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = index < 0 ? (step > 0 ? 0 : items.length - 1) : index + step;
      if (items[(next + items.length) % items.length]) {
        items[(next + items.length) % items.length].focus();
      }
      event.preventDefault();
    }
  });

  // A move's form swapped into the panel: focus its first field (or its heading).
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target) {
      return;
    }
    initComposers(document);
    initUploads(document);
    if (target.id === "move-slot") {
      var field = target.querySelector(
        "textarea, select, input:not([type=hidden]):not([type=file]), button[type=submit]"
      );
      (field || target.querySelector("h2")).focus();
    }
  });

  // --- Uploads ------------------------------------------------------------------------------

  function humanSize(bytes) {
    var lang = document.documentElement.lang || undefined;
    var units = [
      [1024 * 1024 * 1024, "GB"],
      [1024 * 1024, "MB"],
      [1024, "KB"],
    ];
    for (var i = 0; i < units.length; i++) {
      if (bytes >= units[i][0] || i === units.length - 1) {
        var value = bytes / units[i][0];
        var unit = lang && lang.indexOf("fr") === 0 ? units[i][1].replace("B", "o") : units[i][1];
        return new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(value) + " " + unit;
      }
    }
    return String(bytes);
  }

  function listFiles(zone) {
    var input = zone.querySelector("input[type=file]");
    var list = zone.querySelector("[data-upload-list]");
    var refused = zone.querySelector("[data-upload-refused]");
    var max = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
    var kept = new DataTransfer();
    var messages = [];
    Array.prototype.forEach.call(input.files, function (file) {
      if (max && file.size > max) {
        messages.push((zone.getAttribute("data-too-large") || "").replace("{name}", file.name));
      } else {
        kept.items.add(file);
      }
    });
    if (messages.length) {
      input.files = kept.files;
    }
    refused.textContent = messages.join(" ");
    list.innerHTML = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      item.textContent = file.name + " (" + humanSize(file.size) + ")";
      list.appendChild(item);
    });
  }

  function initUploads(root) {
    root.querySelectorAll("[data-upload-zone]:not([data-upload-ready])").forEach(function (zone) {
      zone.setAttribute("data-upload-ready", "");
      var hint = zone.querySelector("[data-upload-hint]");
      if (hint) {
        hint.hidden = false;
      }
    });
  }

  document.addEventListener("change", function (event) {
    var zone = event.target.closest && event.target.closest("[data-upload-zone]");
    if (zone && event.target.type === "file") {
      listFiles(zone);
    }
  });

  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var zone = event.target.closest && event.target.closest("[data-upload-zone]");
      if (zone) {
        event.preventDefault();
        zone.classList.add("is-dragover");
      }
    });
  });
  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("[data-upload-zone]");
    if (zone && !zone.contains(event.relatedTarget)) {
      zone.classList.remove("is-dragover");
    }
  });
  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("[data-upload-zone]");
    if (!zone) {
      return;
    }
    event.preventDefault();
    zone.classList.remove("is-dragover");
    var input = zone.querySelector("input[type=file]");
    var dropped = event.dataTransfer && event.dataTransfer.files;
    if (!input || !dropped || !dropped.length) {
      return;
    }
    var files = new DataTransfer();
    if (input.multiple) {
      Array.prototype.forEach.call(input.files, function (file) {
        files.items.add(file);
      });
      Array.prototype.forEach.call(dropped, function (file) {
        files.items.add(file);
      });
    } else {
      files.items.add(dropped[0]);
    }
    input.files = files.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  function progressOf(form) {
    return form.querySelector("[data-upload-progress]");
  }

  function hasFiles(form) {
    return Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
      return input.files && input.files.length > 0;
    });
  }

  function showProgress(bar, loaded, total) {
    bar.hidden = false;
    bar.value = total ? Math.round((loaded / total) * 100) : 0;
  }

  // htmx forms (the agent's panel): htmx reports the upload's progress.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest && event.target.closest("form");
    var bar = form && progressOf(form);
    if (bar && hasFiles(form) && event.detail.lengthComputable) {
      showProgress(bar, event.detail.loaded, event.detail.total);
    }
  });

  // Plain forms with files (the requester's pages, filing a ticket): sent with a progress bar,
  // then the browser goes where the form would have taken it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (
      event.defaultPrevented ||
      form.hasAttribute("hx-post") ||
      !progressOf(form) ||
      !hasFiles(form) ||
      !window.FormData
    ) {
      return;
    }
    event.preventDefault();
    var bar = progressOf(form);
    var data = new FormData(form, event.submitter || undefined);
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) {
        showProgress(bar, progress.loaded, progress.total);
      }
    });
    request.addEventListener("load", function () {
      var answered = request.responseURL || form.action;
      if (request.status < 400 && answered !== form.action) {
        window.location.assign(answered);
        return;
      }
      var page = new DOMParser().parseFromString(request.responseText, "text/html");
      document.title = page.title;
      document.body.replaceWith(document.adoptNode(page.body));
      if (window.htmx) {
        window.htmx.process(document.body);
      }
      initComposers(document);
      initUploads(document);
      var alert = document.querySelector("[role=alert]:not(:empty), .invalid-feedback");
      if (alert) {
        alert.setAttribute("tabindex", "-1");
        alert.focus();
      }
    });
    request.addEventListener("error", function () {
      bar.hidden = true;
      form.submit();
    });
    showProgress(bar, 0, 1);
    request.send(data);
  });

  // The requester's ACTIONS menu points at forms folded in <details>: unfold the one chosen
  // before helpdesk.js moves the focus into it.
  document.addEventListener(
    "click",
    function (event) {
      var link = event.target.closest && event.target.closest("a[href^='#action-']");
      var target = link && document.querySelector(link.getAttribute("href"));
      var folded = target && target.closest("details");
      if (folded) {
        folded.open = true;
      }
    },
    true
  );

  function init() {
    initComposers(document);
    initUploads(document);
    var wanted = window.location.hash && document.getElementById(window.location.hash.slice(1));
    var folded = wanted && wanted.closest("details");
    if (folded) {
      folded.open = true;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
