"""Export an Infinigen ``scene.blend`` to the interchange format (runs in Infinigen's own venv).

Standalone on purpose: it runs with the Python of ``scenes.infinigen.venv`` (Blender's ``bpy``
4.2 and numpy 1.26, as Infinigen 1.15.5 pins them) and imports nothing from spatialmosaic::

    .venvs/infinigen/bin/python infinigen_export.py --blend coarse/scene.blend --out-dir OUT

It writes ``OUT/meshes.npz`` and then ``OUT/manifest.json`` (docs/infinigen.md, "Interchange
format"). One exported object per placed Infinigen asset (the top of its parent chain, so a
lamp's shade and bulb stay one lamp), per room surface (walls, floor, ceiling, the wall's
outside) and per door, window, skirting board, pillar and staircase. Geometry is the evaluated
mesh (modifiers and geometry nodes applied, instances realised), triangulated, in world
coordinates (Blender's: metres, Z up). Colours are each material's approximate diffuse colour
read from its shader nodes (no texture baking, which needs Cycles and minutes per object).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

FORMAT = "spatialmosaic.infinigen_export"
FORMAT_VERSION = 1
ASSET_NAME = re.compile(r"^([A-Z][A-Za-z0-9]*Factory)\(")
# Collections whose objects are not Infinigen assets, and the raw label they get.
COLLECTION_LABELS = {
    "unique_assets:room_wall": "wall",
    "unique_assets:room_floor": "floor",
    "unique_assets:room_ceiling": "ceiling",
    "unique_assets:room_exterior": "exterior",
    "skirting": "skirtingboard",
}
STRUCTURAL_LABELS = {"wall", "floor", "ceiling", "exterior", "skirtingboard"}
STRUCTURAL_COLLECTIONS = {
    "unique_assets:doors",
    "unique_assets:door_casings",
    "unique_assets:windows",
}
FALLBACK_LINEAR_RGB = (0.5, 0.5, 0.5)
MAX_NODE_DEPTH = 40


def srgb_bytes(linear_rgb) -> list[int]:
    """Blender's scene-linear colour -> 8-bit sRGB."""
    c = np.clip(np.asarray(linear_rgb, dtype=np.float64)[:3], 0.0, 1.0)
    srgb = np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)
    return [int(v) for v in np.round(srgb * 255)]


