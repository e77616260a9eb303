// Mentions page: the current filter's volume per hour/day/week (bars) and its negative share
// (line), from the JSON the page carries in data-chart (the CSP allows no inline script).
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("mention-chart");
    if (!el || !window.echarts) { return; }
    var data = JSON.parse(el.getAttribute("data-chart") || "{}");
    var volume = el.getAttribute("data-label-volume");
    var negative = el.getAttribute("data-label-negative");
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: [volume, negative] },
      grid: { left: 48, right: 48, top: 40, bottom: 40 },
      xAxis: { type: "category", data: data.x },
      yAxis: [{ type: "value", minInterval: 1 },
              { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
      series: [
        { name: volume, type: "bar", data: data.n, itemStyle: { color: "#5b7bd5" } },
        { name: negative, type: "line", yAxisIndex: 1, data: data.neg, connectNulls: false,
          smooth: true, itemStyle: { color: "#c92a2a" },
          tooltip: { valueFormatter: function (v) { return v == null ? "—" : v + "%"; } } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-rendered", "1");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
