#!/usr/bin/env python3
"""Convert the MediaPipe BlazePose TFLite models to ONNX for plumbline.

Run from the repository root (normally via ``bash models/convert.sh``):

    python3 models/convert.py [--heavy] [--out models/] [--bench]

Steps (see models/README.md for details):
  1. ``npm pack @mediapipe/pose@0.5.1675469404`` into a temp dir and untar it;
     extract ``pose_detection.tflite`` from ``pose_solution_packed_assets.data``
     using the byte range listed in ``pose_solution_packed_assets_loader.js``.
     The SHA-256 of every input is printed and checked against pinned values.
  2. Densify the detector: its weights are stored sparse behind DENSIFY ops,
     which tf2onnx cannot read. The TFLite interpreter computes the dense
     tensors; they are written back as constant buffers and the DENSIFY ops
     are removed.
  3. tf2onnx (opset 17).
  4. Normalise the interface (tensor names, static batch 1) and, for the
     landmark models, cut the segmentation branch with onnx.utils.Extractor.
  5. Verify against the original TFLite models on skimage's astronaut photo;
     exit non-zero if anything is off.
  6. Write models/MODELS.sha256.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

NPM_PACKAGE = "@mediapipe/pose@0.5.1675469404"
OPSET = 17

# Pinned SHA-256 of the inputs taken from the npm package (fail on mismatch).
EXPECTED_INPUT_SHA256 = {
    "pose_landmark_lite.tflite": "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
    "pose_landmark_full.tflite": "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "pose_landmark_heavy.tflite": "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
    "pose_solution_packed_assets.data": "a63c614bef30d35947f13be361820b1e4e3bec9cfeebf4d11216a18373108e85",
    "pose_solution_packed_assets_loader.js": "d7aa29b7d8e11b5c97a58d719e982dd15c2de72995d95112d60492b854840a36",
    # byte range [0, 2962288) of the .data file, i.e. the whole file
    "pose_detection.tflite": "a63c614bef30d35947f13be361820b1e4e3bec9cfeebf4d11216a18373108e85",
}
# The npm tarball's own SHA-256 is printed but not enforced (its contents are).

DETECTOR_OUTPUTS = {  # contract name -> shape
    "regressors": [1, 2254, 12],
    "classificators": [1, 2254, 1],
}
LANDMARK_OUTPUTS = {
    "landmarks": [1, 195],
    "pose_flag": [1, 1],
    "heatmap": [1, 64, 64, 39],
    "world_landmarks": [1, 117],
}
SEGMENTATION_SHAPE = [1, 256, 256, 1]

# Verification tolerances (max abs diff, ONNX Runtime vs original TFLite).
TOL = {
    "landmarks_xyz": 1e-2,          # 256-pixel units; hard requirement
    "landmarks_vis_presence": 5e-2,  # logits
    "pose_flag": 1e-2,
    "heatmap": 5e-2,
    "world_landmarks": 1e-2,        # metres
    "regressors": 1e-2,              # 224-pixel units; hard requirement
    "classificators": 5e-2,          # logits
}
CUT_TOL = 1e-6


class ConversionError(RuntimeError):
    pass


def fail(msg: str) -> None:
    raise ConversionError(msg)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------
# 1. inputs
# --------------------------------------------------------------------------
def fetch_inputs(work: Path) -> tuple[Path, dict[str, str], tuple[int, int]]:
    print(f"[fetch] npm pack {NPM_PACKAGE}", flush=True)
    out = subprocess.run(
        ["npm", "pack", NPM_PACKAGE, "--silent"],
        cwd=work, check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()
    tgz = work / out[-1].strip()
    if not tgz.is_file():
        fail(f"npm pack did not produce {tgz}")
    with tarfile.open(tgz) as tf:
        tf.extractall(work, filter="data")
    pkg = work / "package"

    hashes: dict[str, str] = {tgz.name: sha256_file(tgz)}

    loader = (pkg / "pose_solution_packed_assets_loader.js").read_text()
    ranges = re.findall(
        r'"filename"\s*:\s*"([^"]+)"\s*,\s*"start"\s*:\s*(\d+)\s*,\s*"end"\s*:\s*(\d+)', loader
    )
    det = [(int(s), int(e)) for name, s, e in ranges if name.endswith("/pose_detection.tflite")]
    if len(det) != 1:
        fail(f"could not find pose_detection.tflite in loader JS (found {ranges})")
    start, end = det[0]
    data = (pkg / "pose_solution_packed_assets.data").read_bytes()
    if end > len(data):
        fail(f"byte range {start}..{end} outside .data file ({len(data)} bytes)")
    (pkg / "pose_detection.tflite").write_bytes(data[start:end])
    print(f"[fetch] pose_detection.tflite = pose_solution_packed_assets.data[{start}:{end}]")

    for name in (
        "pose_solution_packed_assets.data",
        "pose_solution_packed_assets_loader.js",
        "pose_detection.tflite",
        "pose_landmark_lite.tflite",
        "pose_landmark_full.tflite",
        "pose_landmark_heavy.tflite",
    ):
        hashes[name] = sha256_file(pkg / name)
    print("[fetch] input SHA-256:")
    for name, h in hashes.items():
        print(f"  {h}  {name}")
    for name, want in EXPECTED_INPUT_SHA256.items():
        if want is not None and hashes[name] != want:
            fail(f"SHA-256 mismatch for {name}: got {hashes[name]}, expected {want}")
    return pkg, hashes, (start, end)


# --------------------------------------------------------------------------
# 2. densify
# --------------------------------------------------------------------------
def _builtin_code(opcode) -> int:
    return max(int(opcode.builtinCode or 0), int(opcode.deprecatedBuiltinCode or 0))


def densify(src: Path, dst: Path) -> int:
    """Replace DENSIFY ops by constant dense buffers. Returns #ops removed."""
    import flatbuffers
    import tensorflow as tf
    from tensorflow.lite.python import schema_py_generated as schema

    buf = bytearray(src.read_bytes())
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(buf, 0))
    densify_code = schema.BuiltinOperator.DENSIFY
    dequant_code = schema.BuiltinOperator.DEQUANTIZE
    if len(model.subgraphs) != 1:
        fail(f"{src.name}: expected one subgraph, got {len(model.subgraphs)}")
    sg = model.subgraphs[0]

    dens_ops = [
        op for op in sg.operators
        if _builtin_code(model.operatorCodes[op.opcodeIndex]) == densify_code
    ]
    n_dq = sum(
        1 for op in sg.operators
        if _builtin_code(model.operatorCodes[op.opcodeIndex]) == dequant_code
    )
    print(f"[densify] {src.name}: {len(sg.operators)} ops, {len(dens_ops)} DENSIFY, {n_dq} DEQUANTIZE")
    if not dens_ops:
        dst.write_bytes(bytes(buf))
        return 0

    interp = tf.lite.Interpreter(
        model_path=str(src),
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
        experimental_preserve_all_tensors=True,
    )
    interp.allocate_tensors()
    for d in interp.get_input_details():
        interp.set_tensor(d["index"], np.zeros(d["shape"], d["dtype"]))
    interp.invoke()

    sparse_inputs = set()
    for op in dens_ops:
        (inp,) = list(op.inputs)
        (out,) = list(op.outputs)
        dense = np.ascontiguousarray(interp.get_tensor(out))
        t_out = sg.tensors[out]
        if list(dense.shape) != list(t_out.shape):
            fail(f"densify: shape mismatch for tensor {out}: {dense.shape} vs {list(t_out.shape)}")
        b = schema.BufferT()
        b.data = np.frombuffer(dense.tobytes(), dtype=np.uint8)
        model.buffers.append(b)
        t_out.buffer = len(model.buffers) - 1
        sparse_inputs.add(inp)

    dens_set = {id(op) for op in dens_ops}
    sg.operators = [op for op in sg.operators if id(op) not in dens_set]

    # The sparse source tensors are now unused: drop their data and sparsity
    # metadata so that no tool tries to interpret them.
    for idx in sparse_inputs:
        still_used = any(idx in list(op.inputs) for op in sg.operators)
        if still_used:
            fail(f"densify: sparse tensor {idx} still used after removing DENSIFY")
        t = sg.tensors[idx]
        t.sparsity = None
        model.buffers[t.buffer].data = None
    for t in sg.tensors:
        if t.sparsity is not None:
            fail(f"densify: tensor {t.name} still sparse")

    builder = flatbuffers.Builder(len(buf) * 2)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    dst.write_bytes(bytes(builder.Output()))

    # Sanity: densified model == original model on a random input.
    rng = np.random.default_rng(0)
    ref = tf.lite.Interpreter(model_path=str(src))
    new = tf.lite.Interpreter(model_path=str(dst))
    for it in (ref, new):
        it.allocate_tensors()
    d = ref.get_input_details()[0]
    x = rng.uniform(-1, 1, d["shape"]).astype(d["dtype"])
    outs = []
    for it in (ref, new):
        it.set_tensor(it.get_input_details()[0]["index"], x)
        it.invoke()
        outs.append({o["name"]: it.get_tensor(o["index"]) for o in it.get_output_details()})
    for k in outs[0]:
        diff = float(np.max(np.abs(outs[0][k] - outs[1][k])))
        print(f"[densify] densified vs original TFLite, output {k}: max abs diff {diff:.3g}")
        if diff > 1e-4:
            fail(f"densified detector differs from original ({k}: {diff})")
    return len(dens_ops)


