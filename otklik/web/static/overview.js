// Overview chart: mention volume (bars) and negative share (line) per local hour or day, spikes
// as numbered markers (the numbers of the headlines listed under the chart); the tooltip of a
// bar with a spike carries its headline.
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("volume-chart");
    if (!el || !window.echarts) { return; }
    var data = JSON.parse(el.getAttribute("data-chart") || "{}");
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var spikeIndex = {};
    (data.spikes || []).forEach(function (s) { spikeIndex[s.t] = s; });
    // spikes peaking in the same bar share one pin: "1, 2", both headlines on hover
    var byBar = {};
    (data.spikes || []).forEach(function (s) {
      var i = data.t.indexOf(s.t);
      if (i < 0) { return; }
      if (!byBar[i]) {
        byBar[i] = { name: s.mark + ". " + s.headline, coord: [data.x[i], data.n[i]],
                     value: String(s.mark), spikeId: s.id };
      } else {
        byBar[i].name += "\n" + s.mark + ". " + s.headline;
        byBar[i].value += ", " + s.mark;
      }
    });
    var markers = Object.keys(byBar).map(function (i) { return byBar[i]; });
    var esc = window.echarts.format.encodeHTML;
    function axisTip(items) {
      var i = items[0].dataIndex;
      var lines = [esc(items[0].axisValueLabel)].concat(items.map(function (p) {
        var v = p.value == null ? "—" : p.value + (p.seriesIndex === 1 ? "%" : "");
        return p.marker + esc(p.seriesName) + ": <b>" + esc(String(v)) + "</b>";
      }));
      if (byBar[i]) { lines.push("<b>" + esc(byBar[i].name).replace(/\n/g, "<br>") + "</b>"); }
      return lines.join("<br>");
    }
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", formatter: axisTip },
      legend: { data: [el.getAttribute("data-label-volume"),
                       el.getAttribute("data-label-negative")] },
      grid: { left: 48, right: 48, top: 40, bottom: 40 },
      xAxis: { type: "category", data: data.x },
      yAxis: [{ type: "value", minInterval: 1 },
              { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
      series: [
        { name: el.getAttribute("data-label-volume"), type: "bar", data: data.n,
          itemStyle: { color: "#5b7bd5" },
          markPoint: { symbol: "pin", symbolSize: 44, itemStyle: { color: "#d9480f" },
                       label: { formatter: function (p) { return p.data.value; },
                                color: "#fff", fontWeight: "bold" },
                       tooltip: { trigger: "item", formatter: function (p) {
                         return esc(p.name).replace(/\n/g, "<br>");
                       } },
                       data: markers } },
        { name: el.getAttribute("data-label-negative"), type: "line", yAxisIndex: 1,
          data: data.neg, smooth: true, itemStyle: { color: "#c92a2a" } }
      ]
    });
    chart.on("click", function (params) {
      var id = params.componentType === "markPoint" && params.data && params.data.spikeId;
      if (!id) {
        var s = spikeIndex[data.t[params.dataIndex]];
        id = s && s.id;
      }
      if (id && window.htmx) {
        window.htmx.ajax("GET", "/spikes/" + encodeURIComponent(id),
                         { target: "#spike-detail", swap: "innerHTML" });
      }
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
