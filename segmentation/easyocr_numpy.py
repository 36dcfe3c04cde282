"""EasyOCR's pre- and post-processing around its networks, in numpy and OpenCV only.

The ONNX engine (segmentation.ocr_onnx) must behave like ``easyocr.Reader.detect``
and EasyOCR's recogniser without importing easyocr, whose package ``__init__``
imports torch. These functions are EasyOCR 1.7.2's own, transcribed with the
options we use fixed (no polygons, no character-count estimate, canvas = input
size): ``imgproc.resize_aspect_ratio`` / ``normalizeMeanVariance``,
``craft_utils.getDetBoxes_core`` / ``adjustResultCoordinates`` (CRAFT, MIT,
NAVER Corp.), ``utils.group_text_box`` and ``recognition.adjust_contrast_grey``
(Apache-2.0). tests/test_ocr_onnx.py checks them against EasyOCR's where it is
installed.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

MEAN = (0.485, 0.456, 0.406)  # ImageNet RGB mean and std, as CRAFT was trained
STD = (0.229, 0.224, 0.225)

# Reader.detect's defaults for box grouping (we never change them).
SLOPE_THS, YCENTER_THS, HEIGHT_THS, WIDTH_THS, ADD_MARGIN = 0.1, 0.5, 0.5, 0.5, 0.1


def craft_input(rgb: np.ndarray, canvas: int) -> tuple[np.ndarray, float]:
    """(1, 3, H32, W32) float32 network input and the resize ratio (input px per original px).

    rgb: (H, W, 3) uint8. The longest side is scaled to at most ``canvas`` and the
    picture is padded with zeros to multiples of 32 (imgproc.resize_aspect_ratio).
    """
    h, w = rgb.shape[:2]
    ratio = min(canvas, max(h, w)) / max(h, w)
    th, tw = int(h * ratio), int(w * ratio)
    proc = cv2.resize(rgb, (tw, th), interpolation=cv2.INTER_LINEAR)
    out = np.zeros((th + (-th) % 32, tw + (-tw) % 32, 3), np.float32)  # (H32, W32, 3)
    out[:th, :tw] = proc
    out -= np.array([m * 255.0 for m in MEAN], np.float32)
    out /= np.array([s * 255.0 for s in STD], np.float32)
    return np.ascontiguousarray(out.transpose(2, 0, 1)[None]), ratio


def det_boxes(textmap: np.ndarray, linkmap: np.ndarray, text_threshold: float, link_threshold: float,
              low_text: float) -> list[np.ndarray]:
    """(4, 2) float32 corner boxes of the text regions in CRAFT's maps (craft_utils.getDetBoxes_core).

    textmap, linkmap: (h, w) float32 region and affinity scores, in map pixels.
    """
    img_h, img_w = textmap.shape
    _, text_score = cv2.threshold(textmap, low_text, 1, 0)
    _, link_score = cv2.threshold(linkmap, link_threshold, 1, 0)
    comb = np.clip(text_score + link_score, 0, 1).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(comb, connectivity=4)
    out = []
    for k in range(1, n):
        size = stats[k, cv2.CC_STAT_AREA]
        if size < 10 or np.max(textmap[labels == k]) < text_threshold:
            continue
        segmap = np.zeros(textmap.shape, dtype=np.uint8)
        segmap[labels == k] = 255
        segmap[np.logical_and(link_score == 1, text_score == 0)] = 0  # remove link area
        x, y = stats[k, cv2.CC_STAT_LEFT], stats[k, cv2.CC_STAT_TOP]
        w, h = stats[k, cv2.CC_STAT_WIDTH], stats[k, cv2.CC_STAT_HEIGHT]
        niter = int(math.sqrt(size * min(w, h) / (w * h)) * 2)
        sx, sy = max(0, x - niter), max(0, y - niter)
        ex, ey = min(img_w, x + w + niter + 1), min(img_h, y + h + niter + 1)
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (1 + niter, 1 + niter))
        segmap[sy:ey, sx:ex] = cv2.dilate(segmap[sy:ey, sx:ex], kernel)
        out.append(_min_area_box(np.roll(np.array(np.where(segmap != 0)), 1, axis=0).transpose().reshape(-1, 2)))
    return out


def _min_area_box(points: np.ndarray) -> np.ndarray:
    """(4, 2) clockwise box from the top-left, axis-aligned when nearly square (diamond fix)."""
    box = cv2.boxPoints(cv2.minAreaRect(points))
    w, h = np.linalg.norm(box[0] - box[1]), np.linalg.norm(box[1] - box[2])
    if abs(1 - max(w, h) / (min(w, h) + 1e-5)) <= 0.1:
        x0, x1 = min(points[:, 0]), max(points[:, 0])
        y0, y1 = min(points[:, 1]), max(points[:, 1])
        box = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)
    start = box.sum(axis=1).argmin()
    return np.array(np.roll(box, 4 - start, 0))


def group_text_box(polys: list[np.ndarray]) -> tuple[list[list[float]], list[list[list[float]]]]:
    """EasyOCR's utils.group_text_box with Reader.detect's thresholds: (horizontal boxes as
    [x_min, x_max, y_min, y_max], free quadrilaterals as 4 [x, y] points).

    polys: (8,) int32 corner coordinates per detected box (x1, y1, ..., x4, y4).
    """
    horizontal, free = [], []
    for p in polys:
        slope_up = (p[3] - p[1]) / np.maximum(10, (p[2] - p[0]))
        slope_down = (p[5] - p[7]) / np.maximum(10, (p[4] - p[6]))
        if max(abs(slope_up), abs(slope_down)) < SLOPE_THS:
            xs, ys = [p[0], p[2], p[4], p[6]], [p[1], p[3], p[5], p[7]]
            horizontal.append([min(xs), max(xs), min(ys), max(ys), 0.5 * (min(ys) + max(ys)), max(ys) - min(ys)])
        else:
            free.append(_free_quad(p))
    horizontal = sorted(horizontal, key=lambda item: item[4])
    return [m for line in _lines(horizontal) for m in _merge_line(line)], free


def _free_quad(p: np.ndarray) -> list[list[float]]:
    height = np.linalg.norm([p[6] - p[0], p[7] - p[1]])
    width = np.linalg.norm([p[2] - p[0], p[3] - p[1]])
    margin = int(1.44 * ADD_MARGIN * min(width, height))
    t13 = abs(np.arctan((p[1] - p[5]) / np.maximum(10, (p[0] - p[4]))))
    t24 = abs(np.arctan((p[3] - p[7]) / np.maximum(10, (p[2] - p[6]))))
    return [[p[0] - np.cos(t13) * margin, p[1] - np.sin(t13) * margin],
            [p[2] + np.cos(t24) * margin, p[3] - np.sin(t24) * margin],
            [p[4] + np.cos(t13) * margin, p[5] + np.sin(t13) * margin],
            [p[6] - np.cos(t24) * margin, p[7] + np.sin(t24) * margin]]


def _lines(horizontal: list[list[float]]) -> list[list[list[float]]]:
    """Boxes sorted by y-centre, grouped while their centres stay within half a mean height."""
    lines, cur, heights, centres = [], [], [], []
    for b in horizontal:
        if cur and abs(np.mean(centres) - b[4]) >= YCENTER_THS * np.mean(heights):
            lines.append(cur)
            cur, heights, centres = [], [], []
        cur.append(b)
        heights.append(b[5])
        centres.append(b[4])
    lines.append(cur)
    return lines


def _merge_line(boxes: list[list[float]]) -> list[list[float]]:
    """Merge a line's boxes left to right while heights agree and gaps are small; add margins."""
    if len(boxes) == 0:
        return []
    if len(boxes) == 1:
        b = boxes[0]
        m = int(ADD_MARGIN * min(b[1] - b[0], b[5]))
        return [[b[0] - m, b[1] + m, b[2] - m, b[3] + m]]
    groups, cur, heights, x_max = [], [], [], 0.0
    for b in sorted(boxes, key=lambda item: item[0]):
        if cur and not (abs(np.mean(heights) - b[5]) < HEIGHT_THS * np.mean(heights)
                        and (b[0] - x_max) < WIDTH_THS * (b[3] - b[2])):
            groups.append(cur)
            cur, heights = [], []
        cur.append(b)
        heights.append(b[5])
        x_max = b[1]
    groups.append(cur)
    out = []
    for g in groups:
        x0, x1 = min(b[0] for b in g), max(b[1] for b in g)
        y0, y1 = min(b[2] for b in g), max(b[3] for b in g)
        m = int(ADD_MARGIN * min(x1 - x0, y1 - y0))
        out.append([x0 - m, x1 + m, y0 - m, y1 + m])
    return out


