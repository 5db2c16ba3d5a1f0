// Inside an embed: tell the embedding page how tall the poll is, whenever it changes.
// The message carries only a height, so any parent may read it.
(function () {
  "use strict";
  if (window.parent === window) return;
  // WordPress frames an embed with "#?secret=..." and listens for its own messages
  // (wp-includes/js/wp-embed.js): the height, and links to follow in the top window.
  var secret = (window.location.hash.match(/[#&?]secret=([A-Za-z0-9]+)/) || [])[1];
  var last = 0;
  function pollHeight() {
    return Math.ceil(document.documentElement.getBoundingClientRect().height);
  }
  function report() {
    var height = pollHeight();
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: "debate:height", height: height }, "*");
      if (secret) window.parent.postMessage({ message: "height", value: height, secret: secret }, "*");
    }
  }
  if (secret) {
    // wp-embed.js asks again ("ready") when it started after the poll's first height;
    // an older one never asks, and a frame the post keeps clipped may not be laid out
    // again to report. So the height goes again a few times over the first half
    // minute: a lost first message must not leave the poll hidden behind WordPress's
    // blockquote for good.
    [1, 3, 8, 20, 30].forEach(function (seconds) {
      setTimeout(function () {
        window.parent.postMessage({ message: "height", value: pollHeight(), secret: secret }, "*");
      }, seconds * 1000);
    });
    window.addEventListener("message", function (event) {
      var data = event.data;
      if (event.source !== window.parent || !data || data.message !== "ready" || data.secret !== secret) return;
      last = 0;
      report();
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[href]");
      if (!link) return;
      event.preventDefault();
      window.parent.postMessage({ message: "link", value: link.href, secret: secret }, "*");
    });
  }

  // Where the poll is embedded: the origin of the page that frames it, sent with each
  // vote. The server refuses a vote from a site the author did not list, and keeps the
  // site (if it is an origin) for the author's view of where votes come from.
  var site = (window.location.ancestorOrigins && window.location.ancestorOrigins[0]) || "";
  if (!site && document.referrer) {
    try { site = new URL(document.referrer).origin; } catch (error) { site = ""; }
  }
  document.addEventListener("submit", function (event) {
    var field = event.target.querySelector && event.target.querySelector("input[name=embedding_site]");
    if (field) field.value = site;
  }, true);

  new ResizeObserver(report).observe(document.documentElement);
  window.addEventListener("load", report);

  // A frame sandboxed without forms (WordPress frames untrusted providers so) blocks a
  // form's submission before its submit event: hand the vote to htmx, which sends it.
  // It goes with the frame's cookie, so the reader who votes is the one the frame
  // loaded as, and a first vote's cookie is kept for the next visit.
  if (window.origin === "null") {
    document.addEventListener("htmx:config:request", function (event) {
      var ctx = event.detail && event.detail.ctx;
      if (ctx && ctx.request.method === "POST") ctx.request.credentials = "include";
    });
    document.addEventListener("click", function (event) {
      var button = event.target.closest("form.vote button[type=submit]");
      if (!button || !button.form) return;
      event.preventDefault();
      button.form.dispatchEvent(
        new SubmitEvent("submit", { bubbles: true, cancelable: true, submitter: button })
      );
    });
  }

  // Clickjacking: a page may frame the poll hidden (opacity 0), covered or tiny, under
  // something the reader means to click. So a vote is sent only once the frame is at
  // least MIN_WIDTH x MIN_HEIGHT and the clicked button is in view: at least half of
  // it inside the top window's viewport and, where the browser reports it
  // (IntersectionObserver v2, trackVisibility: Chromium), drawn with nothing over it
  // and no transparency, filter or shrinking transform. Otherwise the frame says why.
  // The server cannot see any of this, and a form posted without scripts is not checked.
  var MIN_WIDTH = 120, MIN_HEIGHT = 80;
  var NOT_SENT = {
    small: "This poll's frame is smaller than " + MIN_WIDTH + " \u00d7 " + MIN_HEIGHT +
      " pixels, too small to show what you vote on.",
    hidden: "The page around this poll hides or covers it, so the click may not have been " +
      "meant for it. Open the poll on its own page to vote.",
    away: "The button was not in view. Scroll the poll into view and try again."
  };
  var tracksVisibility = "IntersectionObserverEntry" in window &&
    "isVisible" in window.IntersectionObserverEntry.prototype;

  // Why a vote from this element must not be sent, or null: the browser's next
  // report on it (the first comes at the next frame).
  var whyNotSent = function (element) {
    return new Promise(function (resolve) {
      if (window.innerWidth < MIN_WIDTH || window.innerHeight < MIN_HEIGHT) return resolve("small");
      if (!("IntersectionObserver" in window)) return resolve(null);
      var options = { threshold: [0, 0.5, 1] };
      if (tracksVisibility) {
        options.trackVisibility = true;
        options.delay = 100;
      }
      var observer = new IntersectionObserver(function (entries) {
        var entry = entries[entries.length - 1];
        observer.disconnect();
        if (!entry.isIntersecting || entry.intersectionRatio < 0.5) return resolve("away");
        resolve(tracksVisibility && !entry.isVisible ? "hidden" : null);
      }, options);
      observer.observe(element);
    });
  };

  var sayNotSent = function (reason) {
    var flash = document.getElementById("flash");
    var message = document.createElement("div");
    message.className = "flash-message flash-403";
    message.dataset.notSent = reason;
    var text = document.createElement("p");
    var title = document.createElement("strong");
    title.textContent = "Your vote was not sent.";
    text.append(title, " " + NOT_SENT[reason]);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "flash-close";
    close.dataset.flashClose = "";
    close.textContent = "Dismiss";
    message.append(text, close);
    flash.replaceChildren(message);
  };

  // First in line (the window, capturing): a vote's submit is held until the check,
  // then submitted again, to htmx or the browser, marked as checked.
  window.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("form.vote")) return;
    if (form.dataset.visibilityChecked) {
      delete form.dataset.visibilityChecked;
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter;
    whyNotSent(submitter || form).then(function (reason) {
      if (reason) return sayNotSent(reason);
      form.dataset.visibilityChecked = "1";
      if (window.origin === "null") {  // a sandbox without forms: htmx sends it
        form.dispatchEvent(new SubmitEvent("submit", { bubbles: true, cancelable: true, submitter: submitter }));
      } else {
        form.requestSubmit(submitter && submitter.form === form ? submitter : null);
      }
      delete form.dataset.visibilityChecked;
    });
  }, true);

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
