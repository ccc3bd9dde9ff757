/*
 * Drop zones ([data-dropzone], e.g. GHEC's "Add server usage"): drag and drop a file onto the
 * zone to upload it.
 *
 * Progressive enhancement: without this script the file picker and the Upload button do the
 * same job. A dropped file is put into the form's file input (so the server sees exactly what
 * the picker would send, CSRF token included) and the form is submitted. Served as a static
 * file because the pages' Content-Security-Policy forbids inline script.
 */
(function () {
  "use strict";

  function carriesFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }

  function enhance(zone) {
    var form = zone.closest("form");
    var input = zone.querySelector("input[type=file]");
    var status = zone.querySelector("[role=status]");
    var button = form && form.querySelector("button[type=submit]");
    var depth = 0; // dragenter/dragleave fire for every child element crossed
    if (!form || !input) {
      return;
    }

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function highlight(on) {
      zone.classList.toggle("is-dragover", on);
    }

    zone.addEventListener("dragenter", function (event) {
      if (!carriesFiles(event)) {
        return;
      }
      event.preventDefault();
      depth += 1;
      highlight(true);
    });
    zone.addEventListener("dragover", function (event) {
      if (!carriesFiles(event)) {
        return;
      }
      event.preventDefault(); // allows the drop
      event.dataTransfer.dropEffect = "copy";
    });
    zone.addEventListener("dragleave", function () {
      depth = Math.max(0, depth - 1);
      if (depth === 0) {
        highlight(false);
      }
    });
    zone.addEventListener("drop", function (event) {
      var files = event.dataTransfer && event.dataTransfer.files;
      event.preventDefault(); // never let the browser open the file instead
      depth = 0;
      highlight(false);
      if (!files || files.length === 0) {
        return;
      }
      if (files.length > 1) {
        say("Drop one license usage file at a time.");
        return;
      }
      input.files = files;
      say("Uploading " + files[0].name + "…");
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(button || undefined);
      } else {
        form.submit();
      }
    });
    input.addEventListener("change", function () {
      say(input.files && input.files.length ? input.files[0].name + " selected. Choose Upload server usage." : "");
    });
    form.addEventListener("submit", function () {
      if (button) {
        button.setAttribute("aria-disabled", "true"); // a second click would upload twice
        button.addEventListener("click", function (event) { event.preventDefault(); });
      }
    });
  }

  // A file dropped next to the zone must not navigate away from the page.
  ["dragover", "drop"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (carriesFiles(event) && !(event.target.closest && event.target.closest("[data-dropzone]"))) {
        event.preventDefault();
      }
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-dropzone]"), enhance);
}());
