// The project's own few lines: the alert region for errors that htmx swaps in, the
// reader's progress, and the share row.
(function () {
  "use strict";
  var flash = function () { return document.getElementById("flash"); };

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-flash-close]")) {
      flash().replaceChildren();
    }
  });

  // A vote that went through clears an earlier error message.
  document.addEventListener("htmx:after:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var status = ctx && ctx.response && ctx.response.status;
    if (status && status < 400 && ctx.request.method === "POST") {
      flash().replaceChildren();
    }
  });

  // The reader's progress through the claims, kept as they vote.
  document.addEventListener("htmx:after:swap", function () {
    var cue = document.getElementById("my-progress");
    var total = document.getElementById("progress-cue");
    if (!cue || !total) return;
    var done = document.querySelectorAll(".claim .choice[aria-pressed='true']").length;
    cue.textContent = "You have voted on " + done + " of " + total.dataset.claims + " claims.";
  });

  // Sharing (templates/debates/_share.html): the links work alone; "Copy link" and the
  // system's share sheet are offered only where the browser has them.
  var share = document.getElementById("share");
  if (share) {
    var say = function (text) { document.getElementById("share-status").textContent = text; };
    var showField = function () {
      share.classList.remove("share-copies");
      document.getElementById("share-url").select();
    };
    if (navigator.clipboard && window.isSecureContext) {
      share.querySelector("[data-copy-link]").hidden = false;
      share.classList.add("share-copies");
    }
    if (navigator.share) {
      share.querySelector("[data-share-native]").hidden = false;
    }
    share.addEventListener("click", function (event) {
      var url = share.dataset.shareUrl;
      if (event.target.closest("[data-copy-link]")) {
        navigator.clipboard.writeText(url).then(
          function () { say("Link copied."); },
          function () { showField(); say("Copying was refused: the link is selected above, to copy yourself."); }
        );
      } else if (event.target.closest("[data-share-native]")) {
        navigator.share({ title: share.dataset.shareTitle, url: url }).catch(function () {});
      }
    });
  }
})();