class ColourReader:
    """Approximate diffuse colour of a material from its node tree (cached per material).

    Follows the Surface link through shader mixes and node groups to the BSDF's base colour,
    then evaluates that colour socket: constants as they are, colour ramps by the mean of their
    stops, mixes by their factor (0.5 when driven), images by their mean pixel, procedural
    textures by their colour inputs; anything else falls back to the viewport colour.
    """

    COLOUR_INPUTS = ("Base Color", "Color")

    def __init__(self) -> None:
        self._materials: dict[str, list[int]] = {}
        self._images: dict[str, tuple[float, float, float]] = {}

    def material_rgb(self, material) -> list[int]:
        if material is None:
            return srgb_bytes(FALLBACK_LINEAR_RGB)
        if material.name not in self._materials:
            rgb = None
            if material.use_nodes and material.node_tree is not None:
                output = next(
                    (n for n in material.node_tree.nodes if n.type == "OUTPUT_MATERIAL"), None
                )
                if output is not None and output.inputs["Surface"].is_linked:
                    rgb = self._shader(output.inputs["Surface"].links[0], [], 0)
            if rgb is None:
                rgb = tuple(material.diffuse_color)[:3]
            self._materials[material.name] = srgb_bytes(rgb)
        return self._materials[material.name]

    def _shader(self, link, groups: list, depth: int):
        node, socket = link.from_node, link.from_socket
        if depth > MAX_NODE_DEPTH:
            return None
        if node.type == "REROUTE":
            return self._follow(node.inputs[0], groups, depth, self._shader)
        if node.type == "GROUP":
            return self._into_group(node, socket, groups, depth, self._shader)
        if node.type == "GROUP_INPUT" and groups:
            return self._follow(groups[-1].inputs[socket.name], groups[:-1], depth, self._shader)
        if node.type in ("MIX_SHADER", "ADD_SHADER"):
            shaders = [s for s in node.inputs if s.type == "SHADER"]
            parts = [self._follow(s, groups, depth, self._shader) for s in shaders]
            weight = 0.5
            if node.type == "MIX_SHADER" and not node.inputs[0].is_linked:
                weight = float(node.inputs[0].default_value)
            if parts[0] is None or parts[1] is None:
                return parts[0] or parts[1]
            return tuple(
                (1 - weight) * a + weight * b for a, b in zip(parts[0], parts[1], strict=True)
            )
        for name in self.COLOUR_INPUTS:
            if name in node.inputs:
                return self._colour(node.inputs[name], groups, depth + 1)
        return None

    def _follow(self, socket, groups, depth, read):
        if socket.is_linked:
            return read(socket.links[0], groups, depth + 1)
        if read is self._shader:
            return None
        return self._constant(socket)

    def _into_group(self, node, socket, groups, depth, read):
        if node.node_tree is None:
            return None
        out = next((n for n in node.node_tree.nodes if n.type == "GROUP_OUTPUT"), None)
        if out is None or socket.name not in out.inputs:
            return None
        return self._follow(out.inputs[socket.name], groups + [node], depth, read)

    def _constant(self, socket):
        value = getattr(socket, "default_value", None)
        if value is None:
            return None
        if isinstance(value, float | int):
            return (float(value),) * 3
        return tuple(float(v) for v in tuple(value)[:3])

    def _colour(self, socket, groups, depth):
        if not socket.is_linked:
            return self._constant(socket)
        return self._colour_link(socket.links[0], groups, depth)

    def _colour_link(self, link, groups, depth):
        node, socket = link.from_node, link.from_socket
        if depth > MAX_NODE_DEPTH:
            return None
        if node.type == "REROUTE":
            return self._follow(node.inputs[0], groups, depth, self._colour_link)
        if node.type == "GROUP":
            return self._into_group(node, socket, groups, depth, self._colour_link)
        if node.type == "GROUP_INPUT":
            if not groups:
                return None
            return self._follow(
                groups[-1].inputs[socket.name], groups[:-1], depth, self._colour_link
            )
        if node.type == "RGB":
            return tuple(node.outputs[0].default_value)[:3]
        if node.type == "VALTORGB":
            stops = [tuple(e.color)[:3] for e in node.color_ramp.elements]
            return tuple(np.mean(stops, axis=0))
        if node.type == "TEX_IMAGE" and node.image is not None:
            return self._image_mean(node.image)
        mixed = self._mix(node, groups, depth)
        if mixed is not None:
            return mixed
        colours = [s for s in node.inputs if s.type == "RGBA"]
        if colours:
            parts = [self._colour(s, groups, depth + 1) for s in colours]
            parts = [p for p in parts if p is not None]
            return tuple(np.mean(parts, axis=0)) if parts else None
        return None

    def _mix(self, node, groups, depth):
        """MixRGB and the Mix node in colour mode: A and B blended by the factor."""
        if node.type not in ("MIX_RGB", "MIX"):
            return None
        if node.type == "MIX" and getattr(node, "data_type", "RGBA") != "RGBA":
            return None
        colours = [s for s in node.inputs if s.type == "RGBA" and s.enabled]
        factor = next((s for s in node.inputs if s.type == "VALUE" and s.enabled), None)
        if len(colours) < 2:
            return None
        weight = 0.5 if factor is None or factor.is_linked else float(factor.default_value)
        a, b = (self._colour(s, groups, depth + 1) for s in colours[:2])
        if a is None or b is None:
            return a or b
        return tuple((1 - weight) * x + weight * y for x, y in zip(a, b, strict=True))

    def _image_mean(self, image):
        if image.name not in self._images:
            pixels = np.empty(len(image.pixels), dtype=np.float32)
            image.pixels.foreach_get(pixels)
            channels = max(image.channels, 1)
            mean = pixels.reshape(-1, channels).mean(axis=0) if len(pixels) else [0.5] * 3
            rgb = tuple(float(v) for v in mean[:3]) if channels >= 3 else (float(mean[0]),) * 3
            self._images[image.name] = rgb
        return self._images[image.name]


def owner_label(obj) -> tuple[str, bool] | None:
    """(raw label, structural) of an object that is a scene part by itself: a room surface or
    an Infinigen asset in a rendered asset collection; None for anything else (cameras,
    placeholders, portal cutters, an asset's unnamed parts)."""
    collections = [c.name for c in obj.users_collection]
    for name in collections:
        if name in COLLECTION_LABELS:
            label = COLLECTION_LABELS[name]
            return label, label in STRUCTURAL_LABELS
    match = ASSET_NAME.match(obj.name)
    if match is None or not any(name.startswith("unique_assets") for name in collections):
        return None
    return match.group(1), any(name in STRUCTURAL_COLLECTIONS for name in collections)


def owner(obj):
    """The topmost labelled object of ``obj``'s parent chain (an asset's parts belong to the
    asset; doors and windows hang below their portal cutters, which are not labelled), or
    None."""
    found = None
    while obj is not None:
        if owner_label(obj) is not None:
            found = obj
        obj = obj.parent
    return found


def collection_hidden(root) -> bool:
    return root.hide_render or all(c.hide_render for c in root.users_collection)


