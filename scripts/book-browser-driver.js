// Loaded by scripts/check-book-browser.sh into a headless Chromium page that holds a batch of the
// book's pages, each in a 1366 x 768 iframe; it waits for MathJax in each and checks what a reader
// would see. pages.js defines BOOK_PAGES (this batch) and BOOK_FILES (every file of the book) and
// writes the iframes. The verdict goes into <pre id="out">: "PROBLEM <page>: <what>" lines, "LINK
// <page> <file> <anchor>" (an anchor on a page of another batch) and "IDS <page> <id>..." lines
// for the script to join, "INFO" lines, then "DONE".
"use strict";

const out = [];
const idsOf = {};   // page -> Set of its element ids and <a name>s
const links = [];   // [page, target file, anchor]
const files = new Set(BOOK_FILES);
let widest = 0;     // the longest code line in characters, over all pages
let narrowest = Infinity;  // the fewest columns a code box shows without scrolling

function problem(page, what) { out.push("PROBLEM " + page + ": " + what); }

function codeColumns(page, doc) {
  for (const box of doc.querySelectorAll("div.fragment, pre.fragment")) {
    const style = doc.defaultView.getComputedStyle(box);
    const probe = doc.createElement("span");
    probe.textContent = "x".repeat(100);
    probe.style.whiteSpace = "pre";
    (box.querySelector("div.line") || box).appendChild(probe);
    const charWidth = probe.getBoundingClientRect().width / 100;
    probe.remove();
    const inner = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const columns = Math.floor(inner / charWidth);
    narrowest = Math.min(narrowest, columns);
    const lines = box.querySelectorAll("div.line");
    let longest = "";
    for (const line of (lines.length ? lines : box.textContent.split("\n"))) {
      const text = typeof line === "string" ? line : line.textContent;
      if (text.length > longest.length) longest = text;
    }
    widest = Math.max(widest, longest.length);
    if (box.scrollWidth > box.clientWidth + 1) {
      problem(page, "a code block is wider than its box (" + longest.length + " characters, the box shows " +
                    columns + "): " + JSON.stringify(longest.trim().slice(0, 60)));
    }
  }
}

