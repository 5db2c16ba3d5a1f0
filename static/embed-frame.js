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

  // Embeds of one debate on one page (a claim's and the whole debate's, say) keep one
  // reader's votes in step: a vote in one is fetched, as that reader, into the others.
  // BroadcastChannel reaches only frames of this origin in this page's partition; a
  // sandboxed frame has an opaque origin and shares none.
  if ("BroadcastChannel" in window && window.origin !== "null") {
    var channel = new BroadcastChannel("debate:" + window.location.pathname.split("/")[2]);
    document.addEventListener("htmx:after:request", function (event) {
      var ctx = event.detail && event.detail.ctx;
      if (!ctx || ctx.request.method !== "POST" || !ctx.response || ctx.response.status !== 200) return;
      var item = ctx.target && ctx.target.id;
      var token = document.querySelector("input[name=csrf_token]");
      if (item && token) channel.postMessage({ item: item, token: token.value });
    });
    channel.onmessage = function (event) {
      var item = event.data && event.data.item;
      if (typeof item !== "string" || !document.getElementById(item)) return;
      var url = window.location.pathname + "?reader=" + encodeURIComponent(event.data.token);
      window.htmx.ajax("GET", url, { target: "#" + item, select: "#" + item, swap: "outerHTML" });
    };
  }
})();
