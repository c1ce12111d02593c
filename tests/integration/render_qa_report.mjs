// Renders a QA report (shipchips qa-report) in Debian's headless Chromium through npm
// playwright-core and checks that it is self-contained and drawn:
//   - every request other than the report's own file:// URL (and its data: images) is blocked
//     and fails the check, so a CDN, font, tile or any other fetch is caught;
//   - no console error and no page error (a Content-Security-Policy violation is one);
//   - the inline SVG plots and the footprint map have a non-zero box, every gallery image is
//     decoded (naturalWidth > 0), the chips KPI says --chips;
//   - a full-page screenshot PNG is written, larger than 20 KB, with plausible dimensions read
//     from its IHDR header.
// usage: node render_qa_report.mjs REPORT.html SCREENSHOT.png --chips N --images N
// Prints one JSON line of what it measured; exits 1 with a message on any failed check.
import { chromium } from "playwright-core";
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

const args = process.argv.slice(2);
if (args.length < 2) fail("usage: render_qa_report.mjs REPORT.html SCREENSHOT.png --chips N --images N");
const report = resolve(args[0]);
const screenshot = resolve(args[1]);
const option = (name) => {
  const at = args.indexOf(name);
  if (at < 0 || at + 1 >= args.length) fail(`missing ${name}`);
  return Number(args[at + 1]);
};
const expectedChips = option("--chips");
const expectedImages = option("--images");
const reportUrl = pathToFileURL(report).href;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox"],
});
const problems = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const requests = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url === reportUrl) return route.continue();
    problems.push(`request blocked: ${url}`);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const response = await page.goto(reportUrl, { waitUntil: "load" });
  if (!response || !response.ok()) problems.push(`the report did not load: ${response && response.status()}`);
  await page.waitForLoadState("networkidle");

  const facts = await page.evaluate(() => {
    const box = (e) => {
      const r = e.getBoundingClientRect();
      return { width: r.width, height: r.height };
    };
    const plots = [...document.querySelectorAll("svg.plot")].map((s) => ({
      title: s.getAttribute("aria-label"),
      ...box(s),
      bars: s.querySelectorAll("rect.bar").length,
      footprints: s.querySelectorAll("g.footprint").length,
    }));
    const images = [...document.querySelectorAll(".gallery img")].map((i) => ({
      complete: i.complete,
      naturalWidth: i.naturalWidth,
      naturalHeight: i.naturalHeight,
      data: i.src.startsWith("data:image/jpeg;base64,"),
    }));
    const chips = document.querySelector(".kpi .value")?.textContent ?? "";
    return { plots, images, chips, height: document.documentElement.scrollHeight };
  });

  const nonLocal = requests.filter((u) => u !== reportUrl && !u.startsWith("data:"));
  for (const u of nonLocal) problems.push(`request attempted: ${u}`);
  if (facts.plots.length !== 5) problems.push(`expected 4 plots and the map, found ${facts.plots.length} svg.plot`);
  for (const p of facts.plots) {
    if (!(p.width > 100 && p.height > 100)) problems.push(`plot "${p.title}" has a box of ${p.width}×${p.height}`);
  }
  const perDay = facts.plots.find((p) => p.title.startsWith("Chips per scene day"));
  if (!perDay || perDay.bars < 1) problems.push("the chips-per-day plot has no bar");
  const map = facts.plots.find((p) => p.title.startsWith("Chip footprints"));
  if (!map || map.footprints !== expectedChips) {
    problems.push(`the map draws ${map && map.footprints} footprints, expected ${expectedChips}`);
  }
  if (facts.images.length !== expectedImages) {
    problems.push(`gallery has ${facts.images.length} images, expected ${expectedImages}`);
  }
  facts.images.forEach((i, n) => {
    if (!i.data) problems.push(`gallery image ${n} is not a data: URI`);
    if (!(i.complete && i.naturalWidth > 0 && i.naturalHeight > 0)) problems.push(`gallery image ${n} did not decode`);
  });
  if (facts.chips.trim() !== String(expectedChips)) problems.push(`chips KPI is "${facts.chips}", expected ${expectedChips}`);

  await page.screenshot({ path: screenshot, fullPage: true });
  const png = readFileSync(screenshot);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!png.subarray(0, 8).equals(signature) || png.toString("latin1", 12, 16) !== "IHDR") {
    problems.push("the screenshot is not a PNG");
  }
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const size = statSync(screenshot).size;
  if (size <= 20 * 1024) problems.push(`the screenshot is only ${size} bytes`);
  if (width !== 1280) problems.push(`the screenshot is ${width} px wide, expected the 1280 px viewport`);
  if (height < 1500) problems.push(`the full-page screenshot is only ${height} px high`);
  console.log(
    JSON.stringify({
      report,
      screenshot,
      png: { width, height, bytes: size },
      plots: facts.plots.length,
      images: facts.images.length,
      requests: requests.length,
    }),
  );
} finally {
  await browser.close();
}
if (problems.length) fail(problems.join("\n  "));
