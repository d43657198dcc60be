// Dashboard charts (R-STAT-4): the map coloured by the chosen rate with drill-down on click,
// the monthly trend, and sortable tables. ECharts and the map data are served locally.
(function () {
  "use strict";
  var RED = "#b3261e", AMBER = "#e0a526", GREEN = "#1e7a3c", GREY = "#e3e7ec";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function visualMap(kind, target, band) {
    if (kind === "ratio" && band) {
      return { type: "piecewise", left: 8, bottom: 8, pieces: [
        { lt: band[0], color: AMBER, label: "< " + band[0] },
        { gte: band[0], lte: band[1], color: GREEN, label: band[0] + "–" + band[1] },
        { gt: band[1], color: RED, label: "> " + band[1] }
      ] };
    }
    if (target) {
      return { type: "piecewise", left: 8, bottom: 8, pieces: [
        { lt: target - 10, color: RED, label: "< " + (target - 10) + "%" },
        { gte: target - 10, lt: target, color: AMBER, label: (target - 10) + "–" + target + "%" },
        { gte: target, color: GREEN, label: "≥ " + target + "%" }
      ] };
    }
    return { type: "continuous", min: 0, max: 100, left: 8, bottom: 8, calculable: true,
             text: ["100%", "0%"], inRange: { color: [RED, AMBER, GREEN] } };
  }

  function drawMap() {
    var el = document.getElementById("stats-map");
    var data = readJson("stats-map-data");
    if (!el || !data || !window.echarts) return;
    fetch(el.dataset.geo, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        echarts.registerMap(el.dataset.name, geo);
        var chart = echarts.init(el, null, { renderer: "canvas" });
        var band = el.dataset.band ? el.dataset.band.split(",").map(Number) : null;
        var target = el.dataset.target ? Number(el.dataset.target) : null;
        var byCode = {};
        data.forEach(function (d) { byCode[d.name] = d; });
        chart.setOption({
          tooltip: { trigger: "item", formatter: function (p) {
            var d = byCode[p.name];
            if (!d) return p.name;
            var value = d.value === null ? "—" : d.value + (el.dataset.kind === "ratio" ? "" : "%");
            return d.label + "<br>" + value + " (" + d.numerator + " / " + d.denominator + ")";
          } },
          visualMap: visualMap(el.dataset.kind, target, band),
          series: [{
            type: "map", map: el.dataset.name, nameProperty: "code", roam: true,
            label: { show: false }, emphasis: { label: { show: false } },
            itemStyle: { areaColor: GREY, borderColor: "#fff" },
            data: data.filter(function (d) { return d.value !== null; })
                      .map(function (d) { return { name: d.name, value: d.value }; })
          }]
        });
        chart.on("click", function (p) {
          if (p.name && byCode[p.name]) window.location.href = el.dataset.href + encodeURIComponent(p.name);
        });
        window.addEventListener("resize", function () { chart.resize(); });
        el.dataset.ready = "1";
      });
  }

  function drawTrend() {
    var el = document.getElementById("stats-trend");
    var data = readJson("stats-trend-data");
    if (!el || !data || !window.echarts) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var marks = [];
    if (data.target !== null && data.target !== undefined) marks.push({ yAxis: data.target, name: "target" });
    if (data.band) { marks.push({ yAxis: data.band[0] }); marks.push({ yAxis: data.band[1] }); }
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 48, top: 24, bottom: 32 },
      xAxis: { type: "category", data: data.months },
      yAxis: [{ type: "value", scale: true, axisLabel: { formatter: data.band ? "{value}" : "{value}%" } },
              { type: "value", splitLine: { show: false } }],
      series: [
        { type: "bar", yAxisIndex: 1, data: data.denominators, itemStyle: { color: GREY }, name: "n" },
        { type: "line", data: data.values, connectNulls: false, itemStyle: { color: RED },
          markLine: marks.length ? { symbol: "none", lineStyle: { color: GREEN, type: "dashed" }, data: marks } : undefined }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.ready = "1";
  }

  function sortable(table) {
    table.querySelectorAll("th[data-sort]").forEach(function (th, index) {
      th.addEventListener("click", function () {
        var asc = !th.classList.contains("asc");
        table.querySelectorAll("th").forEach(function (h) { h.classList.remove("asc", "desc"); });
        th.classList.add(asc ? "asc" : "desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[index].dataset.value, y = b.cells[index].dataset.value;
          var cmp = th.dataset.sort === "number" ? Number(x) - Number(y) : String(x).localeCompare(String(y));
          return asc ? cmp : -cmp;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawMap();
    drawTrend();
    document.querySelectorAll("table.sortable").forEach(sortable);
  });
})();
