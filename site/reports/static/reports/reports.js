/* Draws each report chart from the figures the page carries (json_script
 * "report-charts"). The table beside each chart holds the same figures for screen
 * readers and for copying; the chart is a picture of it. Chart.js is vendored
 * (static/reports/vendor): nothing is fetched from elsewhere. */
(function () {
  "use strict";
  var source = document.getElementById("report-charts");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var script = document.currentScript;
  var words = {
    current: (script && script.dataset.thisPeriod) || "This period",
    previous: (script && script.dataset.previousPeriod) || "Previous period",
  };
  var charts = JSON.parse(source.textContent);
  var colours = { current: "#1d4f91", previous: "#9aa7b8" };

  function datasets(chart) {
    var sets = [
      {
        label: words.current,
        data: chart.current,
        backgroundColor: colours.current,
        borderColor: colours.current,
        tension: 0.2,
      },
    ];
    if (chart.previous) {
      sets.push({
        label: words.previous,
        data: chart.previous,
        backgroundColor: colours.previous,
        borderColor: colours.previous,
        // Over time the previous period is a second, dashed line: told apart by
        // its pattern as well as its colour.
        borderDash: chart.type === "line" ? [6, 4] : undefined,
        tension: 0.2,
      });
    }
    return sets;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var chart = charts[canvas.dataset.chart];
    if (!chart) {
      return;
    }
    var many = chart.labels.length > 8 && chart.type === "bar";
    if (many) {
      var rows = chart.labels.length * (chart.previous ? 2 : 1);
      canvas.parentNode.style.height = Math.max(288, rows * 14 + 80) + "px";
    }
    new window.Chart(canvas, {
      type: chart.type,
      data: { labels: chart.labels, datasets: datasets(chart) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: many ? "y" : "x",
        plugins: { legend: { display: !!chart.previous } },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
    canvas.dataset.drawn = "true";
  });
})();