def detect_boxes(maps: np.ndarray, ratio: float, min_size: int, text_threshold: float, low_text: float,
                 link_threshold: float) -> tuple[list[list[float]], list[list[list[float]]]]:
    """Reader.detect's result for one image from CRAFT's output: (horizontal, free) boxes in
    input-image pixels.

    maps: (h, w, 2) float32 region and affinity scores (CRAFT output, half the network input).
    """
    boxes = det_boxes(maps[:, :, 0], maps[:, :, 1], text_threshold, link_threshold, low_text)
    scale = 2.0 / ratio  # map pixels -> image pixels (adjustResultCoordinates, ratio_net = 2)
    polys = [np.array(b * scale).astype(np.int32).reshape(-1) for b in boxes]
    horizontal, free = group_text_box(polys)
    if min_size:
        horizontal = [b for b in horizontal if max(b[1] - b[0], b[3] - b[2]) > min_size]
        free = [q for q in free if max(_span([c[0] for c in q]), _span([c[1] for c in q])) > min_size]
    return horizontal, free


def _span(values: list[float]) -> float:
    return max(values) - min(values)


def adjust_contrast_grey(img: np.ndarray, target: float = 0.4) -> np.ndarray:
    """Stretch a low-contrast (h, w) uint8 crop (recognition.adjust_contrast_grey)."""
    high, low = np.percentile(img, 90), np.percentile(img, 10)
    contrast = (high - low) / np.maximum(10, high + low)
    if contrast < target:
        ratio = 200.0 / np.maximum(10, high - low)
        img = ((img.astype(int) - low + 25) * ratio)
        img = np.maximum(np.full(img.shape, 0), np.minimum(np.full(img.shape, 255), img)).astype(np.uint8)
    return img