# --------------------------------------------------------------------------
# 3./4. convert + normalise
# --------------------------------------------------------------------------
def tflite_to_onnx(src: Path):
    import tf2onnx

    model_proto, _ = tf2onnx.convert.from_tflite(str(src), opset=OPSET)
    canonicalize(model_proto)
    return model_proto


def _dims(vi) -> list:
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param or -1)
            for d in vi.type.tensor_type.shape.dim]


def _set_static(vi, shape: list[int]) -> None:
    dims = vi.type.tensor_type.shape.dim
    if len(dims) != len(shape):
        fail(f"{vi.name}: rank mismatch {_dims(vi)} vs {shape}")
    for d, s in zip(dims, shape):
        cur = d.dim_value if d.HasField("dim_value") else None
        if cur not in (None, 0, s):
            fail(f"{vi.name}: shape {_dims(vi)} incompatible with contract {shape}")
        d.Clear()
        d.dim_value = s


def rename_tensors(model, mapping: dict[str, str], check: bool = True) -> None:
    g = model.graph
    existing = {o for n in g.node for o in n.output} | {i.name for i in g.input} | {
        i.name for i in g.initializer}
    for old, new in mapping.items():
        if check and new != old and new in existing:
            fail(f"rename {old}->{new}: target name already used in graph")
    for n in g.node:
        for i, name in enumerate(n.input):
            if name in mapping:
                n.input[i] = mapping[name]
        for i, name in enumerate(n.output):
            if name in mapping:
                n.output[i] = mapping[name]
    for coll in (g.input, g.output, g.value_info):
        for vi in coll:
            if vi.name in mapping:
                vi.name = mapping[vi.name]
    for init in g.initializer:
        if init.name in mapping:
            init.name = mapping[init.name]


