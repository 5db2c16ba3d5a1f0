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
})();
