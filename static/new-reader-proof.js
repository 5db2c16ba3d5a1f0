// Past its network's budget of new readers, a new reader's first vote carries a proof of
// work (debate/readers/proof.py). Ask whether this reader needs one; if so, solve it in
// ALTCHA's worker while they read, and put the solution in every vote form, where htmx
// (and a plain submit) sends it. Nothing is shown: a reader who needs none sees nothing.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !document.querySelector("form.vote") || !window.crypto || !crypto.subtle) return;

  function carry(challenge, solution) {
    var payload = btoa(JSON.stringify({
      challenge: challenge,
      solution: { counter: solution.counter, derivedKey: solution.derivedKey }
    }));
    document.querySelectorAll("form.vote").forEach(function (form) {
      var field = form.querySelector("input[name=altcha]");
      if (!field) {
        field = document.createElement("input");
        field.type = "hidden";
        field.name = "altcha";
        form.appendChild(field);
      }
      field.value = payload;
    });
    document.documentElement.dataset.newReaderProof = "solved";
  }

  function hex(text) {
    var bytes = new Uint8Array(text.length / 2);
    for (var i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.substr(i * 2, 2), 16);
    return bytes;
  }

  // A frame sandboxed without its own origin may start no worker: there the same
  // derivations run on the page, one awaited step at a time, so it never freezes.
  function solveHere(challenge, done) {
    var p = challenge.parameters;
    var nonce = hex(p.nonce), salt = hex(p.salt);
    var password = new Uint8Array(nonce.length + 4);
    password.set(nonce);
    var view = new DataView(password.buffer);
    var counter = 0;
    (function next() {
      view.setUint32(nonce.length, counter, false);
      crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]).then(function (key) {
        return crypto.subtle.deriveBits(
          { name: "PBKDF2", hash: "SHA-256", salt: salt, iterations: p.cost }, key, p.keyLength * 8);
      }).then(function (bits) {
        var derived = Array.from(new Uint8Array(bits), function (b) {
          return b.toString(16).padStart(2, "0");
        }).join("");
        if (derived.indexOf(p.keyPrefix) === 0) return done({ counter: counter, derivedKey: derived });
        counter += 1;
        if (counter <= 0xffffffff) next();
      });
    })();
  }

  function solve(challenge, then) {
    var done = function (solution) {
      carry(challenge, solution);
      if (then) then();
    };
    var worker;
    try {
      worker = new Worker(script.dataset.worker);
    } catch (error) {
      return solveHere(challenge, done);
    }
    worker.onerror = function () {
      worker.terminate();
      solveHere(challenge, done);
    };
    worker.onmessage = function (event) {
      worker.terminate();
      if (event.data && typeof event.data.counter === "number") done(event.data);
    };
    worker.postMessage({ type: "work", challenge: challenge, counterStart: 0, counterStep: 1 });
  }

  function ask(then) {
    fetch(script.dataset.challenge, { credentials: "same-origin" }).then(function (response) {
      return response.status === 200 ? response.json() : null;
    }).then(function (challenge) {
      if (challenge && challenge.parameters) solve(challenge, then);
    }).catch(function () {});
  }
  ask();

  // The budget may run out while the reader reads (or a challenge expire): a vote refused
  // with 429 asks again and, if a proof is what was missing, solves it and casts the same
  // vote once more. A refusal for voting too fast gets no challenge, so nothing is resent.
  var clicked = null, retried = false;
  document.addEventListener("click", function (event) {
    clicked = event.target.closest("form.vote button[type=submit]") || clicked;
  }, true);
  document.addEventListener("htmx:after:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var status = ctx && ctx.response && ctx.response.status;
    if (status !== 429 || retried || !clicked) return;
    retried = true;
    var button = clicked;
    ask(function () { if (button.isConnected) button.click(); });
  });
})();
