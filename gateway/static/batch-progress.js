// Batch page progress: while the batch is processing or its deliveries are pending,
// fetch the same page again every few seconds and swap in the fresh content. The page
// works without this script (it offers a Refresh link); no inline script is needed.
(function () {
  "use strict";
  var EVERY_MS = 2000;
  var MAX_ROUNDS = 900; // half an hour; after that the Refresh link still works

  function live(doc) {
    return doc.getElementById("batch-live");
  }

  function schedule(rounds) {
    var region = live(document);
    if (!region || region.dataset.poll !== "true" || rounds >= MAX_ROUNDS) {
      return;
    }
    window.setTimeout(function () { poll(rounds + 1); }, EVERY_MS);
  }

  function poll(rounds) {
    fetch(window.location.href, {
      credentials: "same-origin",
      headers: { accept: "text/html" },
      redirect: "error"
    })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var current = live(document);
        var next = live(fresh);
        if (!current || !next) { return; }
        if (current.dataset.status !== next.dataset.status || next.dataset.poll !== "true") {
          // Finished (or moved on): everything below the counts changed too.
          var page = document.getElementById("batch-page");
          var freshPage = fresh.getElementById("batch-page");
          if (page && freshPage) { page.replaceWith(freshPage); }
          announce(document);
        } else {
          current.replaceWith(next);
        }
        schedule(rounds);
      })
      .catch(function () { /* signed out or offline: leave the page as it is */ });
  }

  function announce(doc) {
    var status = doc.getElementById("batch-status");
    var region = document.getElementById("progress-announcer");
    if (status && region) { region.textContent = "Batch status: " + status.textContent.trim(); }
  }

  schedule(0);
})();
