// An attack's waves on one timeline: posts and accounts of each burst of the campaign, in order
// (a campaign that comes back shows a second wave). Labels come from the page (data-label-*).
(function () {
  "use strict";
  function draw(el) {
    if (!el || !window.echarts || el.getAttribute("data-rendered")) { return; }
    var data = JSON.parse(el.getAttribute("data-chart") || "{}");
    var posts = el.getAttribute("data-label-posts");
    var accounts = el.getAttribute("data-label-accounts");
    el.style.height = "240px";  // a few waves: lower than the page's other charts
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: [posts, accounts] },
      grid: { left: 48, right: 24, top: 40, bottom: 40 },
      xAxis: { type: "category", data: data.labels || [] },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: posts, type: "bar", data: data.posts || [], itemStyle: { color: "#c92a2a" }, barMaxWidth: 56,
          label: { show: true, position: "top" } },
        { name: accounts, type: "bar", data: data.accounts || [], itemStyle: { color: "#5b7bd5" }, barMaxWidth: 56,
          label: { show: true, position: "top" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-rendered", "1");
  }
  function drawAll(root) {
    var els = (root || document).querySelectorAll(".attack-waves");
    for (var i = 0; i < els.length; i++) { draw(els[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
})();
