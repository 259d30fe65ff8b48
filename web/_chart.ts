// Copyright 2026 the simclr authors. MIT license.
/// <reference lib="dom" />
// A small line chart on a canvas: points (x, y) drawn as a polyline, with the axes' ranges.

/** A line chart that redraws on each {@linkcode LineChart.add}. */
export class LineChart {
  readonly points: [number, number][] = [];
  constructor(
    readonly canvas: HTMLCanvasElement,
    readonly options: { yMin?: number; yMax?: number } = {},
  ) {
    this.draw();
  }

  /** Adds a point and redraws. */
  add(x: number, y: number): void {
    if (Number.isFinite(y)) this.points.push([x, y]);
    this.draw();
  }

  /** Removes every point. */
  clear(): void {
    this.points.length = 0;
    this.draw();
  }

  draw(): void {
    const { canvas, points } = this;
    const g = canvas.getContext("2d")!;
    const [w, h] = [canvas.width, canvas.height];
    const pad = { left: 42, right: 8, top: 8, bottom: 22 };
    g.clearRect(0, 0, w, h);
    g.fillStyle = "#fff";
    g.fillRect(0, 0, w, h);
    g.strokeStyle = "#c9ced8";
    g.strokeRect(pad.left, pad.top, w - pad.left - pad.right, h - pad.top - pad.bottom);
    g.fillStyle = "#5b6475";
    g.font = "11px system-ui, sans-serif";
    if (points.length === 0) {
      g.fillText("no data yet", pad.left + 8, pad.top + 16);
      return;
    }
    const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
    const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1);
    let y0 = this.options.yMin ?? Math.min(...ys), y1 = this.options.yMax ?? Math.max(...ys);
    if (y1 - y0 < 1e-6) [y0, y1] = [y0 - 0.5, y1 + 0.5];
    const px = (x: number) => pad.left + (x - x0) / (x1 - x0) * (w - pad.left - pad.right);
    const py = (y: number) => h - pad.bottom - (y - y0) / (y1 - y0) * (h - pad.top - pad.bottom);
    const label = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
    g.textAlign = "right";
    g.fillText(label(y1), pad.left - 4, pad.top + 9);
    g.fillText(label(y0), pad.left - 4, h - pad.bottom);
    g.textAlign = "left";
    g.fillText(`${x0}`, pad.left, h - 6);
    g.textAlign = "right";
    g.fillText(`${x1} steps`, w - pad.right, h - 6);
    g.strokeStyle = "#2f6fdf";
    g.lineWidth = 1.5;
    g.beginPath();
    points.forEach(([x, y], i) => (i ? g.lineTo(px(x), py(y)) : g.moveTo(px(x), py(y))));
    g.stroke();
    if (points.length < 40) {
      g.fillStyle = "#2f6fdf";
      for (const [x, y] of points) g.fillRect(px(x) - 2, py(y) - 2, 4, 4);
    }
  }
}
