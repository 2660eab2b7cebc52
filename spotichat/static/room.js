// SpotiChat's room page: joins the room (a POST, as the page's Join button does), long-polls the room's
// messages, posts new ones, keeps the listeners and times fresh.
// Text is always put in as text (textContent), never as HTML. After an error it retries with growing,
// jittered delays, keeping its cursor, so that no message is skipped or shown twice across reconnects.
"use strict";

(() => {
  const room = document.getElementById("room");
  if (!room) return;
  const track = room.dataset.track;
  const me = room.dataset.me;
  const api = `/api/rooms/${encodeURIComponent(track)}`;
  const list = document.getElementById("messages");
  const empty = document.getElementById("empty");
  const form = document.getElementById("say");
  const input = document.getElementById("f-text");
  const formError = document.getElementById("e-text");
  const status = document.getElementById("status");
  const csrf = form.querySelector("input[name=_csrf]").value;
  const seen = new Set(Array.from(list.children, (item) => item.dataset.id));
  let cursor = room.dataset.cursor;
  let failures = 0;

  function ago(ts) {
    const seconds = Math.max(0, Math.floor((Date.now() - ts) / 1000));
    const plural = (n, unit) => `${n} ${unit}${n === 1 ? "" : "s"} ago`;
    if (seconds < 45) return "just now";
    const minutes = Math.floor((seconds + 30) / 60);
    if (minutes < 60) return plural(Math.max(1, minutes), "minute");
    const hours = Math.floor((seconds + 1800) / 3600);
    if (hours < 24) return plural(hours, "hour");
    const days = Math.floor((seconds + 43200) / 86400);
    return days === 1 ? "yesterday" : plural(days, "day");
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function line(message) {
    const kind = message.type === "message" ? "message" : message.type === "left" ? "left" : "joined";
    const item = element("li", `msg msg-${kind}${kind === "message" && message.user === me ? " mine" : ""}`);
    item.dataset.id = message.id;
    const time = element("time", "", ago(message.ts));
    time.dateTime = new Date(message.ts).toISOString();
    time.dataset.ts = String(message.ts);
    if (message.type === "message") {
      item.append(element("span", "author", message.user), " ", time, element("p", "text", message.text));
    } else {
      item.append(element("span", "note", message.text), " ", time);
    }
    return item;
  }

  function show(messages) {
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    let presenceChanged = false;
    for (const message of messages) {
      if (seen.has(message.id)) continue;
      seen.add(message.id);
      list.append(line(message));
      presenceChanged = presenceChanged || message.type !== "message";
    }
    empty.hidden = list.children.length > 0;
    if (atBottom || messages.length) list.scrollTop = list.scrollHeight;
    if (presenceChanged) refreshListeners();
  }

  function say(text) {
    status.textContent = text;
  }

  async function poll() {
    try {
      const response = await fetch(`${api}/messages?cursor=${encodeURIComponent(cursor)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.status === 401) {
        say("You were signed out. Log in again to keep chatting.");
        return;
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const page = await response.json();
      if (page.reset) {
        list.replaceChildren();
        seen.clear();
        say("Some older messages are no longer kept; showing the oldest there are.");
      } else if (failures) {
        say("");
      }
      failures = 0;
      show(page.messages);
      cursor = page.cursor;
      setTimeout(poll, 0);
    } catch (error) {
      failures += 1;
      const ceiling = Math.min(30000, 500 * 2 ** Math.min(failures - 1, 6));
      const delay = ceiling / 2 + Math.random() * (ceiling / 2);
      say(`Connection lost; trying again in ${Math.ceil(delay / 1000)} s.`);
      setTimeout(poll, delay);
    }
  }

  async function join() {
    try {
      const response = await fetch(`${api}/join`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
      });
      if (!response.ok) return;
      const button = document.getElementById("join");
      if (button) button.remove();
      refreshListeners();
    } catch (error) {
      // the Join button stays: the person can join with it
    }
  }

  async function refreshListeners() {
    try {
      const response = await fetch(`${api}/listeners`, { credentials: "same-origin" });
      if (!response.ok) return;
      const body = await response.json();
      const names = document.getElementById("listeners");
      names.replaceChildren(...body.listeners.map((name) => element("li", "", name)));
      document.getElementById("count").textContent = String(body.count);
    } catch (error) {
      // the next poll's news or the next refresh tries again
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value;
    formError.textContent = "";
    input.removeAttribute("aria-invalid");
    try {
      const response = await fetch(`${api}/messages`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
        body: JSON.stringify({ text }),
      });
      if (response.status === 201) {
        input.value = "";
        return;
      }
      const body = await response.json().catch(() => ({}));
      formError.textContent = (body.error && body.error.message) || `The message was not sent (HTTP ${response.status}).`;
    } catch (error) {
      formError.textContent = "The message was not sent: the connection failed. Try again.";
    }
    input.setAttribute("aria-invalid", "true");
  });

  setInterval(() => {
    for (const time of list.querySelectorAll("time[data-ts]")) time.textContent = ago(Number(time.dataset.ts));
  }, 20000);
  setInterval(refreshListeners, 20000);
  list.scrollTop = list.scrollHeight;
  join().then(poll);
})();
