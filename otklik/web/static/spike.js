// Spike chart: mentions per hour around the spike (bars), the usual level (dashed line) and the
// spike's hours shaded. Drawn on page load and whenever htmx brings a spike card in.
(function () {
  "use strict";
  function draw(el) {
    if (!el || !window.echarts || el.getAttribute("data-rendered")) { return; }
    var data = JSON.parse(el.getAttribute("data-chart") || "{}");
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var area = data.from && data.to ? [[{ xAxis: data.from }, { xAxis: data.to }]] : [];
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: [el.getAttribute("data-label-volume"), el.getAttribute("data-label-negative"),
                       el.getAttribute("data-label-usual")] },
      grid: { left: 48, right: 24, top: 40, bottom: 56 },
      xAxis: { type: "category", data: data.t, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: el.getAttribute("data-label-volume"), type: "bar", data: data.n,
          itemStyle: { color: "#5b7bd5" },
          markArea: { silent: true, itemStyle: { color: "rgba(217, 72, 15, 0.12)" },
                      label: { show: true, formatter: el.getAttribute("data-label-spike") },
                      data: area } },
        { name: el.getAttribute("data-label-negative"), type: "bar", data: data.neg,
          barGap: "-100%", itemStyle: { color: "#c92a2a" } },
        { name: el.getAttribute("data-label-usual"), type: "line", symbol: "none",
          data: data.t.map(function () { return data.usual; }),
          lineStyle: { type: "dashed", color: "#2b8a3e" }, itemStyle: { color: "#2b8a3e" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-rendered", "1");
  }
  function drawAll(root) {
    var els = (root || document).querySelectorAll(".spike-chart");
    for (var i = 0; i < els.length; i++) { draw(els[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
