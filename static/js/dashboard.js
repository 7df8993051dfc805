// The dashboard's charts (ECharts), drawn from the page's JSON data (json_script "chart-data").
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(document.getElementById("chart"));
  chart.setOption({
    grid: {left: 8, right: 8, top: 24, bottom: 8, containLabel: true},
    tooltip: {trigger: "axis"},
    xAxis: {type: "category", data: data.names, axisLabel: {interval: 0, rotate: data.names.length > 6 ? 40 : 0}},
    yAxis: {type: "value", max: 100, name: "%"},
    series: [{type: "bar", data: data.rates, name: data.label, itemStyle: {color: "#2f7d4f"}}]
  });
  var trend = null;
  if (data.trend.weeks.length) {
    trend = echarts.init(document.getElementById("trend"));
    trend.setOption({
      grid: {left: 8, right: 8, top: 24, bottom: 8, containLabel: true}, tooltip: {trigger: "axis"},
      xAxis: {type: "category", data: data.trend.weeks}, yAxis: {type: "value", max: 100, name: "%"},
      series: [{type: "line", data: data.trend.rates, name: data.label, itemStyle: {color: "#2f7d4f"}}]
    });
  }
  window.addEventListener("resize", function () { chart.resize(); if (trend) { trend.resize(); } });
});