_GENERATED = re.compile(r"__\d+")


def canonicalize(model) -> None:
    """Make tf2onnx output byte-reproducible.

    tf2onnx numbers generated tensors/nodes (``const_fold_opt__123``) with a
    process-global counter whose order depends on set iteration during its
    optimisers, so names (and initializer order) differ from run to run even
    though the graph is identical. Renumber generated names in order of first
    appearance and sort initializers/value_info by first use. The node order
    (also not stable across runs) is replaced by a canonical topological order:
    depth-first post-order from the graph outputs, visiting inputs in order."""
    g = model.graph
    producer = {o: i for i, n in enumerate(g.node) for o in n.output}
    placed: set[int] = set()
    new_order: list[int] = []
    for out in g.output:
        if out.name not in producer:
            continue
        stack = [(producer[out.name], 0)]
        while stack:
            idx, k = stack.pop()
            if idx in placed:
                continue
            ins = list(g.node[idx].input)
            while k < len(ins) and (ins[k] not in producer or producer[ins[k]] in placed):
                k += 1
            if k < len(ins):
                stack.append((idx, k + 1))
                stack.append((producer[ins[k]], 0))
            else:
                placed.add(idx)
                new_order.append(idx)
    new_order += [i for i in range(len(g.node)) if i not in placed]  # dead nodes, if any
    nodes = [g.node[i] for i in new_order]
    tmp = [type(nodes[0])() for _ in nodes] if nodes else []
    for t, n in zip(tmp, nodes):
        t.CopyFrom(n)
    del g.node[:]
    g.node.extend(tmp)

    order: list[str] = []
    seen: set[str] = set()

    def see(name: str) -> None:
        if name and name not in seen:
            seen.add(name)
            order.append(name)

    for vi in g.input:
        see(vi.name)
    for n in g.node:
        for x in list(n.input) + list(n.output):
            see(x)
    for vi in g.output:
        see(vi.name)
    for init in g.initializer:
        see(init.name)
    for vi in g.value_info:
        see(vi.name)

    generated = [n for n in order if _GENERATED.search(n)]
    mapping = {name: f"{_GENERATED.sub('', name)}__{k}" for k, name in enumerate(generated)}
    final = [mapping.get(n, n) for n in order]
    if len(set(final)) != len(final):
        fail("canonicalize: renaming would create duplicate tensor names")
    rename_tensors(model, mapping, check=False)

    pos = {mapping.get(n, n): i for i, n in enumerate(order)}
    inits = sorted(g.initializer, key=lambda t: pos[t.name])
    vis = sorted(g.value_info, key=lambda t: pos[t.name])
    del g.initializer[:]
    g.initializer.extend(inits)
    del g.value_info[:]
    g.value_info.extend(vis)
    for k, n in enumerate(g.node):
        if _GENERATED.search(n.name):
            n.name = f"{_GENERATED.sub('', n.name)}__n{k}"


