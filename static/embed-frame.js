// Inside an embed: tell the embedding page how tall the poll is, whenever it changes.
// The message carries only a height, so any parent may read it.
(function () {
  "use strict";
  if (window.parent === window) return;
  // WordPress frames an embed with "#?secret=..." and listens for its own messages
  // (wp-includes/js/wp-embed.js): the height, and links to follow in the top window.
  var secret = (window.location.hash.match(/[#&?]secret=([A-Za-z0-9]+)/) || [])[1];
  var last = 0;
  function report() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: "debate:height", height: height }, "*");
      if (secret) window.parent.postMessage({ message: "height", value: height, secret: secret }, "*");
    }
  }
  if (secret) {
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[href]");
      if (!link) return;
      event.preventDefault();
      window.parent.postMessage({ message: "link", value: link.href, secret: secret }, "*");
    });
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
