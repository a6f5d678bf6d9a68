// Tandem's only script: as a form changes, ask the server which rules the
// contact or plan would break, and show the findings before saving. The
// forms work without it: their "Check against the rules" button does the
// same by a full page load.
(function () {
  "use strict";
  function preview(form) {
    var out = document.getElementById(form.getAttribute("data-preview-target"));
    if (!out) return;
    var body = new URLSearchParams(new FormData(form));
    fetch(form.getAttribute("data-preview"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "text/html" }
    }).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) out.innerHTML = html; })
      .catch(function () {});
  }
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-preview]");
    Array.prototype.forEach.call(forms, function (form) {
      var timer = null;
      var later = function () { clearTimeout(timer); timer = setTimeout(function () { preview(form); }, 300); };
      form.addEventListener("change", later);
      form.addEventListener("input", later);
      preview(form);
    });
  });
})();