def normalise(model, kind: str):
    """Rename I/O to the contract, make shapes static, cut segmentation.

    Returns (final_model, uncut_model_or_None)."""
    import onnx
    from onnx import utils as onnx_utils

    g = model.graph
    inits = {i.name for i in g.initializer}
    inputs = [i for i in g.input if i.name not in inits]
    if len(inputs) != 1:
        fail(f"{kind}: expected 1 graph input, got {[i.name for i in inputs]}")
    in_shape = [1, 224, 224, 3] if kind == "detector" else [1, 256, 256, 3]
    mapping = {inputs[0].name: "input"}
    print(f"[onnx] {kind}: tf2onnx I/O: input {inputs[0].name} {_dims(inputs[0])}; outputs "
          + ", ".join(f"{o.name} {_dims(o)}" for o in g.output))

    outs = [(o.name, [d if isinstance(d, int) and d > 0 else 1 for d in _dims(o)]) for o in g.output]
    contract = DETECTOR_OUTPUTS if kind == "detector" else LANDMARK_OUTPUTS
    seg_name = None
    for name, shape in outs:
        flat = int(np.prod(shape))
        match = None
        if kind == "detector":
            if shape == [1, 2254, 12]:
                match = "regressors"
            elif shape == [1, 2254, 1]:
                match = "classificators"
        else:
            if shape == SEGMENTATION_SHAPE:
                seg_name = name
                continue
            for cname, cshape in contract.items():
                if shape == cshape or (flat == int(np.prod(cshape)) and len(shape) == len(cshape)):
                    match = cname
        if match is None:
            fail(f"{kind}: cannot identify output {name} with shape {shape}")
        if match in mapping.values():
            fail(f"{kind}: two outputs match {match}")
        mapping[name] = match
    if set(mapping.values()) != {"input", *contract}:
        fail(f"{kind}: outputs {outs} do not cover the contract {list(contract)}")
    if kind != "detector" and seg_name is None:
        fail(f"{kind}: segmentation output {SEGMENTATION_SHAPE} not found")

    rename_tensors(model, mapping)
    for vi in g.input:
        if vi.name == "input":
            _set_static(vi, in_shape)
    for vi in g.output:
        if vi.name in contract:
            _set_static(vi, contract[vi.name])
    onnx.checker.check_model(model)

    if kind == "detector":
        # Put outputs in contract order.
        order = {n: i for i, n in enumerate(contract)}
        outs_sorted = sorted(list(g.output), key=lambda o: order[o.name])
        del g.output[:]
        g.output.extend(outs_sorted)
        onnx.checker.check_model(model)
        return model, None

    uncut = onnx.ModelProto()
    uncut.CopyFrom(model)
    cut = onnx_utils.Extractor(model).extract_model(["input"], list(contract))
    canonicalize(cut)
    # Extractor keeps the original opset/IR and metadata; make sure of it.
    cut.ir_version = model.ir_version
    del cut.opset_import[:]
    cut.opset_import.extend(model.opset_import)
    cut.producer_name = model.producer_name
    cut.producer_version = model.producer_version
    for vi in cut.graph.input:
        if vi.name == "input":
            _set_static(vi, in_shape)
    for vi in cut.graph.output:
        _set_static(vi, contract[vi.name])
    onnx.checker.check_model(cut, full_check=True)
    print(f"[onnx] {kind}: cut segmentation ({seg_name}): {len(model.graph.node)} -> "
          f"{len(cut.graph.node)} nodes")
    return cut, uncut


