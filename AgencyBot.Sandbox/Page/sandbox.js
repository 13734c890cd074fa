// The sandbox page: three Telegram-like chats fed by the server's event stream. No build step, no framework.
"use strict";

const staffChat = -1001000000001;
const panes = {
  client: document.getElementById("client"),
  staff: document.getElementById("staff"),
  manager: document.getElementById("manager"),
};
const entries = [];            // every timeline entry, in order
const byMessage = new Map();   // "chat:messageId:bot" -> the entry's element (for edits)
let selectedThread = null;     // the staff pane's topic (null: General)
let skipped = 0;
let lastStep = ""; // what the last skip reached

function paneOf(chatId) {
  if (chatId === staffChat) return panes.staff;
  if (String(chatId) === panes.client.dataset.chat) return panes.client;
  if (String(chatId) === panes.manager.dataset.chat) return panes.manager;
  return null;
}

// Telegram's HTML subset; anything else is shown as text.
const allowed = new Set(["B", "STRONG", "I", "EM", "U", "INS", "S", "STRIKE", "DEL", "CODE", "PRE", "A", "BLOCKQUOTE", "TG-SPOILER", "SPAN", "BR"]);
function sanitize(node) {
  for (const child of [...node.childNodes]) {
    if (child.nodeType === Node.ELEMENT_NODE) {
      if (!allowed.has(child.tagName)) { child.replaceWith(document.createTextNode(child.textContent)); continue; }
      for (const attr of [...child.attributes]) if (!(child.tagName === "A" && attr.name === "href" && /^(https?:|tg:)/.test(attr.value))) child.removeAttribute(attr.name);
      if (child.tagName === "A") { child.target = "_blank"; child.rel = "noopener"; }
      sanitize(child);
    }
  }
  return node;
}

function body(entry) {
  const div = document.createElement("div");
  div.className = "text";
  if ((entry.parseMode || "").toUpperCase() === "HTML") {
    const parsed = new DOMParser().parseFromString(`<div>${entry.text ?? ""}</div>`, "text/html").body.firstChild;
    div.append(...sanitize(parsed).childNodes);
  } else {
    div.textContent = entry.text ?? "";
  }
  return div;
}

function keyboard(entry, pane) {
  const board = document.createElement("div");
  board.className = "keyboard";
  for (const row of entry.keyboard ?? []) {
    const line = document.createElement("div");
    line.className = "row";
    for (const key of row) {
      if (key.url) {
        const link = document.createElement("a");
        link.href = key.url; link.textContent = key.text; link.target = "_blank"; link.rel = "noopener";
        line.append(link);
        continue;
      }
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = key.text;
      button.addEventListener("click", () => press(pane, entry, key.callback_data));
      line.append(button);
    }
    board.append(line);
  }
  return board;
}

