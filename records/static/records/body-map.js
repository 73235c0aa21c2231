// The body map (records.body_map): click or tap the outline to add a mark there,
// or "Add a mark" and choose the part of the body from the list. The table of
// marks is the record; this script only adds, numbers and removes its rows and
// draws the numbered dots. Without it, the page offers empty rows to fill in.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const DOT = 9;

  function enhance(root) {
    const rows = root.querySelector("[data-mark-rows]");
    const template = root.querySelector("[data-mark-template]");
    const addButton = root.querySelector("[data-add-mark]");
    const status = root.querySelector("[data-status]");
    const none = root.querySelector("[data-no-marks]");
    const id = root.dataset.id;
    const max = parseInt(root.dataset.max, 10) || 40;

    function say(text) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
    function allRows() { return Array.from(rows.querySelectorAll("[data-mark-row]")); }
    function part(row, name) { return row.querySelector('[data-part="' + name + '"]'); }
    function isEmpty(row) {
      return ["region", "description", "size", "colour"].every(function (name) {
        return !part(row, name).value.trim();
      });
    }

    function renumber() {
      allRows().forEach(function (row, index) {
        const n = String(index + 1);
        row.querySelectorAll("[data-number]").forEach(function (el) { el.textContent = n; });
        row.querySelectorAll("label[for]").forEach(function (el) {
          const control = row.querySelector("#" + CSS.escape(el.htmlFor));
          const name = control.dataset.part;
          control.id = id + "_" + name + "_" + n;
          el.htmlFor = control.id;
          el.textContent = el.textContent.replace(/(\d+|__n__)/, n);
        });
      });
      none.hidden = allRows().length > 0;
      addButton.disabled = allRows().length >= max;
    }

    function centreOf(view, region) {
      const shape = root.querySelector('svg[data-view="' + view + '"] [data-region="' + view + "." + region + '"]');
      const box = shape.getBBox();
      return [box.x + box.width / 2, box.y + box.height / 2];
    }

    function draw() {
      root.querySelectorAll("svg[data-view] [data-dots]").forEach(function (g) { g.replaceChildren(); });
      const crowded = {};
      allRows().forEach(function (row, index) {
        const value = part(row, "region").value;
        if (!value) { return; }
        const [view, region] = value.split(".");
        const svg = root.querySelector('svg[data-view="' + view + '"]');
        const box = svg.viewBox.baseVal;
        let x, y;
        if (part(row, "x").value && part(row, "y").value) {
          x = parseFloat(part(row, "x").value) * box.width / 100;
          y = parseFloat(part(row, "y").value) * box.height / 100;
        } else {
          const crowding = crowded[value] || 0;
          crowded[value] = crowding + 1;
          [x, y] = centreOf(view, region);
          const step = Math.floor((crowding + 1) / 2) * (2 * DOT + 2);
          y = crowding % 2 ? y - step : y + step;
        }
        const group = document.createElementNS(SVG, "g");
        group.setAttribute("class", "body-map__dot");
        const circle = document.createElementNS(SVG, "circle");
        circle.setAttribute("cx", x); circle.setAttribute("cy", y); circle.setAttribute("r", DOT);
        const text = document.createElementNS(SVG, "text");
        text.setAttribute("x", x); text.setAttribute("y", y + 4); text.setAttribute("text-anchor", "middle");
        text.textContent = String(index + 1);
        group.append(circle, text);
        svg.querySelector("[data-dots]").append(group);
      });
    }

    function wire(row) {
      const remove = row.querySelector("[data-remove-mark]");
      remove.hidden = false;
      remove.addEventListener("click", function () {
        const number = row.querySelector("[data-number]").textContent;
        const next = row.nextElementSibling;
        row.remove();
        renumber();
        draw();
        say(root.dataset.removed.replace("%s", number));
        (next ? part(next, "region") : addButton).focus();
      });
      part(row, "region").addEventListener("change", function () {
        // Chosen from the list: drawn at the middle of that part of the body.
        part(row, "x").value = "";
        part(row, "y").value = "";
        draw();
      });
    }

    function add(region, x, y) {
      if (allRows().length >= max) {
        say(root.dataset.full);
        return null;
      }
      const n = String(allRows().length + 1);
      const holder = document.createElement("tbody");
      holder.innerHTML = template.innerHTML.split("__n__").join(n);
      const row = holder.querySelector("[data-mark-row]");
      rows.append(row);
      wire(row);
      if (region) {
        part(row, "region").value = region;
        part(row, "x").value = x;
        part(row, "y").value = y;
      }
      renumber();
      draw();
      return row;
    }

    allRows().forEach(function (row) {
      if (row.hasAttribute("data-blank") && isEmpty(row)) { row.remove(); } else { wire(row); }
    });
    root.setAttribute("data-enhanced", "");
    addButton.hidden = false;
    renumber();
    draw();

    addButton.addEventListener("click", function () {
      const row = add();
      if (row) {
        say(root.dataset.added.replace("%s", row.querySelector("[data-number]").textContent));
        part(row, "region").focus();
      }
    });

    root.querySelectorAll("svg[data-view]").forEach(function (svg) {
      svg.addEventListener("click", function (event) {
        const shape = event.target.closest("[data-region]");
        if (!shape) { return; }
        const point = svg.createSVGPoint();
        point.x = event.clientX;
        point.y = event.clientY;
        const at = point.matrixTransform(svg.getScreenCTM().inverse());
        const box = svg.viewBox.baseVal;
        const x = Math.min(100, Math.max(0, at.x / box.width * 100)).toFixed(1);
        const y = Math.min(100, Math.max(0, at.y / box.height * 100)).toFixed(1);
        const row = add(shape.dataset.region, x, y);
        if (row) {
          say(root.dataset.placed
            .replace("%n", row.querySelector("[data-number]").textContent)
            .replace("%s", shape.dataset.label));
          part(row, "description").focus();
        }
      });
    });
  }

  function start() { document.querySelectorAll("[data-body-map]").forEach(enhance); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
