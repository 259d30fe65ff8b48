// Copyright 2026 the simclr authors. MIT license.
/// <reference lib="dom" />
// Small DOM helpers the panels share.

/** The element with this id (an error naming it when the page lacks it). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

/** Appends a line to the page's log (and the console). */
export function log(line: string): void {
  console.log(line);
  const pre = document.getElementById("log");
  if (pre) pre.textContent = `${pre.textContent}${line}\n`;
}

/** Sets `<body data-status>` and the status text: loading, busy, ready or error. */
export function setStatus(
  status: "loading" | "busy" | "ready" | "error",
  text: string = status,
): void {
  document.body.dataset.status = status;
  byId("status-text").textContent = text;
}

/** The message of a thrown value, first line. */
export function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

/** Lets the page handle events and paint before the next piece of work. */
export function yieldToPage(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Offers `bytes` as a file download named `name`. */
export function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(
    new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }),
  );
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Makes `#id` a drop target (highlighted while dragged over); `onDrop` gets what was dropped. */
export function dropZone(id: string, onDrop: (data: DataTransfer) => void): void {
  const zone = byId(id);
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer) onDrop(event.dataTransfer);
  });
}
