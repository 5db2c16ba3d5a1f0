// Inside an embed: tell the embedding page how tall the poll is, whenever it changes.
// The message carries only a height, so any parent may read it.
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function report() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: "debate:height", height: height }, "*");
    }
  }
  new ResizeObserver(report).observe(document.documentElement);
  window.addEventListener("load", report);

  // A frame sandboxed without forms (WordPress frames untrusted providers so) blocks a
  // form's submission before its submit event: hand the vote to htmx, which sends it.
  if (window.origin === "null") {
    document.addEventListener("click", function (event) {
      var button = event.target.closest("form.vote button[type=submit]");
      if (!button || !button.form) return;
      event.preventDefault();
      button.form.dispatchEvent(
        new SubmitEvent("submit", { bubbles: true, cancelable: true, submitter: button })
      );
    });
  }
})();
