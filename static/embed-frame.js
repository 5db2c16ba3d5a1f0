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

  // WordPress's sandbox caps a frame at 1,000 px, shorter than the whole debate: there,
  // the poll becomes a stepper, one item at a time (the stance, each claim, the closing
  // question, the stance again, the results), every one of them still votable.
  if (window.origin === "null" && document.body.dataset.embedView === "debate") {
    var steps = function () {
      return document.querySelectorAll("#main .stance, #main .claim, #main #question, #main #results");
    };
    var current = 0;
    var nav = document.createElement("nav");
    nav.className = "stepper";
    nav.setAttribute("aria-label", "The poll, one question at a time");
    nav.innerHTML = '<button type="button" class="choice" data-go="-1">Previous</button>' +
      '<span class="stepper-place" aria-live="polite"></span>' +
      '<button type="button" class="choice" data-go="1">Next</button>';
    var show = function () {
      var all = steps();
      current = Math.max(0, Math.min(current, all.length - 1));
      for (var i = 0; i < all.length; i++) all[i].hidden = i !== current;
      nav.querySelector(".stepper-place").textContent = (current + 1) + " of " + all.length;
      nav.querySelector("[data-go='-1']").disabled = current === 0;
      nav.querySelector("[data-go='1']").disabled = current === all.length - 1;
    };
    nav.addEventListener("click", function (event) {
      var button = event.target.closest("[data-go]");
      if (!button) return;
      current += Number(button.dataset.go);
      show();
    });
    document.body.classList.add("compact");
    var title = document.querySelector(".embed-title");
    title.parentNode.insertBefore(nav, title.nextSibling);
    document.addEventListener("htmx:after:swap", show);
    show();
  }
})();
