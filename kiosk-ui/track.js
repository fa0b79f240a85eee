// Fetches this page again and puts the new status in place: no reload, so a screen reader
// keeps its place and hears the change through the polite live region.
(function () {
  "use strict";
  var note = document.getElementById("note");
  var every = Number(note.getAttribute("data-refresh")) * 1000;
  function refresh() {
    fetch(location.href, { cache: "no-store" }).then(function (r) {
      return r.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("status");
      var now = document.getElementById("status");
      if (!fresh || !now) return;
      if (fresh.innerHTML !== now.innerHTML || fresh.className !== now.className) {
        now.className = fresh.className;
        now.setAttribute("data-state", fresh.getAttribute("data-state"));
        now.innerHTML = fresh.innerHTML;
      }
      // Served while the page was open from the ticket's QR code: the survey appears below.
      var survey = fresh.ownerDocument.getElementById("survey");
      if (survey && !document.getElementById("survey")) {
        now.insertAdjacentElement("afterend", document.importNode(survey, true));
      }
      if (!fresh.ownerDocument.getElementById("note")) {
        note.hidden = true;
        return;
      }
      setTimeout(refresh, every);
    }).catch(function () { setTimeout(refresh, every); });
  }
  setTimeout(refresh, every);
})();
