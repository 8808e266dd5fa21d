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

    const frame = document.getElementById("export-frame");
    if (!frame) {
        return;
    }

    const cookieName = "supportsignal-export-download";
    const cookiePath = window.location.pathname;
    const toasts = document.getElementById("toasts");
    const number = new Intl.NumberFormat("en-AU");
    let pending = null;

    // Both forms (full database, segment) download the same way. The segment form is replaced
    // when its counts refresh, so the listener sits on the document.
    document.addEventListener("submit", (event) => {
        const form = event.target;
        if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-export-form")) {
            return;
        }
        if (pending) {
            event.preventDefault();
            return;
        }

        const token = randomToken();
        form.elements.namedItem("DownloadToken").value = token;
        form.target = frame.name;
        const format = form.querySelector("input[name='Format']:checked");
        pending = {
            form,
            token,
            format: format ? format.value : "json",
            sizeText: format ? format.dataset.sizeText : "",
            poll: window.setInterval(checkStarted, 200),
        };
        setBusy(form, true);
    });

    frame.addEventListener("load", () => {
        if (!pending) {
            return;
        }

        const problem = problemIn(frame, "Export failed", "The export could not be started. Reload the page and try again.");
        finish();
        toast("error", problem.title, problem.message, problem.reference);
    });

    // What an error page says (same origin, so readable): its message, its reference, and for a 429
    // ("another export is running") or a 413 ("too large for the clipboard") its title.
    function problemIn(source, title, message) {
        let reference = null;
        try {
            const page = source instanceof Document ? source : source.contentDocument;
            const heading = page && page.querySelector("[data-problem-title]");
            const problem = page && page.querySelector("[data-problem-message]");
            if (problem) {
                message = problem.textContent.trim();
            }
            const status = page && page.querySelector(".status-code")?.textContent.trim();
            if (heading && (status === "429" || status === "413")) {
                title = heading.textContent.trim();
            }
            const id = page && page.querySelector("[data-correlation-id]");
            reference = id ? id.textContent.trim() : null;
        } catch {
            // Not readable (a network error page): the generic message stands.
        }
        return { title, message, reference };
    }

    // "Copy JSON": the segment form's fields, posted to ?handler=copy (audited and limited like a
    // download), and the answer put on the clipboard. The ClipboardItem is handed a promise so that
    // the write still counts as part of the click in browsers that insist on it (Safari, WebKit).
    // "Copy command": the supportsignal export line the server rendered for the chosen format.
    document.addEventListener("click", (event) => {
        const target = event.target instanceof Element ? event.target : null;
        const json = target && target.closest("[data-copy-json]");
        const command = target && target.closest("[data-copy-command]");
        if (json && !json.disabled) {
            copyJson(json);
        } else if (command) {
            copyCommand(command);
        }
    });

    async function copyJson(button) {
        const form = button.closest("form");
        const data = new FormData(form);
        data.set("Format", "json");
        data.delete("DownloadToken");
        const deidentified = data.get("Deidentify") === "true";
        let sizeText = "";
        button.disabled = true;
        const text = fetch(`${window.location.pathname}?handler=copy`, { method: "POST", body: data, credentials: "same-origin" })
            .then(async (response) => {
                if (!response.ok) {
                    const page = new DOMParser().parseFromString(await response.text(), "text/html");
                    throw problemIn(page, "Nothing was copied", `The copy failed (${response.status}).`);
                }
                sizeText = response.headers.get("X-Export-Size") || "";
                return response.text();
            });
        try {
            if (window.ClipboardItem && navigator.clipboard.write) {
                await navigator.clipboard.write([new ClipboardItem({ "text/plain": text.then((t) => new Blob([t], { type: "text/plain" })) })]);
            } else {
                await navigator.clipboard.writeText(await text);
            }
            const records = number.format(Number(form.dataset.totalRecords || 0));
            toast("success", "Copied to the clipboard",
                `${sizeText} of JSON, ${records} records${deidentified ? ", de-identified" : ""}. Paste it where you need it.`, null);
        } catch (error) {
            if (error && error.title) {
                toast("error", error.title, error.message, error.reference);
            } else {
                toast("error", "Nothing was copied", "The browser did not let the page use the clipboard. Download the segment instead.", null);
            }
        } finally {
            button.disabled = false;
        }
    }

    async function copyCommand(button) {
        const form = button.closest("form");
        const format = form.querySelector("input[name='Format']:checked");
        const deidentify = form.querySelector("input[name='Deidentify']");
        const line = deidentify && deidentify.checked ? format.dataset.commandDeidentified : format.dataset.command;
        try {
            await navigator.clipboard.writeText(line);
            toast("success", "Command copied", line, null);
        } catch {
            toast("error", "Nothing was copied", `The browser did not let the page use the clipboard. The command is: ${line}`, null);
        }
    }

    function checkStarted() {
        if (!pending || readCookie(cookieName) !== pending.token) {
            return;
        }

        const { form, format, sizeText } = pending;
        document.cookie = `${cookieName}=; Max-Age=0; path=${cookiePath}; SameSite=Strict`;
        finish();
        const records = number.format(Number(form.dataset.totalRecords || 0));
        const size = sizeText ? `, about ${sizeText}` : "";
        toast("success", "Download started",
            `${records} records${size} as .${format}. Your browser shows its progress.`, null);
    }

    function finish() {
        window.clearInterval(pending.poll);
        setBusy(pending.form, false);
        pending.form.removeAttribute("target");
        pending = null;
    }

    function setBusy(form, busy) {
        const loading = form.querySelector("[data-export-loading]");
        const button = form.querySelector("[data-export-button]");
        if (loading) {
            loading.hidden = !busy;
        }
        if (button) {
            button.disabled = busy;
        }
        form.setAttribute("aria-busy", busy ? "true" : "false");
    }

    // Segment counts follow the filters as they change: the page renders them server-side for
    // the query string (which also works without JavaScript); we fetch that and swap the result in.
    // Only the latest refresh may show: answers can arrive out of order, and an older one would put
    // back counts (and a form to export) for filters that are no longer chosen.
    const filters = document.querySelector("[data-segment-filters]");
    let refresh = null;
    let latestRefresh = 0;
    if (filters) {
        filters.addEventListener("change", () => {
            window.clearTimeout(refresh);
            latestRefresh++;
            refresh = window.setTimeout(refreshSegment, 300);
        });
    }

    async function refreshSegment() {
        const mine = latestRefresh;
        const query = new URLSearchParams(new FormData(filters)).toString();
        const url = `${window.location.pathname}?${query}`;
        try {
            const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
            const text = await response.text();
            // Counts every answer, shown or not, so that a test can wait for an answer to be handled.
            filters.dataset.refreshesAnswered = String(Number(filters.dataset.refreshesAnswered || 0) + 1);
            if (mine !== latestRefresh) {
                return;
            }
            const page = new DOMParser().parseFromString(text, "text/html");
            const result = page.querySelector("[data-segment-result]");
            const current = document.querySelector("[data-segment-result]");
            if (result && current && !pending) {
                current.replaceWith(document.importNode(result, true));
                window.history.replaceState(null, "", url + "#segment");
            } else if (!result) {
                const problem = page.querySelector("[data-problem-message]");
                toast("error", "Those filters do not work", problem ? problem.textContent.trim() : "Check the filters.", null);
            }
        } catch {
            // Offline or the server went away: the "Count the segment" button still works.
        }
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
