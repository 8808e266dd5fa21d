// Database Export: a loading indicator until the download starts, then a toast.
//
// The file itself never passes through this script. The form still posts the ordinary way,
// only into a hidden iframe, so the browser's own download manager receives the stream (a
// fetch() would have to hold the whole file in memory as a Blob). Two signals tell the page
// what happened, neither of which needs the body:
//   - started: the response's headers set a cookie carrying the random token we posted;
//   - failed:  an attachment never fires the iframe's load event, a page does, so a load means
//              the server answered with an error page (whose reference we can read: same origin).
// Without JavaScript the form posts to the page itself and the download works just the same.
(() => {
    "use strict";

    const form = document.getElementById("export-form");
    const frame = document.getElementById("export-frame");
    if (!form || !frame) {
        return;
    }

    const cookieName = "supportsignal-export-download";
    const cookiePath = window.location.pathname;
    const button = document.getElementById("export-button");
    const loading = document.getElementById("export-loading");
    const toasts = document.getElementById("toasts");
    const number = new Intl.NumberFormat("en-AU");
    let pending = null;

    form.addEventListener("submit", (event) => {
        if (pending) {
            event.preventDefault();
            return;
        }

        const token = randomToken();
        form.elements.namedItem("DownloadToken").value = token;
        form.target = frame.name;
        const format = form.querySelector("input[name='Format']:checked");
        pending = {
            token,
            format: format ? format.value : "json",
            sizeText: format ? format.dataset.sizeText : "",
            poll: window.setInterval(checkStarted, 200),
        };
        setBusy(true);
    });

    frame.addEventListener("load", () => {
        if (!pending) {
            return;
        }

        let message = "The export could not be started. Reload the page and try again.";
        let reference = null;
        try {
            const page = frame.contentDocument;
            const problem = page && page.querySelector("[data-problem-message]");
            if (problem) {
                message = problem.textContent.trim();
            }
            const id = page && page.querySelector("[data-correlation-id]");
            reference = id ? id.textContent.trim() : null;
        } catch {
            // Not readable (a network error page): the generic message stands.
        }
        finish();
        toast("error", "Export failed", message, reference);
    });

    function checkStarted() {
        if (!pending || readCookie(cookieName) !== pending.token) {
            return;
        }

        const { format, sizeText } = pending;
        document.cookie = `${cookieName}=; Max-Age=0; path=${cookiePath}; SameSite=Strict`;
        finish();
        const records = number.format(Number(form.dataset.totalRecords || 0));
        toast("success", "Download started",
            `${records} records, about ${sizeText} as .${format}. Your browser shows its progress.`, null);
    }

    function finish() {
        window.clearInterval(pending.poll);
        pending = null;
        setBusy(false);
        form.removeAttribute("target");
    }

    function setBusy(busy) {
        loading.hidden = !busy;
        button.disabled = busy;
        form.setAttribute("aria-busy", busy ? "true" : "false");
    }

    function toast(kind, title, message, reference) {
        const item = document.createElement("div");
        item.className = `toast toast-${kind}`;
        item.setAttribute("role", kind === "error" ? "alert" : "status");
        item.dataset.toast = kind;
        const heading = document.createElement("strong");
        heading.textContent = title;
        const body = document.createElement("p");
        body.textContent = message;
        item.append(heading, body);
        if (reference) {
            const ref = document.createElement("p");
            ref.className = "toast-reference";
            ref.textContent = `Reference: ${reference}`;
            item.append(ref);
        }
        const close = document.createElement("button");
        close.type = "button";
        close.className = "toast-close";
        close.setAttribute("aria-label", "Dismiss");
        close.textContent = "×";
        close.addEventListener("click", () => item.remove());
        item.append(close);
        toasts.append(item);
        if (kind === "success") {
            window.setTimeout(() => item.remove(), 15000);
        }
    }

    function readCookie(name) {
        const prefix = `${name}=`;
        const found = document.cookie.split(";").map((c) => c.trim()).find((c) => c.startsWith(prefix));
        return found ? decodeURIComponent(found.substring(prefix.length)) : null;
    }

    function randomToken() {
        const bytes = new Uint8Array(16);
        window.crypto.getRandomValues(bytes);
        return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    }
})();
