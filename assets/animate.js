// Timeline animations (GIF / MP4) from a view's Export menu, with progress: the link's
// address asked with progress=1 answers with one JSON line per frame drawn, then the
// file (components/routes.py). A dialog shows the frame being drawn and can cancel;
// the file is then saved under its own name. Without JavaScript the plain link still
// downloads the file.
(function () {
  "use strict";
  var ANIMATION = /\/export\/[^/?#]+\.(gif|mp4)(\?|$)/;
  var running = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  // The dialog: a title, a progress bar with words, a Cancel / Close button.
  function dialog() {
    var box = document.getElementById("animation-progress");
    if (box) return box;
    box = el("dialog", { id: "animation-progress", "aria-labelledby": "animation-title",
      class: "animation-dialog" });
    box.appendChild(el("h2", { id: "animation-title", class: "h6" }, "Making the animation"));
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
    var url = URL.createObjectURL(new Blob([buf], { type: event.type }));
    var a = el("a", { href: url, download: event.name });
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

  document.addEventListener("click", function (event) {
    var a = event.target && event.target.closest && event.target.closest("a[href]");
    if (!a || !ANIMATION.test(a.getAttribute("href") || "")) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    if (!window.fetch || !window.ReadableStream || !window.HTMLDialogElement) return;
    event.preventDefault();
    start(a.href);
  });
})();