# --------------------------------------------------------------------------
# 5. verification
# --------------------------------------------------------------------------
def test_image(size: int, value_range: tuple[float, float]) -> np.ndarray:
    from PIL import Image
    from skimage import data

    img = Image.fromarray(data.astronaut()).convert("RGB").resize((size, size), Image.BILINEAR)
    x = np.asarray(img, dtype=np.float32) / 255.0
    lo, hi = value_range
    x = x * (hi - lo) + lo
    return x[None].astype(np.float32)


def run_tflite(path: Path, x: np.ndarray) -> dict[str, np.ndarray]:
    import tensorflow as tf

    it = tf.lite.Interpreter(model_path=str(path))  # default op resolver
    it.allocate_tensors()
    (d,) = it.get_input_details()
    if list(d["shape"]) != list(x.shape):
        fail(f"TFLite {path.name}: input shape {d['shape']} != {x.shape}")
    it.set_tensor(d["index"], x)
    it.invoke()
    return {o["name"]: it.get_tensor(o["index"]).copy() for o in it.get_output_details()}


def ort_session(model_bytes: bytes, threads: int = 0):
    import onnxruntime as ort

    so = ort.SessionOptions()
    if threads:
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
    return ort.InferenceSession(model_bytes, so, providers=["CPUExecutionProvider"])


def run_ort(model_bytes: bytes, x: np.ndarray) -> dict[str, np.ndarray]:
    sess = ort_session(model_bytes)
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, {"input": x})))