function render(entry, pane) {
  const me = !entry.fromBot && String(idOfName(entry.from)) === String(actingAs(pane));
  const el = document.createElement("div");
  el.className = "msg" + (entry.fromBot ? " bot" : "") + (me ? " mine" : "");
  el.dataset.seq = entry.seq;
  const who = document.createElement("div");
  who.className = "who";
  who.textContent = entry.from;
  el.append(who);
  if (entry.photo) {
    const img = document.createElement("img");
    img.alt = entry.fromBot ? "photo from the bot" : "photo";
    // The bot's uploads (the digest chart) come from the emulator; a person's photo is the sandbox's sample picture.
    img.src = entry.photo === "upload" ? `/sandbox/api/photos/${entry.seq}` : "/sandbox/sample-photo.svg";
    // The picture makes the message taller once it has loaded: keep the chat scrolled to its end.
    img.addEventListener("load", () => { const list = pane.querySelector(".messages"); list.scrollTop = list.scrollHeight; });
    el.append(img);
  }
  el.append(body(entry));
  if (entry.keyboard) el.append(keyboard(entry, pane));
  // In the staff group, a 👍 (on it) or 👌 (no answer needed) on what the bot relayed, as in Telegram.
  if (pane === panes.staff && entry.fromBot) {
    const bar = document.createElement("div");
    bar.className = "reactions";
    for (const emoji of ["👍", "👌"]) {
      const button = document.createElement("button");
      button.type = "button"; button.className = "react"; button.textContent = emoji;
      button.title = emoji === "👍" ? "React 👍: you are on it" : "React 👌: no answer needed";
      button.addEventListener("click", () => post("/sandbox/api/reactions",
        { as: Number(actingAs(pane)), chat: staffChat, messageId: entry.messageId, emoji }, pane));
      bar.append(button);
    }
    el.append(bar);
  }
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent = new Date(entry.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  el.append(meta);
  return el;
}

const names = { Anna: 7001, Marie: 9001, "Léa": 9002, Paul: 9003 };
function idOfName(name) { return names[name] ?? ""; }
function actingAs(pane) { return pane === panes.staff ? pane.querySelector("select[name=as]").value : pane.dataset.as; }

function visible(entry, pane) {
  return pane !== panes.staff || (entry.threadId ?? null) === selectedThread;
}

function show(entry) {
  const pane = paneOf(entry.chatId);
  if (!pane) return;
  if (entry.kind === "Topic") { addTopic(entry.threadId, entry.text); return; }
  if (entry.kind === "Popup") { popup(pane, entry); return; }
  if (entry.kind === "Reaction") { react(entry); return; }
  const key = `${entry.chatId}:${entry.messageId}:${entry.fromBot}`;
  if (entry.kind === "Edit") {
    const old = byMessage.get(key);
    if (old) {
      const replacement = render(entry, pane);
      replacement.querySelector(".meta").textContent += " · edited";
      old.replaceWith(replacement);
      byMessage.set(key, replacement);
    }
    return;
  }
  if (!visible(entry, pane)) return;
  const el = render(entry, pane);
  byMessage.set(key, el);
  const list = pane.querySelector(".messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(el);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

// What Telegram's apps show over the chat after a button press (the bot's answer to it), for a few seconds.
function popup(pane, entry) {
  // The feed replays everything when the page loads: an old pop-up is long gone.
  if (Date.now() + skipped * 60000 - Date.parse(entry.at) > 10000) return;
  const note = document.createElement("div");
  note.className = "popup";
  note.setAttribute("role", "status");
  note.textContent = entry.text;
  pane.append(note);
  setTimeout(() => note.remove(), 6000);
}

// A reaction shows on the message it was put on (the bot's 👀 and 👌 on the client's, staff's on relays).
function react(entry) {
  for (const fromBot of [false, true]) {
    const el = byMessage.get(`${entry.chatId}:${entry.messageId}:${fromBot}`);
    if (!el) continue;
    let badge = el.querySelector(".reacted");
    if (!badge) { badge = document.createElement("span"); badge.className = "reacted"; el.querySelector(".meta").prepend(badge); }
    badge.textContent = entry.text + " ";
  }
}

function addTopic(threadId, name) {
  const nav = panes.staff.querySelector(".topics");
  if (nav.querySelector(`[data-thread="${threadId}"]`)) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "topic";
  button.dataset.thread = threadId;
  button.textContent = name;
  button.addEventListener("click", () => selectTopic(threadId));
  nav.append(button);
  if (selectedThread === null) selectTopic(threadId); // the first project topic is what there is to see
}

function selectTopic(threadId) {
  selectedThread = threadId;
  for (const b of panes.staff.querySelectorAll(".topic")) b.classList.toggle("selected", (b.dataset.thread === "" ? null : Number(b.dataset.thread)) === threadId);
  const list = panes.staff.querySelector(".messages");
  list.replaceChildren();
  for (const entry of entries) if (entry.chatId === staffChat && entry.kind !== "Topic") show(entry);
  list.scrollTop = list.scrollHeight;
}
panes.staff.querySelector('.topic[data-thread=""]').addEventListener("click", () => selectTopic(null));

async function post(url, payload, pane) {
  const error = pane?.querySelector(".error");
  if (error) error.textContent = "";
  const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    if (error) error.textContent = problem.detail ?? problem.title ?? `The sandbox answered ${response.status}`;
    return null;
  }
  return response.json();
}

function chatOf(pane) { return pane === panes.staff ? staffChat : Number(pane.dataset.chat); }

async function press(pane, entry, data) {
  await post("/sandbox/api/presses", { as: Number(actingAs(pane)), chat: chatOf(pane), messageId: entry.messageId, data }, pane);
}

for (const pane of Object.values(panes)) {
  pane.querySelector("button.photo")?.addEventListener("click", async () => {
    const input = pane.querySelector("input[name=text]");
    const sent = await post("/sandbox/api/photos",
      { as: Number(actingAs(pane)), chat: chatOf(pane), threadId: pane === panes.staff ? selectedThread : null, text: input.value }, pane);
    if (sent) input.value = "";
  });
  pane.querySelector("form").addEventListener("submit", async event => {
    event.preventDefault();
    const input = pane.querySelector("input[name=text]");
    const text = input.value;
    const sent = await post("/sandbox/api/messages",
      { as: Number(actingAs(pane)), chat: chatOf(pane), threadId: pane === panes.staff ? selectedThread : null, text }, pane);
    if (sent) input.value = "";
  });
}

function tick() {
  const now = new Date(Date.now() + skipped * 60000);
  document.getElementById("clock").textContent = now.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  document.getElementById("skipped").textContent = skipped ? `(+${skipped} min${lastStep ? `; ${lastStep}` : ""})` : "";
}

document.getElementById("skip").addEventListener("click", async () => {
  const state = await post("/sandbox/api/skip", {}, null);
  if (state) { skipped = state.skipped; lastStep = state.step ?? ""; tick(); }
});

fetch("/sandbox/api/state").then(r => r.json()).then(state => { skipped = state.skipped; tick(); });
setInterval(tick, 1000);

const events = new EventSource("/sandbox/api/events");
events.onmessage = message => {
  const entry = JSON.parse(message.data);
  entries.push(entry);
  show(entry);
};
