// The project's own few lines: the alert region for errors that htmx swaps in.
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
})();