def match_tflite_outputs(tfl: dict[str, np.ndarray], contract: dict[str, list[int]]):
    """Map contract names to TFLite outputs by shape (same rule as normalise)."""
    res = {}
    for cname, cshape in contract.items():
        cands = [k for k, v in tfl.items() if list(v.shape) == cshape]
        if len(cands) != 1:
            cands = [k for k, v in tfl.items() if v.size == int(np.prod(cshape))]
        if len(cands) != 1:
            fail(f"cannot map TFLite outputs {[(k, v.shape) for k, v in tfl.items()]} to {cname}")
        res[cname] = tfl[cands[0]].reshape(cshape)
    return res


def verify(kind: str, tflite_path: Path, onnx_bytes: bytes, uncut_bytes: bytes | None) -> dict:
    if kind == "detector":
        x = test_image(224, (-1.0, 1.0))
        contract = DETECTOR_OUTPUTS
    else:
        x = test_image(256, (0.0, 1.0))
        contract = LANDMARK_OUTPUTS
    ref = match_tflite_outputs(run_tflite(tflite_path, x), contract)
    got = run_ort(onnx_bytes, x)
    report: dict[str, float] = {}
    problems = []

    def check(key: str, a: np.ndarray, b: np.ndarray) -> None:
        if a.shape != b.shape:
            problems.append(f"{key}: shape {a.shape} vs {b.shape}")
            return
        if not np.all(np.isfinite(b)):
            problems.append(f"{key}: non-finite values in ONNX output")
            return
        d = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))
        report[key] = d
        ok = d < TOL[key]
        print(f"[verify] {tflite_path.stem:22s} {key:24s} max|diff| = {d:.3e}  "
              f"(tol {TOL[key]:.0e}) {'OK' if ok else 'FAIL'}")
        if not ok:
            problems.append(f"{key}: max abs diff {d:.3e} >= {TOL[key]:.0e}")

    for name in contract:
        if name not in got:
            problems.append(f"ONNX output {name} missing")
            continue
        if name == "landmarks":
            a, b = ref[name].reshape(39, 5), got[name].reshape(39, 5)
            check("landmarks_xyz", a[:, :3], b[:, :3])
            check("landmarks_vis_presence", a[:, 3:], b[:, 3:])
        else:
            check(name, ref[name], got[name])

    if kind == "detector":
        scores = 1 / (1 + np.exp(-ref["classificators"].ravel()))
        print(f"[verify] detector: best anchor score (TFLite) {scores.max():.3f}")
    else:
        lm = ref["landmarks"].reshape(39, 5)
        print(f"[verify] {tflite_path.stem}: pose_flag (TFLite) {float(ref['pose_flag'].ravel()[0]):.4f}, "
              f"nose xy ({lm[0, 0]:.1f}, {lm[0, 1]:.1f})")

    if uncut_bytes is not None:
        full = run_ort(uncut_bytes, x)
        cut_diff = max(float(np.max(np.abs(full[n] - got[n]))) for n in contract)
        exact = all(np.array_equal(full[n], got[n]) for n in contract)
        report["cut_vs_uncut"] = cut_diff
        print(f"[verify] {tflite_path.stem}: cut vs uncut ONNX max|diff| = {cut_diff:.3e} "
              f"(bit-identical: {exact})")
        if cut_diff >= CUT_TOL:
            problems.append(f"cut model differs from uncut model by {cut_diff:.3e}")

    if problems:
        fail(f"VERIFICATION FAILED for {tflite_path.name}:\n  " + "\n  ".join(problems))
    return report


def bench(model_bytes: bytes, shape: list[int], runs: int) -> dict[int, float]:
    x = np.random.default_rng(0).uniform(0, 1, shape).astype(np.float32)
    res = {}
    for threads in (1, 2):
        sess = ort_session(model_bytes, threads)
        for _ in range(3):
            sess.run(None, {"input": x})
        ts = []
        for _ in range(runs):
            t0 = time.perf_counter()
            sess.run(None, {"input": x})
            ts.append((time.perf_counter() - t0) * 1e3)
        res[threads] = float(np.median(ts))
    return res