def mesh_arrays(evaluated, matrix_world, reader: ColourReader):
    """World vertices [N, 3] float32, triangles [M, 3] int32 and face colours [M, 3] uint8."""
    mesh = evaluated.to_mesh()
    try:
        mesh.calc_loop_triangles()
        n_vertices, n_triangles = len(mesh.vertices), len(mesh.loop_triangles)
        if n_triangles == 0:
            return None
        local = np.empty(n_vertices * 3, dtype=np.float64)
        mesh.vertices.foreach_get("co", local)
        triangles = np.empty(n_triangles * 3, dtype=np.int32)
        mesh.loop_triangles.foreach_get("vertices", triangles)
        material_index = np.empty(n_triangles, dtype=np.int32)
        mesh.loop_triangles.foreach_get("material_index", material_index)
        matrix = np.array(matrix_world, dtype=np.float64)
        world = local.reshape(-1, 3) @ matrix[:3, :3].T + matrix[:3, 3]
        palette = np.array(
            [reader.material_rgb(m) for m in mesh.materials] or [reader.material_rgb(None)],
            dtype=np.uint8,
        )
        face_rgb = palette[np.clip(material_index, 0, len(palette) - 1)]
        return world.astype(np.float32), triangles.reshape(-1, 3), face_rgb
    finally:
        evaluated.to_mesh_clear()


def show_what_renders(bpy) -> None:
    """Make viewport visibility follow render visibility, so the (viewport) depsgraph holds
    exactly what a render would show: Infinigen saves some asset collections hidden in the
    viewport and its placeholders hidden in both."""
    for collection in bpy.data.collections:
        collection.hide_viewport = collection.hide_render
    for obj in bpy.data.objects:
        obj.hide_viewport = obj.hide_render
    layers = [bpy.context.view_layer.layer_collection]
    while layers:
        layer = layers.pop()
        layer.hide_viewport = False
        layers.extend(layer.children)
    bpy.context.view_layer.update()


def collect_objects(bpy) -> dict[str, dict]:
    """Root object name -> its label, structural flag and mesh pieces."""
    reader = ColourReader()
    show_what_renders(bpy)
    depsgraph = bpy.context.evaluated_depsgraph_get()
    objects: dict[str, dict] = {}
    for instance in depsgraph.object_instances:
        evaluated = instance.object
        if evaluated.type not in ("MESH", "CURVE", "SURFACE", "META", "FONT"):
            continue
        source = instance.parent if instance.is_instance else evaluated
        root = owner(source.original)
        if root is None or collection_hidden(root):
            continue
        labelled = owner_label(root)
        arrays = mesh_arrays(evaluated, instance.matrix_world, reader)
        if arrays is None:
            continue
        entry = objects.setdefault(
            root.name, {"label": labelled[0], "structural": labelled[1], "pieces": []}
        )
        entry["pieces"].append(arrays)
    return objects


def write_export(objects: dict[str, dict], out_dir: Path, generator: dict) -> dict:
    """``meshes.npz`` (concatenated arrays) then ``manifest.json`` (per-object counts)."""
    vertices, triangles, face_rgb, entries = [], [], [], []
    for name in sorted(objects):
        entry = objects[name]
        offset, object_vertices = 0, []
        for piece_vertices, piece_triangles, piece_rgb in entry["pieces"]:
            object_vertices.append(piece_vertices)
            triangles.append(piece_triangles + offset)
            face_rgb.append(piece_rgb)
            offset += len(piece_vertices)
        stacked = np.concatenate(object_vertices)
        vertices.append(stacked)
        entries.append(
            {
                "name": name,
                "label": entry["label"],
                "structural": entry["structural"],
                "vertex_count": int(len(stacked)),
                "triangle_count": int(sum(len(p[1]) for p in entry["pieces"])),
            }
        )
    if not entries:
        raise SystemExit(f"{out_dir}: the scene has no exportable object")
    all_vertices = np.concatenate(vertices)
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez(
        out_dir / "meshes.npz",
        vertices=all_vertices,
        triangles=np.concatenate(triangles).astype(np.int32),
        face_rgb=np.concatenate(face_rgb).astype(np.uint8),
    )
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "units": "metre",
        "up": "+Z",
        "generator": generator,
        "bounds_min_m": [float(v) for v in all_vertices.min(axis=0)],
        "bounds_max_m": [float(v) for v in all_vertices.max(axis=0)],
        "objects": entries,
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blend", type=Path, required=True)
    parser.add_argument("--out-dir", type=Path, required=True)
    parser.add_argument("--generator-json", default="{}", help="recorded in the manifest")
    args = parser.parse_args(argv)
    import bpy  # only in Infinigen's environment

    if not args.blend.is_file():
        raise SystemExit(f"{args.blend}: no such .blend file")
    start = time.monotonic()
    bpy.ops.wm.open_mainfile(filepath=str(args.blend))
    objects = collect_objects(bpy)
    generator = {**json.loads(args.generator_json), "bpy": bpy.app.version_string}
    manifest = write_export(objects, args.out_dir, generator)
    triangles = sum(o["triangle_count"] for o in manifest["objects"])
    print(
        f"{args.out_dir}: {len(manifest['objects'])} objects, {triangles} triangles "
        f"in {time.monotonic() - start:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
