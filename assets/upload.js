// "Use your own data": send a chosen or dropped file to /upload with a byte-level
// progress bar, then hand the server's answer to the Dash store "upload-result" (drawn by
// components/upload_panel.py). Also the "Back to the demo data" button. Every text shown
// here is set with textContent, never as markup.
(function () {
  "use strict";
  var HEADER = "X-IoME-Upload";
  var busy = false;

  function progressBox() { return document.getElementById("upload-progress"); }

  function show(parts) {
    // parts: {text, percent (0-100) or null for "working", state: "busy" | "done" | "error"}
    var box = progressBox();
    if (!box) { return; }
    box.textContent = "";
    var label = document.createElement("div");
    label.className = "small mb-1" + (parts.state === "error" ? " text-danger" : "");
    label.textContent = parts.text;
    box.appendChild(label);
    if (parts.state !== "busy") { return; }
    var outer = document.createElement("div");
    outer.className = "progress";
    outer.setAttribute("role", "progressbar");
    outer.setAttribute("aria-label", "Upload progress");
    outer.setAttribute("aria-valuemin", "0");
    outer.setAttribute("aria-valuemax", "100");
    var bar = document.createElement("div");
    bar.className = "progress-bar";
    if (parts.percent === null) {
      bar.className += " progress-bar-striped progress-bar-animated";
      bar.style.width = "100%";
      outer.setAttribute("aria-valuetext", parts.text);
    } else {
      bar.style.width = parts.percent + "%";
      outer.setAttribute("aria-valuenow", String(parts.percent));
    }
    outer.appendChild(bar);
    box.appendChild(outer);
  }

  function publish(answer) {
    answer.received = Date.now();  // a new object each time, so the same answer redraws
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props("upload-result", { data: answer });
    }
  }

  function megabytes(n) { return (n / 1024 / 1024).toFixed(1) + " MB"; }

  function send(file) {
    if (busy || !file) { return; }
    var zone = document.getElementById("upload-drop");
    var limit = zone ? parseInt(zone.getAttribute("data-max-bytes"), 10) : 0;
    if (limit && file.size > limit) {
      show({ text: file.name + " is " + megabytes(file.size) + "; the limit is " +
             megabytes(limit) + ".", state: "error" });
      return;
    }
    busy = true;
    publish({});
    var form = new FormData();
    form.append("file", file, file.name);
    // The dialog's choices: the file's coding scheme and column mapping (own YAML files
    // as read by the dialog; components/upload_panel.py keeps this object current).
    var choice = window.iome_upload_choice || {};
    ["scheme", "columns", "codebook_data", "codebook_name", "mapping_data",
     "mapping_name"].forEach(function (key) {
      if (choice[key]) { form.append(key, choice[key]); }
    });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/upload");
    xhr.setRequestHeader(HEADER, "1");
    xhr.responseType = "json";
    show({ text: "Uploading " + file.name + "…", percent: 0, state: "busy" });
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) { return; }
      var pct = Math.round((100 * e.loaded) / e.total);
      show({ text: "Uploading " + file.name + ": " + megabytes(e.loaded) + " of " +
             megabytes(e.total), percent: pct, state: "busy" });
    };
    xhr.upload.onload = function () {
      show({ text: "Reading and checking " + file.name + "…", percent: null, state: "busy" });
    };
    xhr.onload = function () {
      busy = false;
      var answer = xhr.response;
      if (!answer || typeof answer !== "object") {
        answer = { status: "rejected", message: "The server could not read the file (HTTP " +
                   xhr.status + "). Nothing was changed." };
      }
      show({ text: "", state: "done" });
      publish(answer);
    };
    xhr.onerror = function () {
      busy = false;
      show({ text: "The upload failed (network error). Nothing was changed; try again.",
             state: "error" });
    };
    xhr.send(form);
  }

  var picker = null;
  function pick() {
    if (!picker) {
      picker = document.createElement("input");
      picker.type = "file";
      picker.accept = ".csv,.tsv,.txt,.xlsx";
      picker.id = "upload-input";
      picker.className = "visually-hidden";
      picker.setAttribute("aria-hidden", "true");
      picker.tabIndex = -1;
      picker.addEventListener("change", function () {
        if (picker.files && picker.files[0]) { send(picker.files[0]); }
        picker.value = "";
      });
      document.body.appendChild(picker);
    }
    picker.click();
  }

  function clearUpload(button) {
    button.disabled = true;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/upload/clear");
    xhr.setRequestHeader(HEADER, "1");
    xhr.onloadend = function () {
      if (xhr.status === 200) { window.location.assign("/"); return; }
      button.disabled = false;
      show({ text: "Your file could not be removed just now (HTTP " + xhr.status +
             "); try again in a minute.", state: "error" });
    };
    xhr.send();
  }

  document.addEventListener("click", function (e) {
    var target = e.target instanceof Element ? e.target : null;
    if (!target) { return; }
    if (target.closest("#upload-pick")) { pick(); return; }
    var clear = target.closest("[data-upload-clear]");
    if (clear) { clearUpload(clear); }
  });

  function inZone(e) {
    return e.target instanceof Element && e.target.closest("#upload-drop");
  }
  document.addEventListener("dragover", function (e) {
    var zone = inZone(e);
    if (!zone) { return; }
    e.preventDefault();
    zone.classList.add("upload-drop-active");
  });
  document.addEventListener("dragleave", function (e) {
    var zone = inZone(e);
    if (zone) { zone.classList.remove("upload-drop-active"); }
  });
  document.addEventListener("drop", function (e) {
    var zone = inZone(e);
    if (!zone) { return; }
    e.preventDefault();
    zone.classList.remove("upload-drop-active");
    var files = e.dataTransfer && e.dataTransfer.files;
    if (files && files.length) { send(files[0]); }
  });
})();
