// The console's one script: zoom and pan for the ownership picture, confirmations. No inline script
// anywhere (the pages' Content-Security-Policy forbids it); htmx does the rest.
(function () {
  function setup(root) {
    var box = root.querySelector("#proof");
    if (!box || box.dataset.ready) { return; }
    var svg = box.querySelector("svg");
    if (!svg) { return; }
    box.dataset.ready = "1";
    var scale = 1;
    var w = parseFloat(svg.getAttribute("width")), h = parseFloat(svg.getAttribute("height"));
    function apply() {
      svg.setAttribute("width", String(w * scale));
      svg.setAttribute("height", String(h * scale));
      box.dataset.scale = scale.toFixed(2);
    }
    document.querySelectorAll("[data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () {
        var f = parseFloat(b.dataset.zoom);
        scale = f === 0 ? Math.min(1, box.clientWidth / w) : Math.max(0.2, Math.min(8, scale * f));
        apply();
      });
    });
    box.addEventListener("wheel", function (e) {
      if (!e.ctrlKey) { return; }
      e.preventDefault();
      scale = Math.max(0.2, Math.min(8, scale * (e.deltaY < 0 ? 1.1 : 0.9)));
      apply();
    }, {passive: false});
    var drag = null;
    box.addEventListener("mousedown", function (e) { drag = [e.clientX, e.clientY, box.scrollLeft, box.scrollTop]; });
    window.addEventListener("mouseup", function () { drag = null; });
    box.addEventListener("mousemove", function (e) {
      if (!drag) { return; }
      box.scrollLeft = drag[2] - (e.clientX - drag[0]);
      box.scrollTop = drag[3] - (e.clientY - drag[1]);
    });
  }
  // forms that change something important ask first (data-confirm="question")
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
    }
  }, true);
  document.addEventListener("DOMContentLoaded", function () { setup(document); });
  document.addEventListener("htmx:afterSettle", function (e) { setup(document); });
})();
