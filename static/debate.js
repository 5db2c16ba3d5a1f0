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

  // The top of the page: how many readers voted, as the results panel last said
  // (hidden when the panel stops showing totals), and the reader's progress through
  // the claims, kept as they vote.
  document.addEventListener("htmx:after:swap", function () {
    var shown = document.getElementById("readers-so-far");
    var live = document.querySelector("#results .readers-voted");
    if (shown) {
      shown.hidden = !live;
      if (live) shown.querySelector(".readers-voted").textContent = live.textContent;
    }
    var cue = document.getElementById("my-progress");
    var total = document.getElementById("progress-cue");
    if (!cue || !total) return;
    var done = document.querySelectorAll(".claim .choice[aria-pressed='true']").length;
    cue.textContent = "You have voted on " + done + " of " + total.dataset.claims + " claims.";
  });

  // Copy buttons (the share row's link, each embed snippet): a button names its field
  // (data-copy), which stays selectable without JavaScript; where the clipboard is
  // refused or missing, the field is shown and selected for the reader to copy.
  var canCopy = Boolean(navigator.clipboard && window.isSecureContext);
  document.querySelectorAll("[data-copy]").forEach(function (button) { button.hidden = false; });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.dataset.copy);
    var status = document.getElementById(button.dataset.copy + "-status");
    var selected = function () {
      var copies = field.closest(".share-copies");
      if (copies) copies.classList.remove("share-copies");
      field.select();
      status.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
    };
    if (!canCopy) return selected();
    navigator.clipboard.writeText(field.value).then(function () {
      status.textContent = button.dataset.copied || "Copied.";
    }, selected);
  });

  // Sharing (templates/debates/_share.html): the links work alone; where the link can be
  // copied its field is not needed, and the system's share sheet is offered where it exists.
  var share = document.getElementById("share");
  if (share) {
    if (canCopy) share.classList.add("share-copies");
    if (navigator.share) share.querySelector("[data-share-native]").hidden = false;
    share.addEventListener("click", function (event) {
      if (!event.target.closest("[data-share-native]")) return;
      navigator.share({ title: share.dataset.shareTitle, url: share.dataset.shareUrl }).catch(function () {});
    });
  }

  // "Embed this poll": each preview's frame waits in a <template> and is made only once
  // its section is open and it nears the screen (even an empty frame is a document of
  // its own, and nine of them were most of a phone's work on the page). It starts at
  // the height the embed's model gives for the frame's width, then follows the heights
  // the poll reports, as the pasted snippet does.
  var previews = function () { return document.querySelectorAll("iframe.embed-preview"); };
  var showPreview = function (snippet) {
    var later = snippet.querySelector("template.embed-preview-later");
    if (!later) return;
    var frame = document.importNode(later.content.querySelector("iframe"), true);
    later.replaceWith(frame);
    var width = Math.max(frame.clientWidth, 200);
    frame.height = Math.round(Number(frame.dataset.heightFixed) + Number(frame.dataset.heightSpread) / width);
    frame.src = frame.dataset.src;
  };
  var snippets = document.querySelectorAll(".embed-snippets .snippet");
  if ("IntersectionObserver" in window) {
    // A closed section's snippets have no box, so they meet the screen only once it opens.
    var near = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        near.unobserve(entry.target);
        showPreview(entry.target);
      });
    }, { rootMargin: "100% 0px" });
    snippets.forEach(function (snippet) { near.observe(snippet); });
  } else {
    var showOpen = function () {
      snippets.forEach(function (snippet) { if (snippet.closest("details[open]")) showPreview(snippet); });
    };
    document.addEventListener("toggle", showOpen, true);
    showOpen();
  }
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== window.location.origin || !data || data.type !== "debate:height") return;
    if (typeof data.height !== "number") return;
    previews().forEach(function (frame) {
      if (frame.contentWindow === event.source) {
        frame.dataset.reported = "true";
        frame.height = Math.max(40, Math.min(20000, Math.round(data.height)));
      }
    });
  });
})();
