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

// A write-up is never lost to a session that ended. As an officer writes,
// the form is kept in this tab's sessionStorage (never sent anywhere, gone
// when the tab closes or the officer signs out). Sending it moves it
// aside: the next page forgets it (it was saved, or came back with the
// text in it), unless that page says the session had ended, in which case
// it is kept, and put back when the form opens again after signing in.
(function () {
  "use strict";
  var DRAFT = "tandem-draft:", SENT = "tandem-sent:";
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) return;
  function keys(prefix) {
    var out = [];
    for (var i = 0; i < store.length; i++) {
      var k = store.key(i);
      if (k && k.indexOf(prefix) === 0) out.push(k);
    }
    return out;
  }
  // The fields a draft keeps: all but the session's token and the buttons
  // (a hidden field, such as the meeting a contact records, is kept).
  function kept(el) {
    return el.name && el.name !== "csrf" && el.type !== "submit" && el.type !== "button";
  }
  function read(form) {
    var v = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el)) return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      (v[el.name] = v[el.name] || []).push(el.value);
    });
    return v;
  }
  function write(form, v) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el)) return;
      var got = v[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") el.checked = got.indexOf(el.value) >= 0;
      else if (got.length) el.value = got[0];
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var ended = document.querySelector("[data-draft-kept]") !== null;
    keys(SENT).forEach(function (k) {
      if (ended) store.setItem(DRAFT + k.slice(SENT.length), store.getItem(k));
      store.removeItem(k);
    });
    // A draft is its writer's: keys begin with the officer's id. Whoever
    // signs in next in this tab never sees another officer's.
    var me = document.body.getAttribute("data-officer");
    if (me) {
      keys(DRAFT).forEach(function (k) {
        if (k.indexOf(DRAFT + me + ":") !== 0) store.removeItem(k);
      });
    }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
      var key = DRAFT + form.getAttribute("data-draft");
      var saved = store.getItem(key);
      if (saved) {
        try { write(form, JSON.parse(saved)); } catch (e) { store.removeItem(key); }
        var note = document.querySelector(".draft-restored");
        if (note) {
          note.hidden = false;
          var discard = note.querySelector("[data-draft-discard]");
          if (discard) discard.addEventListener("click", function () { store.removeItem(key); window.location.reload(); });
        }
        form.dispatchEvent(new Event("change"));
      }
      var keep = function () { store.setItem(key, JSON.stringify(read(form))); };
      form.addEventListener("input", keep);
      form.addEventListener("change", keep);
      form.addEventListener("submit", function () {
        store.setItem(SENT + form.getAttribute("data-draft"), JSON.stringify(read(form)));
        store.removeItem(key);
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("form.signout"), function (form) {
      form.addEventListener("submit", function () { store.clear(); });
    });
  });
})();
