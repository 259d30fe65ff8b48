// Internal: the checks of crop boxes; the crop-resize itself is @simclr/internal/crop-resize.
import { argumentMessage, show } from "@simclr/internal/checks";
import type { Box } from "@simclr/internal/crop-resize";

export { type Box, cropResize } from "@simclr/internal/crop-resize";

/** Throws unless `box` is `[top, left, height, width]` of integers with positive size. */
export function checkBox(fn: string, name: string, box: Box): void {
  if (
    !Array.isArray(box) || box.length !== 4 || !box.every(Number.isInteger) || box[2] <= 0 ||
    box[3] <= 0
  ) {
    throw new RangeError(
      argumentMessage(
        fn,
        `${name} is ${show(box)}`,
        "integers [top, left, height, width] with height, width > 0",
      ),
    );
  }
}

/** Throws unless `boxes` holds `batch` integer boxes with positive height and width. */
export function checkBoxes(fn: string, boxes: readonly Box[], batch: number): void {
  if (!Array.isArray(boxes)) {
    throw new TypeError(
      argumentMessage(fn, `boxes is ${show(boxes)}`, "[top, left, height, width][]"),
    );
  }
  if (boxes.length !== batch) {
    throw new RangeError(
      argumentMessage(fn, `boxes has length ${boxes.length}`, `${batch} (one per image)`),
    );
  }
  boxes.forEach((box, i) => checkBox(fn, `boxes[${i}]`, box));
}
