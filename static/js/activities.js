// Charts of the activity pages. Data arrives through json_script (no inline scripts: CSP).
(function () {
  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function draw(el) {
    if (typeof echarts === "undefined") return;
    var data = read(el.getAttribute("data-source"));
    if (!data) return;
    var chart = echarts.init(el);
    var option;
    if (el.getAttribute("data-chart") === "study") {
      option = {
        tooltip: { trigger: "axis" }, legend: { data: ["参学率（%）", "人次"] },
        grid: { left: 48, right: 48, bottom: 60 },
        xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 45 } },
        yAxis: [{ type: "value", name: "%", max: 100 }, { type: "value", name: "人次" }],
        series: [
          { name: "参学率（%）", type: "line", data: data.rates, smooth: true },
          { name: "人次", type: "bar", yAxisIndex: 1, data: data.times, itemStyle: { opacity: 0.4 } }
        ]
      };
    } else {
      option = {
        tooltip: { trigger: "axis" }, legend: { data: ["人次", "覆盖率（%）"] },
        grid: { left: 48, right: 48, bottom: 40 },
        xAxis: { type: "category", data: data.months },
        yAxis: [{ type: "value", name: "人次" }, { type: "value", name: "%", max: 100 }],
        series: [
          { name: "人次", type: "bar", data: data.person_times },
          { name: "覆盖率（%）", type: "line", yAxisIndex: 1, data: data.coverage, smooth: true }
        ]
      };
    }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
