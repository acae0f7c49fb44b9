// Meldwijzer web chat. Talks only to the server that served this page.
// The browser keeps no message text: replies live in the page only, and sessionStorage
// holds nothing but a random conversation id, gone when the tab closes or on "Snel weg".
"use strict";

(function () {
  var ID_KEY = "meldwijzer-id";
  var REMINDER_EVERY_MS = 60000;
  var UNREACHABLE = "Meldwijzer is nu niet bereikbaar. Probeer het later opnieuw.\n" +
    "Direct gevaar? Bel 112. Veilig Thuis: 0800-2000 (gratis, 24/7).";

  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var sendButton = document.getElementById("send");
  var statusLine = document.getElementById("status");
  var busy = false;

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function conversationId() {
    var id = sessionStorage.getItem(ID_KEY);
    if (!id) {
      id = newId();
      sessionStorage.setItem(ID_KEY, id);
    }
    return id;
  }

  // Text is always set with textContent: nothing a user or the server sends becomes markup.
  function addMessage(who, text) {
    var item = document.createElement("div");
    item.className = "msg " + who;
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = who === "user" ? "Jij: " : "Meldwijzer: ";
    var body = document.createElement("p");
    body.textContent = text;
    item.appendChild(label);
    item.appendChild(body);
    log.appendChild(item);
    item.scrollIntoView({block: "end"});
    return item;
  }

  function addButtons(buttons) {
    var group = document.createElement("div");
    group.className = "buttons";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Kies een antwoord");
    buttons.forEach(function (button) {
      var element = document.createElement("button");
      element.type = "button";
      element.textContent = button.title;
      element.addEventListener("click", function () {
        send(button.payload, button.title);
      });
      group.appendChild(element);
    });
    log.appendChild(group);
    group.scrollIntoView({block: "end"});
  }

  function showReplies(replies) {
    replies.forEach(function (reply) {
      if (reply.text) {
        addMessage("bot", reply.text);
      }
      if (reply.buttons && reply.buttons.length) {
        addButtons(reply.buttons);
      }
    });
  }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    statusLine.textContent = value ? "Meldwijzer denkt na…" : "";
  }

  function send(message, shown) {
    if (busy) {
      return;
    }
    if (shown !== null) {
      addMessage("user", shown);
    }
    setBusy(true);
    fetch("webhook", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({sender: conversationId(), message: message}),
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("status " + response.status);
      }
      return response.json();
    }).then(showReplies).catch(function () {
      addMessage("bot", UNREACHABLE);
    }).then(function () {
      setBusy(false);
      input.focus();
    });
  }

  function fetchReminders() {
    fetch("reminders", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({sender: conversationId()}),
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (response) {
      return response.ok ? response.json() : [];
    }).then(function (reminders) {
      reminders.forEach(function (text) { addMessage("bot reminder", text); });
    }).catch(function () { /* the next look will try again */ });
  }

  function quickExit() {
    log.textContent = "";
    input.value = "";
    try { sessionStorage.clear(); } catch (e) { /* storage blocked: nothing to clear */ }
    try { localStorage.clear(); } catch (e) { /* idem */ }
    window.location.replace("static/exit.html");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      statusLine.textContent = "Typ eerst een bericht.";
      return;
    }
    input.value = "";
    send(text, text);
  });

  // Enter sends, Shift+Enter makes a new line.
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });

  document.getElementById("quick-exit").addEventListener("click", quickExit);

  // A new tab starts with the introduction; a reload of this tab goes on where it was.
  if (sessionStorage.getItem(ID_KEY) === null) {
    send("/greet", null);
  } else {
    addMessage("bot", "Welkom terug. Typ 'menu' of ga verder waar je was.");
  }
  fetchReminders();
  window.setInterval(fetchReminders, REMINDER_EVERY_MS);
}());
