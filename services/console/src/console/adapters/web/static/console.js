// Small conveniences, no dependencies. The pages work without it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // A form submitted once is not submitted again by a second click while the page loads
  // (the services would replay it anyway: the form carries its own id).
  for (const form of document.querySelectorAll("form[method=post]")) {
    form.addEventListener("submit", () => {
      for (const button of form.querySelectorAll("button[type=submit]")) {
        button.disabled = true;
      }
    });
  }
  // Rows of a results table open their account on Enter when focused.
  for (const row of document.querySelectorAll("table.grid tbody tr")) {
    const link = row.querySelector("a[href^='/accounts/']");
    if (!link) continue;
    row.tabIndex = 0;
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter") window.location.href = link.getAttribute("href");
    });
  }
});
