import assert from "node:assert/strict";
import { decode } from "fast-png";
import { writeReport } from "./write_report.ts";
import { svgToPng } from "./render_chart.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});

async function fullReport(dir: string): Promise<string> {
  const grid = await svgToPng(
    '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><rect width="20" height="20" fill="#c33"/><rect x="20" width="20" height="20" fill="#3c3"/><rect x="40" width="20" height="20" fill="#33c"/></svg>',
    { scale: 1 },
  );
  const metrics = Array.from({ length: 12 }, (_, e) => ({
    kind: "epoch",
    epoch: e,
    train_loss: 4 / (e + 1) + 1,
    val_loss: 4 / (e + 1) + 1.3,
    val_acc_top5: 0.5 + e / 30,
    lr: 5e-4 * Math.cos((e / 12) * Math.PI / 2),
    ...(e % 2 === 1 ? { knn_top1: 0.2 + e / 40, embedding_std: 0.05 + e / 200 } : {}),
  }));
  const dot = (fill: string) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="15" fill="${fill}"/></svg>`;
  return await writeReport(dir, {
    title: "Test <report>",
    config: { preset: "demo", epochs: 12, hiddenDim: 64, imageSize: 32 },
    probe: {
      "10": { train: 1, test: 0.3512 },
      "20": { train: 0.98, test: 0.4 },
      "50": { train: 0.9, test: 0.45 },
    },
    probeOthers: {
      "random init": { "10": { train: 1, test: 0.2 }, "20": { train: 1, test: 0.22 } },
    },
    knn: { pretrained: 0.41, "random init": 0.19 },
    baseline: { train: 0.9, test: 0.5 },
    pretrainMetrics: metrics,
    baselineMetrics: metrics.map((m) => ({
      epoch: m.epoch,
      train_loss: m.train_loss / 2,
      lr: m.lr,
    })),
    embeddingMap: new TextEncoder().encode(`<?xml version="1.0"?>\n${dot("#4c78a8")}`),
    neighbours: await svgToPng(dot("#59a14f"), { scale: 1 }),
    augmentGrid: grid,
  });
}

Deno.test("`writeReport()` writes one self-contained page with tables beside the tutorial", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = await fullReport(`${dir}/run`);
    assert.equal(path, `${dir}/run/report.html`);
    const html = await Deno.readTextFile(path);
    assert.match(html, /<title>Test &#60;report&#62;<\/title>/);
    // Probe table rows: ours, train, random init, tutorial.
    assert.match(
      html,
      /<td>10<\/td><td>35\.12%<\/td><td>100\.00%<\/td><td>20\.00%<\/td><td>62\.81%<\/td>/,
    );
    assert.match(
      html,
      /<td>50<\/td><td>45\.00%<\/td><td>90\.00%<\/td><td>–<\/td><td>74\.44%<\/td>/,
    );
    assert.match(html, /73\.31%/);
    assert.match(html, /41\.00%/);
    assert.equal((html.match(/src="data:image\/png;base64,iVBORw0KGgo/g) ?? []).length, 2);
    // Probe curve, two training charts, the embedding map (its XML declaration dropped).
    assert.equal((html.match(/<svg /g) ?? []).length, 4);
    assert.doesNotMatch(html, /<\?xml/);
    // The pretraining's last epoch and last monitors: knn_top1 and embedding_std of epoch 12/12.
    assert.match(
      html,
      /<td class="key">val_acc_top5<\/td><td>86\.67%<\/td><td class="note">epoch 12\/12<\/td>/,
    );
    assert.match(
      html,
      /<td class="key">knn_top1<\/td><td>47\.50%<\/td><td class="note">epoch 12\/12; kNN/,
    );
    assert.match(
      html,
      /<td class="key">embedding_std<\/td><td>0\.1050<\/td>.*1\/sqrt\(64\) = 0\.1250/,
    );
    // Results first, then the curves, the pictures, and the configuration folded at the end.
    const order = [
      "<h2>Results</h2>",
      "<h3>Linear probe</h3>",
      "<h2>Pretraining curves</h2>",
      "<h2>Embedding map</h2>",
      "<h2>Nearest neighbours</h2>",
      "<h2>Augmentations</h2>",
      "<details><summary>Configuration (4 settings)</summary>",
    ].map((marker) => html.indexOf(marker));
    assert.ok(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1])), `${order}`);
    assert.match(html, /<td class="key">hiddenDim<\/td><td class="key">64<\/td>/);
    // Epochs read from 1, as the console counts them: the last of 12 epochs is 12.
    const curves = html.slice(order[2], order[3]);
    assert.match(curves, />12<\/text>/);
    assert.doesNotMatch(curves, />0\.0<\/text>|>11\.0<\/text>/);
    assert.match(curves, /kNN top-1 accuracy/);
    assert.match(curves, /Embedding std/);
    // Nothing is fetched: no external src/href, and a CSP that forbids it.
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
    assert.match(html, /default-src 'none'/);
    assert.deepEqual([...Deno.readDirSync(`${dir}/run`)].map((e) => e.name), ["report.html"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`writeReport()` says so when there is nothing to show", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const html = await Deno.readTextFile(await writeReport(dir, {}));
    assert.match(html, /Nothing to report yet/);
    assert.doesNotMatch(html, /<svg /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "`writeReport()` renders in headless chromium without console errors",
  ignore: CHROMIUM === undefined,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const path = await fullReport(dir);
      // SIMCLR_SCREENSHOT=path keeps the screenshot to look at.
      const shot = Deno.env.get("SIMCLR_SCREENSHOT") ?? `${dir}/screenshot.png`;
      const { code, stderr } = await new Deno.Command(CHROMIUM!, {
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--enable-logging=stderr",
          "--v=0",
          "--hide-scrollbars",
          `--user-data-dir=${dir}/profile`,
          `--screenshot=${shot}`,
          "--window-size=1400,4000",
          `file://${path}`,
        ],
        stdout: "null",
        stderr: "piped",
      }).output();
      const log = new TextDecoder().decode(stderr);
      assert.equal(code, 0, log);
      const consoleLines = log.split("\n").filter((l) => /:CONSOLE[:(]/.test(l));
      assert.deepEqual(consoleLines, []);
      const image = decode(await Deno.readFile(shot));
      assert.equal(image.width, 1400);
      // The page is not blank: many distinct colours (text, lines, the grid's red, green, blue).
      const colours = new Set<number>();
      const c = image.channels;
      for (let i = 0; i < image.data.length; i += c * 7) {
        colours.add((image.data[i] << 16) | (image.data[i + 1] << 8) | image.data[i + 2]);
      }
      assert.ok(colours.size > 50, `${colours.size} colours`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
