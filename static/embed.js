// debate embed: turns <div data-debate-embed="URL"> into the poll's iframe and keeps
// the iframe as tall as the poll. This URL is stable; snippets that load it live for years.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? script.src : window.location.href;
  var frames = [];

  function mount(placeholder) {
    if (placeholder.getAttribute("data-debate-mounted")) return;
    var src = new URL(placeholder.getAttribute("data-debate-embed"), base);
    if (src.protocol !== "https:" && src.protocol !== "http:") return;
    var frame = document.createElement("iframe");
    frame.src = src.href;
    frame.title = placeholder.getAttribute("data-debate-title") || "Debate poll";
    frame.setAttribute("loading", "lazy");
    frame.style.display = "block";
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.height = (parseInt(placeholder.getAttribute("data-debate-height"), 10) || 600) + "px";
    placeholder.setAttribute("data-debate-mounted", "true");
    // The link inside is for hosts that drop this script (WordPress keeps it as the
    // fallback of its own embeds); here the poll itself takes its place.
    placeholder.replaceChildren(frame);
    frames.push({ frame: frame, origin: src.origin });
  }

  // Only a message from one of our iframes, from the poll's own origin, is believed.
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "debate:height" || typeof data.height !== "number") return;
    for (var i = 0; i < frames.length; i++) {
      var entry = frames[i];
      if (event.source === entry.frame.contentWindow && event.origin === entry.origin) {
        entry.frame.style.height = Math.max(40, Math.min(20000, Math.round(data.height))) + "px";
      }
    }
  });

  var placeholders = document.querySelectorAll("[data-debate-embed]");
  for (var i = 0; i < placeholders.length; i++) mount(placeholders[i]);
})();
