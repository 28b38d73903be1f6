// Timeline animations (GIF / MP4) from a view's Export menu, with progress: the link's
// address asked with progress=1 answers with one JSON line per frame drawn, then the
// file (components/routes.py). A dialog shows the frame being drawn and can cancel;
// the file is then saved under its own name. Without JavaScript the plain link still
// downloads the file.
//
// Pictures and the slide deck (PNG, SVG, PDF, slide pictures, PPTX) are fetched the same
// way: after a moment the dialog shows a bar that fills over the expected time (the last
// such export's, else a first-render guess) with the seconds left, and can cancel.
(function () {
  "use strict";
  var ANIMATION = /\/(export|slide)\/[^/?#]+\.(gif|mp4)(\?|$)/;
  var PICTURE = /\/(export|slide)\/[^/?#]+\.(png|svg|pdf|pptx)(\?|$)/;
  var GUESS_S = { picture: 4, deck: 15 };  // the first render starts the browser
  var SHOW_AFTER_MS = 400;  // a picture ready sooner needs no dialog
  var running = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  // The dialog: a title, a progress bar with words, a Cancel / Close button.
  function dialog(title) {
    var box = document.getElementById("animation-progress");
    if (box) {
      document.getElementById("animation-title").textContent = title || "Making the animation";
      return box;
    }
    box = el("dialog", { id: "animation-progress", "aria-labelledby": "animation-title",
      class: "animation-dialog" });
    box.appendChild(el("h2", { id: "animation-title", class: "h6" },
      title || "Making the animation"));
    var bar = el("progress", { id: "animation-bar", max: "1", value: "0",
      "aria-labelledby": "animation-title" });
    box.appendChild(bar);
    box.appendChild(el("p", { id: "animation-words", class: "small mb-2",
      role: "status", "aria-live": "polite" }, "Starting…"));
    var button = el("button", { type: "button", id: "animation-cancel",
      class: "btn btn-sm btn-outline-secondary" }, "Cancel");
    button.addEventListener("click", function () {
      if (running) running.abort();
      running = null;
      box.close();
    });
    box.appendChild(button);
    box.addEventListener("cancel", function () { if (running) running.abort(); running = null; });
    document.body.appendChild(box);
    return box;
  }

  function show(words, done, total, failed) {
    var bar = document.getElementById("animation-bar");
    if (total) { bar.max = total; bar.value = done; } else { bar.removeAttribute("value"); }
    var p = document.getElementById("animation-words");
    p.textContent = words;
    p.classList.toggle("text-danger", !!failed);
  }

  function save(event) {
    var bytes = atob(event.file), n = bytes.length, buf = new Uint8Array(n);
    for (var i = 0; i < n; i++) buf[i] = bytes.charCodeAt(i);
    saveBlob(new Blob([buf], { type: event.type }), event.name);
  }

  function saveBlob(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = el("a", { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function start(href) {
    var box = dialog();
    var cancel = document.getElementById("animation-cancel");
    cancel.textContent = "Cancel";
    show("Starting…", 0, 0, false);
    if (!box.open) box.showModal();
    var controller = new AbortController();
    running = controller;
    var url = href + (href.indexOf("?") < 0 ? "?" : "&") + "progress=1";
    fetch(url, { signal: controller.signal }).then(function (res) {
      if (!res.ok) {
        return res.text().then(function (t) { throw new Error(t || res.statusText); });
      }
      var reader = res.body.getReader(), decoder = new TextDecoder(), rest = "";
      function pump() {
        return reader.read().then(function (r) {
          rest += decoder.decode(r.value || new Uint8Array(), { stream: !r.done });
          var lines = rest.split("\n");
          rest = lines.pop();
          for (var i = 0; i < lines.length; i++) {
            if (!lines[i]) continue;
            var event = JSON.parse(lines[i]);
            if (event.error) throw new Error(event.error);
            if (event.file) {
              show("Done: " + event.name, 1, 1, false);
              save(event);
              cancel.textContent = "Close";
              running = null;
              return;
            }
            if (event.total) show(event.words, event.done, event.total, false);
          }
          if (r.done) throw new Error("the server stopped before the file was made");
          return pump();
        });
      }
      return pump();
    }).catch(function (err) {
      if (controller.signal.aborted) return;
      show("Could not make the animation: " + err.message, 0, 1, true);
      cancel.textContent = "Close";
      running = null;
    });
  }

  // A picture or the deck: fetched, with a bar over the expected time after a moment.
  var took = {};
  function fileName(res, href) {
    var m = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "");
    return m ? m[1] : href.split("?")[0].split("/").pop();
  }
  function picture(href) {
    var kind = /\.pptx(\?|$)/.test(href) ? "deck" : "picture";
    var expected = took[kind] || GUESS_S[kind], began = Date.now(), ticker = null;
    var controller = new AbortController();
    running = controller;
    var title = kind === "deck" ? "Making the slides" : "Drawing the picture";
    function tick() {
      var box = dialog(title);
      document.getElementById("animation-cancel").textContent = "Cancel";
      if (!box.open) box.showModal();
      var s = (Date.now() - began) / 1000, left = Math.max(1, Math.round(expected - s));
      show(s < expected ? "About " + left + " s left" : "Almost done…",
        Math.min(s, expected * 0.95), expected, false);
    }
    var wait = setTimeout(function () { tick(); ticker = setInterval(tick, 250); },
      SHOW_AFTER_MS);
    function stop() { clearTimeout(wait); if (ticker) clearInterval(ticker); running = null; }
    fetch(href, { signal: controller.signal }).then(function (res) {
      if (!res.ok) {
        return res.text().then(function (t) { throw new Error(t || res.statusText); });
      }
      return res.blob().then(function (blob) {
        stop();
        took[kind] = (Date.now() - began) / 1000;
        saveBlob(blob, fileName(res, href));
        var box = document.getElementById("animation-progress");
        if (box && box.open) box.close();
      });
    }).catch(function (err) {
      stop();
      if (controller.signal.aborted) return;
      var box = dialog(title);
      if (!box.open) box.showModal();
      show("Could not make the file: " + err.message, 0, 1, true);
      document.getElementById("animation-cancel").textContent = "Close";
    });
  }

  document.addEventListener("click", function (event) {
    var a = event.target && event.target.closest && event.target.closest("a[href]");
    var href = a ? a.getAttribute("href") || "" : "";
    var animation = ANIMATION.test(href);
    if (!a || !(animation || PICTURE.test(href))) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    if (!window.fetch || !window.ReadableStream || !window.HTMLDialogElement) return;
    if (running) return;  // one file at a time: the dialog shows the one in progress
    event.preventDefault();
    if (animation) start(a.href); else picture(a.href);
  });
})();
