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
    narrowOnClick(chart, data);
    el.setAttribute("data-rendered", "1");
  }
  // A click anywhere in a bar's column narrows the filter to that bar's hour, day or week (its
  // since/until as the page gave them, in the desk's zone) and reloads the list; the other
  // fields of the filter stay.
  function narrowOnClick(chart, data) {
    if (!data.since || !data.until) { return; }
    var zr = chart.getZr();
    function column(event) {
      var point = [event.offsetX, event.offsetY];
      if (!chart.containPixel("grid", point)) { return -1; }
      var i = chart.convertFromPixel({ seriesIndex: 0 }, point)[0];
      return i >= 0 && i < data.since.length ? i : -1;
    }
    zr.on("mousemove", function (event) {
      zr.setCursorStyle(column(event) >= 0 ? "pointer" : "default");
    });
    zr.on("click", function (event) {
      var i = column(event);
      if (i < 0) { return; }
      var params = new URLSearchParams(window.location.search);
      params.set("since", data.since[i]);
      params.set("until", data.until[i]);
      window.location.assign(window.location.pathname + "?" + params.toString());
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
