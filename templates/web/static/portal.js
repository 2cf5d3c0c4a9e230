// dgops portal: autosave, immediate show/hide and numbering, and drafts kept in the browser.
// The pages work without this file: the server evaluates show-if on every load and save, and
// "บันทึกร่าง" saves without it. Changed answers are kept in localStorage (per user and
// pillar) until the server confirms them, so an expired session or a lost connection loses
// nothing: after signing in again the page puts them back and saves them.
(function () {
  "use strict";
  var form = document.getElementById("answers");
  if (!form || !form.dataset.autosave) { return; }
  var url = form.dataset.autosave;
  var csrfInput = form.querySelector("input[name=csrf_token]");
  var csrf = csrfInput ? csrfInput.value : "";
  var statusEl = document.getElementById("autosave-status");
  var outsideEl = document.getElementById("outside-answers");
  var outside = {};
  try { outside = outsideEl ? JSON.parse(outsideEl.textContent || "{}") : {}; } catch (e) { outside = {}; }
  var blocks = Array.prototype.slice.call(form.querySelectorAll("fieldset.q[data-qid]"));
  var byId = {};
  blocks.forEach(function (b) { byId[b.dataset.qid] = b; });
  var dirty = {};
  var timer = null;
  var inFlight = false;
  var editable = !form.querySelector("fieldset.plain[disabled]");
  var draftKey = form.dataset.draft ? "dgops-draft:" + form.dataset.draft : "";
  var loginUrl = form.dataset.login || "/login";

  function say(text) { if (statusEl) { statusEl.textContent = text; } }

  function sayLogin() {
    if (!statusEl) { return; }
    statusEl.textContent = "หมดเวลาการใช้งาน คำตอบที่ยังไม่ได้บันทึกเก็บไว้ในเครื่องนี้แล้ว ";
    var a = document.createElement("a");
    a.href = loginUrl;
    a.id = "relogin";
    a.textContent = "เข้าสู่ระบบอีกครั้งเพื่อบันทึก";
    statusEl.appendChild(a);
  }

  // -- drafts kept in this browser until the server has them ---------------------------------
  function readDrafts() {
    if (!draftKey) { return {}; }
    try { return JSON.parse(window.localStorage.getItem(draftKey) || "{}") || {}; } catch (e) { return {}; }
  }
  function writeDrafts(drafts) {
    if (!draftKey) { return; }
    try {
      if (Object.keys(drafts).length) { window.localStorage.setItem(draftKey, JSON.stringify(drafts)); }
      else { window.localStorage.removeItem(draftKey); }
    } catch (e) { /* storage full or disabled: autosave still works */ }
  }
  function fieldValues(b) {
    var qid = b.dataset.qid, type = b.dataset.type;
    if (type === "multiple_choice") {
      var picked = [];
      b.querySelectorAll("input[type=checkbox][name='" + qid + "']:checked").forEach(function (i) { picked.push(i.value); });
      return picked;
    }
    if (type === "single_choice" || type === "yes_no") {
      var r = b.querySelector("input[type=radio][name='" + qid + "']:checked");
      return [r ? r.value : ""];
    }
    var el = b.querySelector("[name='" + qid + "']");
    return [el ? el.value : ""];
  }
  function setFieldValues(b, values) {
    var qid = b.dataset.qid, type = b.dataset.type;
    if (type === "multiple_choice" || type === "single_choice" || type === "yes_no") {
      b.querySelectorAll("input[name='" + qid + "']").forEach(function (i) { i.checked = values.indexOf(i.value) >= 0; });
    } else {
      var el = b.querySelector("[name='" + qid + "']");
      if (el) { el.value = values[0] || ""; }
    }
  }
  function keepDraft(qid) {
    var b = byId[qid];
    if (!b || b.dataset.type === "evidence") { return; }
    var drafts = readDrafts();
    drafts[qid] = fieldValues(b);
    writeDrafts(drafts);
  }
  function forgetDrafts(ids, sent) {
    // Only what the server has: a field changed again since it was sent stays a draft.
    var drafts = readDrafts();
    ids.forEach(function (qid) {
      if (drafts[qid] && JSON.stringify(drafts[qid]) === JSON.stringify(sent[qid])) { delete drafts[qid]; }
    });
    writeDrafts(drafts);
  }
  function restoreDrafts() {
    var drafts = readDrafts();
    var restored = 0;
    Object.keys(drafts).forEach(function (qid) {
      var b = byId[qid];
      if (!b) { delete drafts[qid]; return; }
      if (JSON.stringify(fieldValues(b)) === JSON.stringify(drafts[qid])) {
        // The server's page already shows this value (saved, or refused with its reason).
        delete drafts[qid];
        return;
      }
      setFieldValues(b, drafts[qid]);
      restored += 1;
      dirty[qid] = true;
    });
    writeDrafts(drafts);
    return restored;
  }

  // -- numbering over the questions shown --------------------------------------------------
  function renumber() {
    form.querySelectorAll("section.sub[data-numbase]").forEach(function (sec) {
      var n = 0;
      sec.querySelectorAll("fieldset.q[data-qid]").forEach(function (b) {
        var num = b.querySelector(".qnum");
        if (!num) { return; }
        if (b.hidden) { num.textContent = ""; return; }
        n += 1;
        num.textContent = sec.dataset.numbase + "." + n;
      });
    });
  }

  var THAI = "๐๑๒๓๔๕๖๗๘๙";
  function toNumber(raw) {
    if (typeof raw === "number") { return raw; }
    if (typeof raw !== "string") { return null; }
    var s = raw.replace(/[๐-๙]/g, function (d) { return String(THAI.indexOf(d)); })
      .replace(/,/g, "").replace(/%$/, "").trim();
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s)) { return null; }
    return parseFloat(s);
  }

  function valueOf(block) {
    var type = block.dataset.type;
    var qid = block.dataset.qid;
    if (type === "multiple_choice") {
      var picked = [];
      block.querySelectorAll("input[type=checkbox][name='" + qid + "']:checked").forEach(function (i) { picked.push(i.value); });
      return picked.length ? picked : null;
    }
    if (type === "single_choice" || type === "yes_no") {
      var r = block.querySelector("input[type=radio][name='" + qid + "']:checked");
      return r && r.value ? r.value : null;
    }
    if (type === "evidence") {
      return block.querySelector(".files li") ? "file" : null;
    }
    var el = block.querySelector("[name='" + qid + "']");
    if (!el || !el.value.trim()) { return null; }
    if (type === "number" || type === "percentage") {
      var n = toNumber(el.value);
      return n === null ? el.value : n;
    }
    return el.value;
  }

  function empty(v) {
    return v === null || v === undefined || (typeof v === "string" && !v.trim()) || (Array.isArray(v) && v.length === 0);
  }

  function holds(cond, answers) {
    if (cond.all) { return cond.all.every(function (c) { return holds(c, answers); }); }
    if (cond.any) { return cond.any.some(function (c) { return holds(c, answers); }); }
    var v = answers[cond.question];
    if ("not_empty" in cond) { return !empty(v) === !!cond.not_empty; }
    if (v === null || v === undefined) { return false; }
    if ("equals" in cond) {
      if (typeof cond.equals === "number") { return toNumber(v) === cond.equals; }
      return v === cond.equals;
    }
    if ("in" in cond) { return cond["in"].indexOf(v) >= 0; }
    if ("any_selected" in cond) {
      var sel = Array.isArray(v) ? v : [v];
      return sel.some(function (s) { return cond.any_selected.indexOf(s) >= 0; });
    }
    var n = toNumber(v);
    if (n === null) { return false; }
    if ("gt" in cond) { return n > cond.gt; }
    if ("gte" in cond) { return n >= cond.gte; }
    if ("lt" in cond) { return n < cond.lt; }
    if ("lte" in cond) { return n <= cond.lte; }
    return false;
  }

  function applyShowIf() {
    var effective = {};
    Object.keys(outside).forEach(function (k) { effective[k] = outside[k]; });
    blocks.forEach(function (b) {
      var visible = true;
      if (b.dataset.showIf) {
        try { visible = holds(JSON.parse(b.dataset.showIf), effective); } catch (e) { visible = true; }
      }
      b.hidden = !visible;
      effective[b.dataset.qid] = visible ? valueOf(b) : null;
    });
    renumber();
  }

  function applyServer(data) {
    if (data.shown) {
      Object.keys(data.shown).forEach(function (qid) { if (byId[qid]) { byId[qid].hidden = !data.shown[qid]; } });
      renumber();
    }
    if (data.progress) {
      var bar = document.getElementById("progress-all");
      if (bar) { bar.max = data.progress.required || 1; bar.value = data.progress.answered; }
      var text = document.getElementById("progress-text");
      if (text) {
        var t = "ตอบแล้ว " + data.progress.answered + " จาก " + data.progress.required + " ข้อที่ต้องตอบ";
        if (data.progress.evidence_missing.length) { t += " · ขาดหลักฐาน " + data.progress.evidence_missing.length + " ข้อ"; }
        text.textContent = t;
      }
      var missing = {};
      data.progress.missing.concat(data.progress.evidence_missing).forEach(function (q) { missing[q] = true; });
      blocks.forEach(function (b) { b.classList.toggle("is-missing", !!missing[b.dataset.qid]); });
    }
    blocks.forEach(function (b) {
      var qid = b.dataset.qid;
      var old = b.querySelector(".js-error");
      var msg = data.errors ? data.errors[qid] : null;
      if (msg) {
        if (!old) {
          old = document.createElement("p");
          old.className = "error js-error";
          old.setAttribute("role", "alert");
          b.querySelector("legend").insertAdjacentElement("afterend", old);
        }
        old.textContent = msg;
        b.classList.add("has-error");
      } else if (old && (data.saved || []).concat(data.cleared || []).indexOf(qid) >= 0) {
        old.remove();
        b.classList.remove("has-error");
      }
    });
  }

  function payload(ids) {
    var body = new URLSearchParams();
    body.append("csrf_token", csrf);
    ids.forEach(function (qid) {
      var b = byId[qid];
      if (!b) { return; }
      body.append("_q", qid);
      var type = b.dataset.type;
      if (type === "multiple_choice") {
        b.querySelectorAll("input[type=checkbox][name='" + qid + "']:checked").forEach(function (i) { body.append(qid, i.value); });
      } else if (type === "single_choice" || type === "yes_no") {
        var r = b.querySelector("input[type=radio][name='" + qid + "']:checked");
        body.append(qid, r ? r.value : "");
      } else {
        var el = b.querySelector("[name='" + qid + "']");
        body.append(qid, el ? el.value : "");
      }
    });
    return body;
  }

  function flush(keepalive) {
    var ids = Object.keys(dirty);
    if (!ids.length || inFlight) { return; }
    dirty = {};
    inFlight = true;
    var sent = {};
    ids.forEach(function (qid) { if (byId[qid]) { sent[qid] = fieldValues(byId[qid]); } });
    say("กำลังบันทึก…");
    fetch(url, {
      method: "POST", body: payload(ids), credentials: "same-origin", keepalive: !!keepalive,
      headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }
    }).then(function (res) {
      if (res.status === 401) { inFlight = false; sayLogin(); return null; }
      if (res.status === 403) { inFlight = false; say("แบบฟอร์มหมดอายุ คำตอบที่ยังไม่ได้บันทึกเก็บไว้ในเครื่องนี้แล้ว กรุณาโหลดหน้านี้ใหม่"); return null; }
      if (res.status === 409) {
        inFlight = false;
        return res.json().then(function (d) { say(d.message || "แบบสำรวจถูกส่งแล้ว แก้ไขไม่ได้"); return null; });
      }
      return res.json();
    }).then(function (data) {
      inFlight = false;
      if (!data) { return; }
      applyServer(data);
      forgetDrafts((data.saved || []).concat(data.cleared || []), sent);
      say(data.ok ? "บันทึกร่างอัตโนมัติแล้ว " + data.saved_at + " น." : (data.message || "บันทึกแล้วบางส่วน — มีข้อที่ต้องแก้ไข"));
      if (Object.keys(dirty).length) { schedule(600); }
    }).catch(function () {
      inFlight = false;
      ids.forEach(function (q) { dirty[q] = true; });
      say("ยังบันทึกไม่ได้ (การเชื่อมต่อขัดข้อง) คำตอบเก็บไว้ในเครื่องนี้แล้ว ระบบจะลองใหม่อัตโนมัติ");
      schedule(5000);
    });
  }

  function schedule(ms) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { timer = null; flush(false); }, ms);
  }

  function onChange(ev) {
    var b = ev.target.closest("fieldset.q[data-qid]");
    if (!b) { return; }
    if (ev.target.type === "file") {
      if (ev.type === "change" && ev.target.files && ev.target.files.length) {
        say("กำลังอัปโหลดไฟล์…");
        var stay = form.querySelector("button[name=go][value=stay]");
        if (form.requestSubmit) { form.requestSubmit(stay || undefined); } else { form.submit(); }
      }
      return;
    }
    dirty[b.dataset.qid] = true;
    keepDraft(b.dataset.qid);
    applyShowIf();
    var isText = ev.target.tagName === "TEXTAREA" || ev.target.type === "text";
    schedule(isText && ev.type === "input" ? 1200 : 250);
  }

  if (editable) {
    var restored = restoreDrafts();
    if (Object.keys(dirty).length) {
      say("นำคำตอบที่ยังไม่ได้บันทึก " + restored + " ข้อกลับมาจากเครื่องนี้ กำลังบันทึก…");
      applyShowIf();
      schedule(50);
    }
    form.addEventListener("change", onChange);
    form.addEventListener("input", onChange);
    // The form's own save posts every field: drafts stay until a page from the server shows
    // them (equal to its fields: forgotten when that page loads).
    form.addEventListener("submit", function () {
      blocks.forEach(function (b) { if (dirty[b.dataset.qid]) { keepDraft(b.dataset.qid); } });
      dirty = {}; if (timer) { clearTimeout(timer); }
    });
    window.addEventListener("pagehide", function () { flush(true); });
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { flush(true); } });
  }
  applyShowIf();
})();