function mathProblems(page, win, doc) {
  const errors = doc.querySelectorAll(".MathJax_Error, .merror, [data-mjx-error]");
  for (const e of errors) {
    problem(page, "MathJax error: " + JSON.stringify(e.textContent.slice(0, 80)));
  }
  // MathJax's own log says why (e.g. "File failed to load: ..." when a file took longer than its
  // load timeout): shown with the error, so that a failure can be told from a flaky machine.
  if (errors.length > 0 && win.MathJax && win.MathJax.Message && win.MathJax.Message.Log) {
    const log = win.MathJax.Message.Log().split("\n").filter(line => /fail|error|timeout/i.test(line));
    if (log.length > 0) problem(page, "MathJax's log: " + JSON.stringify(log.join(" | ").slice(0, 300)));
  }
  if (win.MathJax && win.MathJax.Hub) {
    for (const jax of win.MathJax.Hub.getAllJax()) {
      if (jax.texError || (jax.root && jax.root.data && jax.root.data.some(d => d && d.type === "merror"))) {
        problem(page, "MathJax could not typeset " + JSON.stringify(jax.originalText.slice(0, 80)));
      }
    }
  }
  // TeX left in the text: the delimiters Doxygen writes, outside code.
  const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("script, style, pre, code, div.fragment, textarea")) continue;
    const m = node.textContent.match(/\\\(|\\\[|\\begin\{|\$\$/);
    if (m) problem(page, "TeX left untypeset: " + JSON.stringify(node.textContent.trim().slice(0, 80)));
  }
}

function check(page, win) {
  const doc = win.document;
  // Images: <img> decoded, <object> (Doxygen's SVGs) holding an SVG document.
  for (const img of doc.querySelectorAll("img")) {
    if (!img.complete || img.naturalWidth === 0) problem(page, "image did not load: " + img.getAttribute("src"));
  }
  for (const obj of doc.querySelectorAll("object[data]")) {
    const svg = obj.contentDocument && obj.contentDocument.documentElement;
    if (!svg || svg.localName !== "svg" || obj.getBoundingClientRect().width === 0) {
      problem(page, "image did not load: " + obj.getAttribute("data"));
    }
  }
  mathProblems(page, win, doc);
  codeColumns(page, doc);
  // The network: every resource the page fetched must be a local file.
  for (const entry of win.performance.getEntriesByType("resource")) {
    if (!/^(file|data|blob|about):/.test(entry.name)) problem(page, "requests the network: " + entry.name);
  }
  // Links, checked once every page's ids are known.
  const ids = new Set();
  for (const e of doc.querySelectorAll("[id]")) ids.add(e.id);
  for (const e of doc.querySelectorAll("a[name]")) ids.add(e.getAttribute("name"));
  idsOf[page] = ids;
  for (const a of doc.querySelectorAll("a[href]")) {
    const href = a.getAttribute("href");
    if (/^([a-z]+:|\/\/)/i.test(href)) continue;  // the web, mailto:, javascript:
    const hash = href.indexOf("#");
    const anchor = hash < 0 ? "" : decodeURIComponent(href.slice(hash + 1));
    // The file, relative to the book's root: a page of the Chinese edition (zh/x.html) links
    // "y.html" for zh/y.html and "../y.html" for the English y.html (the language switch).
    const target = hash < 0 ? href : href.slice(0, hash);
    const root = "file:///book/";
    const file = target ? decodeURIComponent(new URL(target, root + page).href.slice(root.length)) : page;
    links.push([page, file, anchor]);
  }
}

function finish() {
  // Missing files are known here; anchors on other pages are joined by the script (IDS lines).
  for (const [page, file, anchor] of links) {
    if (!files.has(file)) {
      problem(page, "link to a missing page: " + file + (anchor ? "#" + anchor : ""));
    } else if (anchor && /\.html$/.test(file)) {
      if (idsOf[file]) {
        if (!idsOf[file].has(anchor)) problem(page, "link to a missing anchor: " + file + "#" + anchor);
      } else {
        out.push("LINK " + page + " " + file + " " + anchor);
      }
    }
  }
  for (const page of BOOK_PAGES) out.push("IDS " + page + " " + [...idsOf[page]].join(" "));
  out.push("INFO links " + links.length);
  out.push("INFO columns " + narrowest + " " + widest);
  out.push("DONE");
  document.getElementById("out").textContent = out.join("\n");
  // No page left to run timers: the browser's virtual time runs out at once and it prints the DOM.
  for (const frame of document.querySelectorAll("iframe")) frame.remove();
}

// Every page is in its own 1366 x 768 iframe, written into the document by pages.js so that the
// driver's load event waits for all of them; then each waits for MathJax before it is checked.
window.addEventListener("load", () => {
  const frames = [...document.querySelectorAll("iframe")];
  let pending = frames.length;
  const checked = () => { pending -= 1; if (pending === 0) finish(); };
  frames.forEach((frame, i) => {
    const page = BOOK_PAGES[i];
    const win = frame.contentWindow;
    const done = () => {
      try { check(page, win); } catch (e) { problem(page, "the check itself failed: " + e); }
      checked();
    };
    // MathJax is done when every formula of the page has been typeset (its startup "End" also
    // waits for the zoom and menu extensions, which a page does not need to be read).
    let polls = 0;
    const wait = () => {
      const mj = win.MathJax;
      if (!mj || !mj.Hub) { done(); return; }
      const formulas = win.document.querySelectorAll('script[type^="math/tex"]').length;
      if (mj.isReady && mj.Hub.queue.pending === 0 && mj.Hub.getAllJax().length === formulas) {
        done();
      } else if (++polls > 1200) {  // longer than MathJax's own load timeout (docs/mathjax-config.js)
        problem(page, "MathJax did not finish within 120 s (" + mj.Hub.getAllJax().length + " of " +
                      formulas + " formulas typeset)");
        done();
      } else {
        setTimeout(wait, 100);
      }
    };
    wait();
  });
  if (frames.length === 0) finish();
});
