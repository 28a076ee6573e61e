// sellscope web page: upload -> async task -> report JSON -> server-rendered HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const FIELDS = ["language", "product_name", "category", "price", "currency", "views", "creator_id",
                "creator_followers"];
const POLL_MS = 1000;
let config = { auth_required: false, max_upload_mb: 100, max_duration_s: 300, categories: [] };
let chosen = null;
let downloadUrl = null;

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function headers(extra = {}) {
  const h = { ...extra };
  const token = $("token").value.trim();
  if (token) h["Authorization"] = "Bearer " + token;
  return h;
}

// Every server error is {"error": code, "detail": message}.
async function errorOf(response) {
  try {
    const body = await response.json();
    return body.detail || body.error || `HTTP ${response.status}`;
  } catch (e) {
    return `HTTP ${response.status}`;
  }
}

function choose(file) {
  chosen = file || null;
  if (!chosen) return;
  const mb = chosen.size / (1024 * 1024);
  $("picked").innerHTML = "";
  const b = document.createElement("b");
  b.textContent = chosen.name;
  $("picked").append(b, ` (${mb.toFixed(1)} MB)`);
  const tooBig = mb > config.max_upload_mb;
  setStatus(tooBig ? `The file is over the ${config.max_upload_mb} MB limit.` : "", tooBig);
  $("go").disabled = tooBig;
}

// XMLHttpRequest, not fetch: only it reports upload progress.
function upload(url, form) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    for (const [k, v] of Object.entries(headers())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) {
        $("progress").value = Math.round((100 * e.loaded) / e.total);
        setStatus(`Uploading ${Math.round((100 * e.loaded) / e.total)}%`);
      }
    };
    xhr.onload = () => resolve(new Response(xhr.responseText, { status: xhr.status }));
    xhr.onerror = () => reject(new Error("the upload failed (network error)"));
    xhr.send(form);
  });
}

async function waitFor(taskId) {
  const started = Date.now();
  for (;;) {
    const r = await fetch(`/score_async/status?task_id=${encodeURIComponent(taskId)}`, { headers: headers() });
    if (!r.ok) throw new Error(await errorOf(r));
    const s = await r.json();
    if (s.status !== "in_progress" && s.status !== "pending") return s.status;
    setStatus(`Scoring ... ${Math.round((Date.now() - started) / 1000)} s`);
    await new Promise((ok) => setTimeout(ok, POLL_MS));
  }
}

function summary(report) {
  const s = report.scores;
  const items = [
    ["Hook", `${Math.round(s.hook.score)}/100`, "hook-score"],
    ["Selling points", `${Math.round(s.selling_points.score)}/100`, "selling-score"],
    ["Seed / sell", `${Math.round(100 * s.seed_sell.seed_share)}% / ${Math.round(100 * s.seed_sell.sell_share)}%`, "seed-sell"],
  ];
  if (report.prediction) items.push(["Predicted conversion", `${(100 * report.prediction.cvr).toFixed(2)}%`, "cvr"]);
  items.push(["Problems found", String(report.diagnosis.length), "problems"]);
  $("summary").innerHTML = "";
  for (const [name, value, id] of items) {
    const span = document.createElement("span");
    const b = document.createElement("b");
    b.id = id;
    b.textContent = value;
    span.append(`${name}: `, b);
    $("summary").append(span);
  }
}

async function show(report) {
  const r = await fetch("/render_html", {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify({ report }),
  });
  if (!r.ok) throw new Error(await errorOf(r));
  summary(report);
  $("report").srcdoc = await r.text();
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = URL.createObjectURL(new Blob([JSON.stringify(report, null, 2)], { type: "application/json" }));
  $("download").href = downloadUrl;
  const base = (report.video.file_name || "video").replace(/\.[^.]*$/, "");
  $("download").download = `${base}.report.json`;
  $("result").hidden = false;
}

async function score(event) {
  event.preventDefault();
  if (!chosen) return;
  $("go").disabled = true;
  $("result").hidden = true;
  $("progress").hidden = false;
  $("progress").value = 0;
  try {
    const form = new FormData();
    form.append("video", chosen, chosen.name);
    for (const f of FIELDS) {
      const v = $(f).value.trim();
      if (v) form.append(f, v);
    }
    // sellers read the creator page's rate in percent; the API takes a fraction
    const cvr = $("creator_cvr_percent").value.trim();
    if (cvr) form.append("creator_cvr", String(Number(cvr) / 100));
    const submitted = await upload("/score_async/submit", form);
    if (!submitted.ok) throw new Error(await errorOf(submitted));
    const { task_id } = await submitted.json();
    $("progress").removeAttribute("value");  // indeterminate while the server works
    const state = await waitFor(task_id);
    const r = await fetch(`/score_async/get?task_id=${encodeURIComponent(task_id)}`, { headers: headers() });
    if (!r.ok || state !== "completed") throw new Error(await errorOf(r));
    setStatus("Rendering the report ...");
    await show(await r.json());
    setStatus("Done.");
  } catch (e) {
    setStatus(e.message || String(e), true);
  } finally {
    $("progress").hidden = true;
    $("go").disabled = !chosen;
  }
}

async function init() {
  try {
    const r = await fetch("/ui/config");
    if (r.ok) config = await r.json();
  } catch (e) {
    /* keep the defaults */
  }
  $("token-field").hidden = !config.auth_required;
  // the categories the model knows, then "other" (predicted as if not given)
  for (const c of [...config.categories, "other"]) {
    const o = document.createElement("option");
    o.value = o.textContent = c;
    $("category").append(o);
  }
  $("limits").textContent = `up to ${config.max_upload_mb} MB and ${Math.round(config.max_duration_s)} s`;
  const drop = $("drop");
  drop.addEventListener("click", () => $("file").click());
  drop.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") $("file").click();
  });
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    choose(e.dataTransfer.files[0]);
  });
  $("file").addEventListener("change", () => choose($("file").files[0]));
  $("form").addEventListener("submit", score);
}

init();
