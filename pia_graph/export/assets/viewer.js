/* pia-graph flow viewer: draws the flow graph embedded in #pia-data on a canvas.
 *
 * Data (see pia_graph/export/html.py): strings[] is a string table; every text field is an index
 * into it. node = [kind, label, x, y, [spellings], [assessments], [sources], id];
 * edge = [source, target, edgeKind, [methods], assessment, details];
 * details = [legalBasis, timing, purpose, information, title, content, subcontractItems,
 *            methodOther, [laws], depth, [sources], id]; source = [document, first, last, page, path];
 * assessment = [label, iri, document, body, business].
 *
 * Text reaches the page only through textContent and canvas fillText (never innerHTML), so names
 * in the documents cannot become markup. window.piaGraph exposes the viewer's state for tests.
 */
(function () {
  "use strict";
  var status = window.piaGraph = {
    ready: false, errors: [], nodeCount: 0, edgeCount: 0, drawnNodes: 0, drawnEdges: 0,
    drawnLabels: 0, renders: 0, lastRenderMs: 0, firstRenderMs: 0, matches: [], selected: null,
    visibleEdges: 0, visibleNodes: 0
  };
  window.addEventListener("error", function (event) { status.errors.push(String(event.message)); });

  var started = performance.now();
  var D = JSON.parse(document.getElementById("pia-data").textContent);
  var S = D.strings, N = D.nodes, E = D.edges;
  status.nodeCount = N.length;
  status.edgeCount = E.length;

  var canvas = document.getElementById("canvas");
  var ctx = canvas.getContext("2d");
  var view = document.getElementById("view");
  var panel = document.getElementById("panel");
  var hiddenKind = {}, hiddenEdgeKind = {}, hiddenMethod = {};
  var scale = 1, tx = 0, ty = 0, dpr = window.devicePixelRatio || 1;
  var matchSet = {}, selected = -1, selectedEdges = {};
  var segments = null;  // aggregated visible edges, rebuilt when filters change
  var pending = false;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function str(i) { return S[i] || ""; }
  function norm(text) {
    return String(text).normalize("NFKC").replace(/\s+/g, "").toLowerCase();
  }

  // --- adjacency and bounds -------------------------------------------------------------------
  var edgesOf = new Array(N.length);
  for (var i = 0; i < N.length; i++) edgesOf[i] = [];
  for (var j = 0; j < E.length; j++) { edgesOf[E[j][0]].push(j); if (E[j][1] !== E[j][0]) edgesOf[E[j][1]].push(j); }
  var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (i = 0; i < N.length; i++) {
    minX = Math.min(minX, N[i][2]); maxX = Math.max(maxX, N[i][2]);
    minY = Math.min(minY, N[i][3]); maxY = Math.max(maxY, N[i][3]);
  }
  if (!N.length) { minX = minY = 0; maxX = maxY = 100; }
  // the closest two nodes of one column: labels show once that gap is readable on screen
  // (a small graph is spread out, so its labels show at the first fit)
  var rowGap = Infinity, columns = {};
  for (i = 0; i < N.length; i++) (columns[N[i][2]] = columns[N[i][2]] || []).push(N[i][3]);
  for (var cx in columns) {
    var ys = columns[cx].sort(function (a, b) { return a - b; });
    for (var k = 1; k < ys.length; k++) if (ys[k] - ys[k - 1] > 0) rowGap = Math.min(rowGap, ys[k] - ys[k - 1]);
  }
  if (!isFinite(rowGap)) rowGap = 14;

  // spatial grid for hit tests
  var CELL = 40, grid = {};
  for (i = 0; i < N.length; i++) {
    var key = Math.floor(N[i][2] / CELL) + ":" + Math.floor(N[i][3] / CELL);
    (grid[key] || (grid[key] = [])).push(i);
  }
  var normalised = null;
  function searchText(n) {
    if (!normalised) {
      normalised = new Array(N.length);
      for (var k = 0; k < N.length; k++) {
        var parts = [str(N[k][1])];
        for (var s = 0; s < N[k][4].length; s++) parts.push(str(N[k][4][s]));
        normalised[k] = norm(parts.join("\u0001"));
      }
    }
    return normalised[n];
  }

  // --- filters --------------------------------------------------------------------------------
  function nodeVisible(n) { return !hiddenKind[N[n][0]]; }
  function edgeVisible(e) {
    var ed = E[e];
    if (hiddenEdgeKind[ed[2]] || !nodeVisible(ed[0]) || !nodeVisible(ed[1])) return false;
    var m = ed[3];
    if (!m.length) return true;
    for (var k = 0; k < m.length; k++) if (!hiddenMethod[m[k]]) return true;
    return false;
  }
  function edgeColour(e) {
    var m = E[e][3];
    for (var k = 0; k < m.length; k++) if (!hiddenMethod[m[k]]) return D.methodColours[m[k]];
    return D.edgeKindColours[E[e][2]];
  }
  function rebuild() {
    // parallel edges between the same two nodes are drawn once (aggregated), in the first colour
    var byPair = new Map(), buckets = {}, visible = 0;
    for (var e = 0; e < E.length; e++) {
      if (!edgeVisible(e)) continue;
      visible++;
      var a = E[e][0], b = E[e][1], pair = a * 1048576 + b;
      if (byPair.has(pair)) continue;
      byPair.set(pair, 1);
      // hops (委託/再委託/提供/移転, edge kinds 0–3) are drawn stronger than the structure around them
      var bucket = edgeColour(e) + (E[e][2] < 4 ? "|hop" : "|structure");
      (buckets[bucket] || (buckets[bucket] = [])).push(a, b);
    }
    var vn = 0;
    for (var n = 0; n < N.length; n++) if (nodeVisible(n)) vn++;
    status.visibleEdges = visible;
    status.visibleNodes = vn;
    segments = buckets;
    schedule();
  }

  // --- drawing --------------------------------------------------------------------------------
  function resize() {
    dpr = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.floor(view.clientWidth * dpr));
    canvas.height = Math.max(1, Math.floor(view.clientHeight * dpr));
    schedule();
  }
  function fit() {
    var w = view.clientWidth || 800, h = view.clientHeight || 600;
    var gw = Math.max(maxX - minX, 1) + 400, gh = Math.max(maxY - minY, 1) + 60;
    scale = Math.min(w / gw, h / gh);
    // centre the nodes together with the room their labels take on the right
    tx = (w - gw * scale) / 2 + 20 * scale - minX * scale;
    ty = (h - (maxY - minY) * scale) / 2 - minY * scale;
    schedule();
  }
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; draw(); });
  }
  function draw() {
    var t0 = performance.now();
    var w = canvas.width / dpr, h = canvas.height / dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, w, h);
    ctx.setTransform(dpr * scale, 0, 0, dpr * scale, dpr * tx, dpr * ty);
    var x0 = -tx / scale, y0 = -ty / scale, x1 = (w - tx) / scale, y1 = (h - ty) / scale;
    var drawnEdges = 0;
    ctx.lineWidth = Math.max(0.6 / scale, 0.05);
    var alpha = status.visibleEdges > 20000 ? 0.3 : (status.visibleEdges > 3000 ? 0.5 : 0.8);
    for (var bucket in segments) {
      var seg = segments[bucket], parts = bucket.split("|");
      ctx.strokeStyle = parts[0];
      ctx.globalAlpha = parts[1] === "hop" ? alpha : alpha * 0.35;
      ctx.beginPath();
      for (var k = 0; k < seg.length; k += 2) {
        var a = N[seg[k]], b = N[seg[k + 1]];
        if ((a[2] < x0 && b[2] < x0) || (a[2] > x1 && b[2] > x1) ||
            (a[3] < y0 && b[3] < y0) || (a[3] > y1 && b[3] > y1)) continue;
        ctx.moveTo(a[2], a[3]);
        ctx.lineTo(b[2], b[3]);
        drawnEdges++;
      }
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    if (scale * 14 >= 9 && drawnEdges <= 5000) arrowheads(x0, y0, x1, y1);
    if (selected >= 0) {  // the selected node's own edges, on top and thicker
      ctx.lineWidth = 2.2 / scale;
      for (var s = 0; s < edgesOf[selected].length; s++) {
        var e = edgesOf[selected][s];
        if (!edgeVisible(e)) continue;
        ctx.strokeStyle = edgeColour(e);
        ctx.beginPath();
        ctx.moveTo(N[E[e][0]][2], N[E[e][0]][3]);
        ctx.lineTo(N[E[e][1]][2], N[E[e][1]][3]);
        ctx.stroke();
      }
    }
    var radius = Math.max(2.5, 1.6 / scale), drawnNodes = 0, inView = [];
    for (var kind = 0; kind < D.kinds.length; kind++) {
      if (hiddenKind[kind]) continue;
      ctx.fillStyle = D.kindColours[kind];
      ctx.beginPath();
      for (var n = 0; n < N.length; n++) {
        var node = N[n];
        if (node[0] !== kind || node[2] < x0 - radius || node[2] > x1 + radius ||
            node[3] < y0 - radius || node[3] > y1 + radius) continue;
        ctx.moveTo(node[2] + radius, node[3]);
        ctx.arc(node[2], node[3], radius, 0, 6.2832);
        drawnNodes++;
        inView.push(n);
      }
      ctx.fill();
    }
    ctx.lineWidth = 2 / scale;
    for (var m in matchSet) {
      var mn = N[m];
      if (!nodeVisible(+m)) continue;
      ctx.strokeStyle = "#ffb000";
      ctx.beginPath();
      ctx.arc(mn[2], mn[3], radius + 4 / scale, 0, 6.2832);
      ctx.stroke();
    }
    if (selected >= 0 && nodeVisible(selected)) {
      ctx.strokeStyle = "#000";
      ctx.beginPath();
      ctx.arc(N[selected][2], N[selected][3], radius + 6 / scale, 0, 6.2832);
      ctx.stroke();
    }
    // level of detail: labels only when rows are far enough apart on screen to read them
    var labels = 0, fontPx = 11;
    if (scale * rowGap >= 11 && inView.length <= 4000) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.font = fontPx + "px 'Noto Sans CJK JP', sans-serif";
      ctx.fillStyle = "#222";
      ctx.textBaseline = "middle";
      var maxChars = Math.max(4, Math.floor(scale * 380 / fontPx));
      for (var q = 0; q < inView.length; q++) {
        var ln = N[inView[q]], text = str(ln[1]);
        if (text.length > maxChars) text = text.slice(0, maxChars - 1) + "…";
        ctx.fillText(text, ln[2] * scale + tx + radius * scale + 3, ln[3] * scale + ty);
        labels++;
      }
    } else {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.font = "12px 'Noto Sans CJK JP', sans-serif";
      ctx.fillStyle = "#000";
      ctx.textBaseline = "middle";
      for (var mm in matchSet) {  // matches stay labelled at every zoom
        if (labels >= 200) break;
        var mnode = N[mm];
        ctx.fillText(str(mnode[1]), mnode[2] * scale + tx + 8, mnode[3] * scale + ty);
        labels++;
      }
    }
    status.drawnNodes = drawnNodes;
    status.drawnEdges = drawnEdges;
    status.drawnLabels = labels;
    status.renders++;
    status.lastRenderMs = performance.now() - t0;
    if (!status.ready) {
      status.ready = true;
      status.firstRenderMs = performance.now() - started;
      status.readyAt = performance.now();  // since navigation start: parse + JSON + first frame
    }
    document.getElementById("stats").textContent =
      status.visibleNodes + " / " + N.length + " nodes · " + status.visibleEdges + " / " + E.length +
      " edges · " + status.lastRenderMs.toFixed(0) + " ms";
  }

  function arrowheads(x0, y0, x1, y1) {
    // direction of each drawn edge, once the drawing is close enough to read it
    var size = 7 / scale, back = Math.max(2.5, 1.6 / scale) + 1 / scale;
    for (var bucket in segments) {
      var seg = segments[bucket];
      ctx.fillStyle = bucket.split("|")[0];
      ctx.beginPath();
      for (var k = 0; k < seg.length; k += 2) {
        var a = N[seg[k]], b = N[seg[k + 1]];
        if (b[2] < x0 || b[2] > x1 || b[3] < y0 || b[3] > y1) continue;
        var dx = b[2] - a[2], dy = b[3] - a[3], len = Math.sqrt(dx * dx + dy * dy);
        if (len < size * 2) continue;
        var ux = dx / len, uy = dy / len, tipX = b[2] - ux * back, tipY = b[3] - uy * back;
        ctx.moveTo(tipX, tipY);
        ctx.lineTo(tipX - ux * size - uy * size * 0.45, tipY - uy * size + ux * size * 0.45);
        ctx.lineTo(tipX - ux * size + uy * size * 0.45, tipY - uy * size - ux * size * 0.45);
        ctx.closePath();
      }
      ctx.fill();
    }
  }

  // --- pan, zoom, click -----------------------------------------------------------------------
  var drag = null;
  canvas.addEventListener("mousedown", function (ev) {
    drag = { x: ev.clientX, y: ev.clientY, tx: tx, ty: ty, moved: false };
    canvas.classList.add("dragging");
  });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    tx = drag.tx + dx; ty = drag.ty + dy;
    schedule();
  });
  window.addEventListener("mouseup", function (ev) {
    if (!drag) return;
    var moved = drag.moved;
    drag = null;
    canvas.classList.remove("dragging");
    if (!moved) {
      var r = canvas.getBoundingClientRect();
      var hit = nodeAt(ev.clientX - r.left, ev.clientY - r.top);
      if (hit >= 0) select(hit); else { selected = -1; status.selected = null; schedule(); }
    }
  });
  canvas.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = canvas.getBoundingClientRect();
    zoomAt(ev.clientX - r.left, ev.clientY - r.top, Math.exp(-ev.deltaY * 0.0015));
  }, { passive: false });
  function zoomAt(px, py, factor) {
    var next = Math.min(Math.max(scale * factor, 1e-4), 40);
    tx = px - (px - tx) * (next / scale);
    ty = py - (py - ty) * (next / scale);
    scale = next;
    schedule();
  }
  function nodeAt(px, py) {
    var gx = (px - tx) / scale, gy = (py - ty) / scale;
    var reach = Math.max(8 / scale, 3), best = -1, bestD = reach * reach;
    var cx = Math.floor(gx / CELL), cy = Math.floor(gy / CELL), span = Math.ceil(reach / CELL);
    for (var ix = cx - span; ix <= cx + span; ix++) {
      for (var iy = cy - span; iy <= cy + span; iy++) {
        var cell = grid[ix + ":" + iy];
        if (!cell) continue;
        for (var k = 0; k < cell.length; k++) {
          var n = cell[k];
          if (!nodeVisible(n)) continue;
          var ddx = N[n][2] - gx, ddy = N[n][3] - gy, d = ddx * ddx + ddy * ddy;
          if (d <= bestD) { bestD = d; best = n; }
        }
      }
    }
    return best;
  }
  function centreOn(n, minScale) {
    var w = view.clientWidth, h = view.clientHeight;
    if (minScale && scale < minScale) scale = minScale;
    tx = w / 2 - N[n][2] * scale;
    ty = h / 2 - N[n][3] * scale;
    schedule();
  }

  // --- side panel -----------------------------------------------------------------------------
  function sourceLine(src) {
    var text = str(src[0]) + " 行 " + (src[1] === src[2] ? src[1] : src[1] + "–" + src[2]);
    if (src[3]) text += " p." + src[3];
    if (src[4]) text += "  " + str(src[4]);
    return text;
  }
  function sourcesList(parent, sources) {
    if (!sources.length) { parent.appendChild(el("div", "出典行なし / no source lines", "src")); return; }
    var ul = el("ul"), shown = Math.min(sources.length, 300);
    for (var k = 0; k < shown; k++) ul.appendChild(el("li", sourceLine(sources[k]), "src"));
    if (sources.length > shown) ul.appendChild(el("li", "… +" + (sources.length - shown), "src"));
    parent.appendChild(ul);
  }
  function fact(parent, name, value) {
    if (value === "" || value === null || value === undefined) return;
    var div = el("div", null, "fact");
    div.appendChild(el("b", name + ": "));
    div.appendChild(document.createTextNode(String(value)));
    parent.appendChild(div);
  }
  function select(n) {
    selected = n;
    status.selected = str(N[n][7]);
    var node = N[n];
    while (panel.firstChild) panel.removeChild(panel.firstChild);
    var badge = el("span", D.kindLabels[node[0]] + " (" + D.kinds[node[0]] + ")", "kind");
    badge.style.background = D.kindColours[node[0]];
    panel.appendChild(badge);
    panel.appendChild(el("h2", str(node[1])));
    fact(panel, "IRI", str(node[7]));
    if (node[4].length > 1) {
      panel.appendChild(el("h3", "表記 / spellings"));
      var ul = el("ul");
      for (var k = 0; k < node[4].length; k++) ul.appendChild(el("li", str(node[4][k])));
      panel.appendChild(ul);
    }
    panel.appendChild(el("h3", "評価書 / assessments (" + node[5].length + ")"));
    var ua = el("ul");
    for (k = 0; k < Math.min(node[5].length, 100); k++) {
      var a = D.assessments[node[5][k]];
      ua.appendChild(el("li", str(a[0]) + " — " + str(a[3]) + (str(a[2]) ? " [" + str(a[2]) + "]" : "")));
    }
    if (node[5].length > 100) ua.appendChild(el("li", "… +" + (node[5].length - 100)));
    panel.appendChild(ua);
    panel.appendChild(el("h3", "出典 / source lines"));
    sourcesList(panel, node[6]);
    var list = edgesOf[n];
    panel.appendChild(el("h3", "つながり / flows (" + list.length + ")"));
    for (k = 0; k < Math.min(list.length, 200); k++) panel.appendChild(hopBox(list[k], n));
    if (list.length > 200) panel.appendChild(el("div", "… +" + (list.length - 200)));
    schedule();
  }
  function hopBox(e, from) {
    var ed = E[e], det = ed[5], box = el("div", null, "hop");
    var other = ed[0] === from ? ed[1] : ed[0];
    var head = el("div");
    head.appendChild(el("b", D.edgeKindLabels[ed[2]] + (ed[0] === from ? " → " : " ← ")));
    var link = el("button", str(N[other][1]), "link");
    link.type = "button";
    link.addEventListener("click", function () { select(other); centreOn(other); });
    head.appendChild(link);
    box.appendChild(head);
    var methods = [];
    for (var k = 0; k < ed[3].length; k++) methods.push(D.methods[ed[3][k]]);
    fact(box, "方法 method", methods.join("・"));
    fact(box, "その他", str(det[7]));
    fact(box, "法令上の根拠 legal basis", str(det[0]));
    var laws = [];
    for (k = 0; k < det[8].length; k++) laws.push(str(det[8][k]));
    fact(box, "法令 laws", laws.join("・"));
    fact(box, "時期・頻度 timing", str(det[1]));
    fact(box, "用途 purpose", str(det[2]));
    fact(box, "情報 information", str(det[3]));
    fact(box, "委託事項 entrustment", str(det[4]));
    fact(box, "委託内容 content", str(det[5]));
    fact(box, "再委託事項", str(det[6]));
    var asm = D.assessments[ed[4]];
    fact(box, "評価書 assessment", str(asm[0]) + " — " + str(asm[3]));
    fact(box, "事務 business", str(asm[4]));
    sourcesList(box, det[10]);
    return box;
  }

  // --- search ---------------------------------------------------------------------------------
  function search(query) {
    var q = norm(query || "");
    matchSet = {};
    var found = [];
    if (q) {
      for (var n = 0; n < N.length; n++) {
        if (searchText(n).indexOf(q) >= 0) { matchSet[n] = true; found.push(n); }
      }
    }
    status.matches = found.map(function (n) { return str(N[n][1]); });
    document.getElementById("search-count").textContent = q ? found.length + " 件" : "";
    if (found.length) { select(found[0]); centreOn(found[0], 1.2); } else schedule();
    return found.length;
  }
  var box = document.getElementById("search");
  box.addEventListener("keydown", function (ev) { if (ev.key === "Enter") search(box.value); });
  document.getElementById("search-go").addEventListener("click", function () { search(box.value); });
  document.getElementById("fit").addEventListener("click", fit);

  // --- filter controls ------------------------------------------------------------------------
  var filters = document.getElementById("filters");
  function section(title, labels, colours, hidden, counts, lineSwatch, name) {
    filters.appendChild(el("h3", title));
    for (var k = 0; k < labels.length; k++) {
      if (!counts[k]) continue;
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.checked = true;
      box.dataset.filter = name;
      box.dataset.value = labels[k];
      box.addEventListener("change", (function (index, input) {
        return function () { hidden[index] = !input.checked; rebuild(); };
      })(k, box));
      var sw = el("span", null, "swatch" + (lineSwatch ? " line" : ""));
      sw.style.background = colours[k];
      label.appendChild(box);
      label.appendChild(sw);
      label.appendChild(el("span", labels[k]));
      label.appendChild(el("span", counts[k], "count"));
      filters.appendChild(label);
    }
  }
  var kindCounts = D.kinds.map(function () { return 0; });
  for (i = 0; i < N.length; i++) kindCounts[N[i][0]]++;
  var edgeKindCounts = D.edgeKinds.map(function () { return 0; });
  var methodCounts = D.methods.map(function () { return 0; });
  for (j = 0; j < E.length; j++) {
    edgeKindCounts[E[j][2]]++;
    for (var k2 = 0; k2 < E[j][3].length; k2++) methodCounts[E[j][3][k2]]++;
  }
  var kindNames = D.kinds.map(function (k, n) { return D.kindLabels[n] + " " + k; });
  var edgeKindNames = D.edgeKinds.map(function (k, n) { return D.edgeKindLabels[n] + " " + k; });
  section("ノード / node kinds", kindNames, D.kindColours, hiddenKind, kindCounts, false, "kind");
  section("辺 / edge kinds", edgeKindNames, D.edgeKindColours, hiddenEdgeKind, edgeKindCounts, true, "edge-kind");
  section("提供・移転方法 / methods", D.methods, D.methodColours, hiddenMethod, methodCounts, true, "method");
  if (D.filters) filters.appendChild(el("p", "filters: " + D.filters, "src"));

  function setHidden(table, names, name, on) {
    var index = names.indexOf(name);
    if (index < 0) return false;
    table[index] = !on;
    var boxes = filters.querySelectorAll("input[type=checkbox]");
    for (var k = 0; k < boxes.length; k++) {
      if (boxes[k].dataset.value === name || boxes[k].dataset.value === (names === D.kinds ? kindNames[index] : name)) {
        boxes[k].checked = on;
      }
    }
    rebuild();
    return true;
  }
  status.search = search;
  status.select = function (iri) {
    for (var n = 0; n < N.length; n++) if (str(N[n][7]) === iri) { select(n); centreOn(n); return true; }
    return false;
  };
  status.setMethod = function (name, on) { return setHidden(hiddenMethod, D.methods, name, on); };
  status.setKind = function (name, on) { return setHidden(hiddenKind, D.kinds, name, on); };
  status.screenOf = function (iri) {  // where a node is drawn, in canvas CSS pixels
    for (var n = 0; n < N.length; n++) {
      if (str(N[n][7]) === iri) return [N[n][2] * scale + tx, N[n][3] * scale + ty];
    }
    return null;
  };
  status.fit = fit;
  status.zoom = function (factor) { zoomAt(view.clientWidth / 2, view.clientHeight / 2, factor); };
  status.redraw = draw;

  document.getElementById("title").textContent = D.title;
  document.title = D.title;
  window.addEventListener("resize", resize);
  resize();
  fit();
  rebuild();
})();