# --------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--heavy", action="store_true", help="also produce pose_landmark_heavy.onnx")
    ap.add_argument("--out", default="models/", help="output directory (default: models/)")
    ap.add_argument("--bench", action="store_true",
                    help="also time each model with onnxruntime (1 and 2 threads)")
    ap.add_argument("--keep-temp", action="store_true", help="keep the temp working dir")
    args = ap.parse_args()

    import onnx
    import onnxruntime
    import tensorflow as tf
    import tf2onnx

    print(f"[env] python {sys.version.split()[0]}, tensorflow {tf.__version__}, tf2onnx "
          f"{tf2onnx.__version__}, onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__}, "
          f"numpy {np.__version__}")
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)

    work = Path(tempfile.mkdtemp(prefix="plumbline-convert-"))
    try:
        pkg, in_hashes, det_range = fetch_inputs(work)

        jobs = [("detector", "pose_detection")] + [
            ("landmark", f"pose_landmark_{v}") for v in ("lite", "full")
        ]
        if args.heavy:
            jobs.append(("landmark", "pose_landmark_heavy"))

        results = {}
        for kind, stem in jobs:
            src = pkg / f"{stem}.tflite"
            conv_src = src
            if kind == "detector":
                conv_src = work / f"{stem}.dense.tflite"
                densify(src, conv_src)
                print(f"[densify] {conv_src.name} sha256 {sha256_file(conv_src)} "
                      f"({conv_src.stat().st_size} bytes)")
            print(f"[tf2onnx] converting {conv_src.name} (opset {OPSET})", flush=True)
            model = tflite_to_onnx(conv_src)
            final, uncut = normalise(model, kind)
            final.doc_string = (f"MediaPipe BlazePose {stem} (from npm {NPM_PACKAGE}), converted "
                                f"by plumbline models/convert.py. Apache-2.0, Copyright Google LLC.")
            data = final.SerializeToString()
            rep = verify(kind, src, data, uncut.SerializeToString() if uncut is not None else None)
            dst = out_dir / f"{stem}.onnx"
            dst.write_bytes(data)
            h = sha256_file(dst)
            print(f"[out] {dst} {len(data)} bytes sha256 {h}")
            results[stem] = {"path": dst, "sha256": h, "size": len(data), "verify": rep,
                             "bytes": data, "kind": kind}

        # MODELS.sha256 lists the committed models only (heavy is git-ignored and
        # its hash is documented in README.md), so that
        # `cd models && sha256sum -c MODELS.sha256` works on a clean checkout.
        sums_path = out_dir / "MODELS.sha256"
        entries = {r["path"].name: r["sha256"] for stem, r in results.items() if "heavy" not in stem}
        sums_path.write_text("".join(f"{h}  {n}\n" for n, h in sorted(entries.items())))
        print(f"[out] wrote {sums_path}")

        print("\n=== summary ===")
        print("inputs (sha256):")
        for n, h in in_hashes.items():
            print(f"  {h}  {n}")
        print(f"pose_detection.tflite byte range in .data: [{det_range[0]}, {det_range[1]})")
        print("outputs:")
        for stem, r in results.items():
            print(f"  {r['sha256']}  {r['path'].name}  ({r['size']} bytes)")
            print("    " + json.dumps({k: float(f"{v:.3e}") for k, v in r["verify"].items()}))

        if args.bench:
            print("\n=== onnxruntime CPU median latency (ms) ===")
            for stem, r in results.items():
                shape = [1, 224, 224, 3] if r["kind"] == "detector" else [1, 256, 256, 3]
                runs = 20 if "heavy" in stem else 50
                t = bench(r["bytes"], shape, runs)
                print(f"  {stem:22s} 1 thread: {t[1]:7.2f} ms   2 threads: {t[2]:7.2f} ms")
    finally:
        if args.keep_temp:
            print(f"[tmp] kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("\nOK")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ConversionError as e:
        print(f"\nERROR: {e}", file=sys.stderr)
        sys.exit(1)
